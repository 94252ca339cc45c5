"""What a CLI user sees when a command is mistyped or the database was never migrated: one message, no traceback."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from techbridge.cli.app import main
from techbridge.config import get_settings


def run_main(monkeypatch: pytest.MonkeyPatch, *argv: str) -> int:
    monkeypatch.setattr("sys.argv", ["techbridge", *argv])
    with pytest.raises(SystemExit) as exit_:
        main()
    return int(exit_.value.code or 0)


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (("no-such-command",), "No such command 'no-such-command'"),
        (("search", "query"), "Missing argument 'text'"),
        (("stats", "--bogus"), "No such option: --bogus"),
        (("tiers", "pool"), "Did you mean 'pools'?"),
    ],
)
def test_a_usage_error_is_a_usage_message_and_exit_code_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], argv: tuple[str, ...], said: str
) -> None:
    assert run_main(monkeypatch, *argv) == 2
    err = capsys.readouterr().err
    assert said in err
    assert "Usage: " in err
    assert "Traceback" not in err


@pytest.mark.parametrize(("lang", "said"), [("en", "run `techbridge db upgrade` first"), ("zh", "请先运行")])
def test_a_database_without_tables_says_to_migrate_it_in_the_users_language(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], database_url: str, lang: str, said: str
) -> None:
    engine = create_engine(database_url)
    with engine.begin() as conn:  # as if never migrated: the first table `stats` reads is missing
        cascade = " CASCADE" if engine.dialect.name == "postgresql" else ""
        conn.execute(text(f"DROP TABLE organizations{cascade}"))
    engine.dispose()
    get_settings.cache_clear()
    monkeypatch.setenv("TECHBRIDGE_DATABASE_URL", database_url)
    monkeypatch.setenv("TECHBRIDGE_LANG", lang)
    try:
        assert run_main(monkeypatch, "stats") == 1
    finally:
        get_settings.cache_clear()
    err = capsys.readouterr().err
    assert err.startswith("错误：" if lang == "zh" else "error: ")
    assert said in err
    assert err.count("\n") == 1  # one line, no traceback
