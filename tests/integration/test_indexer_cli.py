"""`techbridge indexer run|status` through the CLI on a real database."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from techbridge.cli.app import app
from techbridge.config import Settings, get_settings
from techbridge.db import session_scope
from techbridge.jobs.outbox import request_refresh
from tests.unit.matching.seed import seed_registry

runner = CliRunner()


def _invoke(settings: Settings, *args: str) -> object:
    env = {
        "TECHBRIDGE_DATABASE_URL": settings.database_url,
        "TECHBRIDGE_VAR_DIR": str(settings.var_dir),
        "TECHBRIDGE_JOB_NICENESS": "0",  # the CLI runs in the test process: keep its priority
    }
    get_settings.cache_clear()
    result = runner.invoke(app, list(args), env=env)
    get_settings.cache_clear()
    return result


class TestIndexerCommands:
    def test_run_once_catches_up_and_status_shows_nothing_behind(self, settings: Settings) -> None:
        with session_scope(settings.database_url) as session:
            seed_registry(session)
            request_refresh(session=session)
        behind = _invoke(settings, "indexer", "status", "--json")
        assert json.loads(behind.output)["behind"] == 1  # type: ignore[attr-defined]
        result = _invoke(settings, "indexer", "run", "--once", "--no-embed")
        assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
        assert "1 rebuilds" in result.output  # type: ignore[attr-defined]
        status = json.loads(_invoke(settings, "indexer", "status", "--json").output)  # type: ignore[attr-defined]
        assert status["behind"] == 0
        assert status["lexical_version"]
