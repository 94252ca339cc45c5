"""`techbridge backup` / `techbridge restore` through the CLI, and the indexer after a restore."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from techbridge.access import Viewer
from techbridge.cli.app import app
from techbridge.config import Settings, get_settings
from techbridge.db import session_scope
from techbridge.jobs import indexer
from techbridge.matching import build
from techbridge.models import Role
from techbridge.registry import service
from techbridge.registry.schemas import AchievementCreate
from tests.registry_seed import make_user
from tests.unit.matching.seed import seed_registry

runner = CliRunner()


def _invoke(settings: Settings, *args: str, answer: str | None = None) -> object:
    env = {"TECHBRIDGE_DATABASE_URL": settings.database_url, "TECHBRIDGE_VAR_DIR": str(settings.var_dir)}
    get_settings.cache_clear()
    result = runner.invoke(app, list(args), env=env, input=answer)
    get_settings.cache_clear()
    return result


class TestBackupRestoreCommands:
    def test_round_trip_and_the_indexer_forgets_what_the_backup_lacks(self, settings: Settings, tmp_path: Path) -> None:
        with session_scope(settings.database_url) as session:
            seed_registry(session)
            viewer_id = make_user(session, "ent1", Role.ENTERPRISE).id
        indexer.run_indexer(settings=settings, embedder=None, once=True)
        path = tmp_path / "tb.backup"
        made = _invoke(settings, "backup", str(path))
        assert made.exit_code == 0, made.output  # type: ignore[attr-defined]
        assert "backup written to" in made.output  # type: ignore[attr-defined]
        with session_scope(settings.database_url) as session:
            later = service.create_achievement(
                session=session,
                viewer=Viewer(user_id=viewer_id, role=Role.ENTERPRISE),
                data=AchievementCreate(title="备份之后的成果"),
            ).id
        indexer.run_indexer(settings=settings, embedder=None, once=True)
        declined = _invoke(settings, "restore", str(path), answer="n\n")
        assert declined.exit_code != 0  # type: ignore[attr-defined]
        restored = _invoke(settings, "restore", str(path), "--yes")
        assert restored.exit_code == 0, restored.output  # type: ignore[attr-defined]
        report = indexer.run_indexer(settings=settings, embedder=None, once=True)
        assert report.rebuilds == 1  # the index was ahead of the restored outbox
        index = build.open_lexical(settings)
        assert index is not None
        assert index.lookup([f"achievement:{later}"]) == []

    def test_existing_file_is_an_error_with_one_line(self, settings: Settings, tmp_path: Path) -> None:
        path = tmp_path / "exists.backup"
        path.write_text("x", encoding="utf-8")
        result = _invoke(settings, "backup", str(path))
        assert result.exit_code != 0  # type: ignore[attr-defined]
        assert path.read_text(encoding="utf-8") == "x"
