"""A probe for background jobs on SQLite: before chosen statements of the job, another connection tries to take the
database's write lock at once (no busy wait). A job that commits per batch leaves it free between batches; a job
holding one transaction across its batches makes the probe fail."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url

from techbridge.db import get_engine


@dataclass
class WriteLockProbe:
    """How often the write lock was free (`free`) or held by the job (`held`) when the probe tried."""

    free: int = 0
    held: int = 0
    errors: list[str] = field(default_factory=list)


@contextmanager
def probe_write_lock(url: str, before: Callable[[str], bool]) -> Iterator[WriteLockProbe]:
    """Try `BEGIN IMMEDIATE` on a second connection before every statement of the job's engine that `before`
    picks (by its SQL text)."""
    path = make_url(url).database
    assert path, "a file database"
    other = sqlite3.connect(path, timeout=0, isolation_level=None, check_same_thread=False)
    probe = WriteLockProbe()

    def listener(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not before(statement):
            return
        try:
            other.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            probe.held += 1
            probe.errors.append(str(exc))
        else:
            other.execute("ROLLBACK")
            probe.free += 1

    engine = get_engine(url)
    event.listen(engine, "before_cursor_execute", listener)
    try:
        yield probe
    finally:
        event.remove(engine, "before_cursor_execute", listener)
        other.close()
