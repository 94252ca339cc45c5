"""Back up and restore the configured database as one file.

SQLite: `sqlite3.Connection.backup`, a consistent copy taken while the portal keeps serving (WAL readers and
writers go on); restoring copies the file back page by page into the live database. PostgreSQL: `pg_dump -Fc`
and `pg_restore --clean --if-exists --single-transaction` (a failed restore leaves the database as it was). The
password never appears on a command line (it goes through PGPASSWORD). Stop the web workers and the indexer
before a restore; after it, the indexer rebuilds this host's index (its position is ahead of the restored outbox).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import URL, make_url

from techbridge.errors import ConflictError, InvalidDataError

SQLITE_HEADER = b"SQLite format 3\x00"
PG_DUMP_HEADER = b"PGDMP"


def _sqlite_file(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise InvalidDataError("an in-memory SQLite database has no file to back up", location=("database_url",))
    return Path(url.database)


def _copy_sqlite(source: Path, target: Path) -> None:
    """Copy one SQLite database into another with the online backup API (consistent while others write)."""
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dest:
        src.backup(dest)


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq connection URL without the password, and the environment that carries it."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _run(command: list[str], env: dict[str, str]) -> None:
    if shutil.which(command[0]) is None:
        raise InvalidDataError(f"{command[0]} not found: install the PostgreSQL client", location=(command[0],))
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise InvalidDataError(f"{command[0]} failed: {done.stderr.strip()}", location=(command[0],))


def backup_database(*, url: str, path: Path, overwrite: bool = False) -> Path:
    """Write a backup of the database at `url` to `path` (refused when it exists, unless `overwrite`)."""
    if path.exists() and not overwrite:
        raise ConflictError(f"{path} exists", location=(str(path),), message_zh=f"{path} 已存在")
    path.parent.mkdir(parents=True, exist_ok=True)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        tmp = path.with_name(path.name + ".partial")
        tmp.unlink(missing_ok=True)
        _copy_sqlite(_sqlite_file(parsed), tmp)
        os.replace(tmp, path)
        return path
    target_url, env = _libpq(parsed)
    _run(["pg_dump", "--format=custom", "--no-owner", f"--file={path}", f"--dbname={target_url}"], env)
    return path


def _check_backup(path: Path, header: bytes) -> None:
    if not path.is_file():
        raise InvalidDataError(f"{path} does not exist", location=(str(path),), message_zh=f"找不到文件 {path}")
    with path.open("rb") as handle:
        if handle.read(len(header)) != header:
            raise InvalidDataError(
                f"{path} is not a backup of this kind of database",
                location=(str(path),),
                message_zh=f"{path} 不是此类数据库的备份",
            )


def restore_database(*, url: str, path: Path) -> None:
    """Replace the contents of the database at `url` with the backup at `path`."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        _check_backup(path, SQLITE_HEADER)
        _copy_sqlite(path, _sqlite_file(parsed))
    else:
        _check_backup(path, PG_DUMP_HEADER)
        target_url, env = _libpq(parsed)
        command = ["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction"]
        _run([*command, f"--dbname={target_url}", str(path)], env)
    advance_data_versions(url)


RESTORE_VERSION_JUMP = 1 << 32
"""How far a restore moves every data version forward (more writes than any deployment makes between backups)."""


def advance_data_versions(url: str) -> None:
    """Move the data versions (`models.data_version`) past any value seen before the restore: the backup holds older
    values, which later writes would reach again, and a worker that kept a cache keyed by one of them through the
    restore would then keep serving it."""
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            if inspect(conn).has_table("data_versions"):
                conn.execute(text("UPDATE data_versions SET version = version + :jump"), {"jump": RESTORE_VERSION_JUMP})
    finally:
        engine.dispose()
