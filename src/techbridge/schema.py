"""Schema migrations driven from code: `techbridge db upgrade`, the tests and `make run` all call this."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

REPO_ROOT = Path(__file__).resolve().parents[2]


def alembic_config(url: str) -> Config:
    """An Alembic config for the repository's migrations, pointed at `url`."""
    config = Config(str(REPO_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(REPO_ROOT / "migrations"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade_schema(url: str, revision: str = "heads") -> None:
    """Migrate the database at `url` to `revision` (default: every head)."""
    command.upgrade(alembic_config(url), revision)


def current_revisions(url: str) -> set[str]:
    """Revisions the database at `url` is stamped with."""
    from alembic.runtime.migration import MigrationContext

    from techbridge.db import make_engine

    engine = make_engine(url)
    with engine.connect() as conn:
        heads = set(MigrationContext.configure(conn).get_current_heads())
    engine.dispose()
    return heads
