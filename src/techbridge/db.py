"""Database plumbing: declarative Base, engine construction (SQLite WAL + FKs), and the one commit point."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import MetaData, create_engine, event, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

MAX_INT = 2**31 - 1
"""The largest value of an INTEGER column on PostgreSQL (ids, years, counts): larger input is refused before a query."""

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base of every ORM class, with a constraint naming convention for migrations."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def make_engine(url: str) -> Engine:
    """Build an engine; SQLite files get WAL, foreign keys and a busy timeout, and their folder is created."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    engine = create_engine(url, pool_pre_ping=True)
    event.listen(engine, "before_cursor_execute", _without_nul, retval=True)
    return engine


def _without_nul(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> Any:
    """PostgreSQL refuses text holding NUL (0x00), which SQLite stores: drop it from string parameters, so typed
    input such as a search for "a\x00b" is an ordinary query on both stores instead of a server error."""
    return statement, _clean(parameters)


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("\x00", "") if "\x00" in value else value
    if isinstance(value, dict):
        return {key: _clean(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_clean(item) for item in value)
    return value


def is_sqlite(engine: Engine) -> bool:
    """Whether the engine talks to SQLite (the embedded default)."""
    return engine.dialect.name == "sqlite"


_factories: dict[str, sessionmaker[Session]] = {}


def get_engine(url: str) -> Engine:
    """The process-wide engine for `url` (one pool per URL)."""
    factory = _factories.get(url)
    if factory is None:
        factory = sessionmaker(bind=make_engine(url), expire_on_commit=False)
        _factories[url] = factory
    bind = factory.kw["bind"]
    assert isinstance(bind, Engine)
    return bind


@contextmanager
def session_scope(url: str) -> Iterator[Session]:
    """A session that commits once on success and rolls back on any error: the only commit point."""
    get_engine(url)
    session = _factories[url]()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def analyze(url: str) -> None:
    """Refresh the planner's statistics after a bulk load (ANALYZE on SQLite and PostgreSQL alike)."""
    engine = get_engine(url)
    with engine.connect() as conn:
        conn.execute(text("ANALYZE"))
        conn.commit()


def schema_missing(exc: BaseException) -> bool:
    """Whether a database error says a table does not exist: the database was never migrated."""
    orig = getattr(exc, "orig", None)
    if getattr(orig, "sqlstate", None) == "42P01":  # PostgreSQL's undefined_table
        return True
    return "no such table" in str(orig if orig is not None else exc)  # SQLite's wording


def dispose_engines() -> None:
    """Close every pooled connection (tests and the CLI call this on exit)."""
    for factory in _factories.values():
        bind = factory.kw["bind"]
        if isinstance(bind, Engine):
            bind.dispose()
    _factories.clear()
