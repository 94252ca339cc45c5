"""Shared fixtures: a real migrated SQLite database per test (copied from a template), settings, sessions."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from techbridge.config import Settings
from techbridge.db import dispose_engines, session_scope
from techbridge.schema import upgrade_schema

SHARED_DATA = Path(os.environ.get("TECHBRIDGE_DATA_DIR", Path(__file__).resolve().parents[2] / "shared" / "data"))
PG_URL = os.environ.get("TECHBRIDGE_TEST_DATABASE_URL")


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once with `alembic upgrade heads`; tests copy it."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade_schema(f"sqlite:///{path}")
    dispose_engines()
    return path


@pytest.fixture
def database_url(tmp_path: Path, template_db: Path) -> Iterator[str]:
    """URL of a fresh migrated database for this test (PostgreSQL when TECHBRIDGE_TEST_DATABASE_URL is set)."""
    if PG_URL:
        from tests.pg import fresh_pg_database

        with fresh_pg_database(PG_URL) as url:
            yield url
        dispose_engines()
        return
    path = tmp_path / "techbridge.db"
    shutil.copyfile(template_db, path)
    yield f"sqlite:///{path}"
    dispose_engines()


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """Settings pointing at the test database, a temporary var dir and the shared data dir."""
    return Settings(
        env="test",
        database_url=database_url,
        var_dir=tmp_path / "var",
        data_dir=SHARED_DATA,
        secret_key="test-secret",
        demo_data=False,
    )


@pytest.fixture
def session(settings: Settings) -> Iterator[Session]:
    """A session on the test database, committed at the end of the test body."""
    with session_scope(settings.database_url) as s:
        yield s


def has_shared_data() -> bool:
    """Whether ../shared/data is present (integration tests on real data need it)."""
    return (SHARED_DATA / "README.md").exists()


requires_shared_data = pytest.mark.skipif(not has_shared_data(), reason="../shared/data not present")
