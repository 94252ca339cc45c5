"""PostgreSQL test support: migrate one template database once, then copy it per test (CREATE DATABASE … TEMPLATE)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from techbridge.schema import upgrade_schema

SEQUENCE_START = 1_000_000


def _url_for(admin_url: str, name: str) -> str:
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def _start_sequences_high(url: str) -> None:
    """Test seeds insert small explicit ids (as SQLite allows); generated ids start far above them."""
    engine = create_engine(url)
    with engine.begin() as conn:
        names = conn.execute(text("SELECT sequence_name FROM information_schema.sequences")).scalars().all()
        for name in names:
            conn.execute(text(f'ALTER SEQUENCE "{name}" RESTART WITH {SEQUENCE_START}'))
    engine.dispose()


@lru_cache(maxsize=1)
def template_database(admin_url: str) -> str:
    """Name of a database migrated to head once per test session."""
    name = f"tb_template_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = _url_for(admin_url, name)
    upgrade_schema(url)
    _start_sequences_high(url)
    from techbridge.db import dispose_engines

    dispose_engines()
    return name


@contextmanager
def fresh_pg_database(admin_url: str) -> Iterator[str]:
    """Copy the migrated template into a new database, yield its URL, drop it."""
    template = template_database(admin_url)
    name = f"tb_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    try:
        yield _url_for(admin_url, name)
    finally:
        from techbridge.db import dispose_engines

        dispose_engines()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
