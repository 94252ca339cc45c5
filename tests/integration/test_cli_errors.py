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
    monkeypatch.setenv("TECHBRIDGE_LANG", "en")
    assert run_main(monkeypatch, *argv) == 2
    err = capsys.readouterr().err
    assert said in err
    assert "Usage: " in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (("no-such-command",), "错误：没有命令 no-such-command（用法见 "),
        (("search", "query"), "错误：缺少参数 text（"),
        (("stats", "--bogus"), "错误：没有选项 --bogus（"),
        (("tiers", "pool"), "错误：没有命令 pool，是否想输入 pools？（"),
        (("metrics", "turnover"), "错误：缺少选项 --region（"),
        (("audit", "--since", "x"), "错误：--since 的值无效："),
    ],
)
def test_a_usage_error_is_one_chinese_line_for_a_zh_user(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], argv: tuple[str, ...], said: str
) -> None:
    monkeypatch.setenv("TECHBRIDGE_LANG", "zh")
    assert run_main(monkeypatch, *argv) == 2
    err = capsys.readouterr().err
    assert err.startswith(said)
    assert err.count("\n") == 1
    assert err.rstrip().endswith("--help`）")


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
