"""The outbox: writers record generic change events in their own transaction; each consumer reads them in order.

An event says which record changed and how ("achievement", 12, "update"), or that many did at once ("registry",
None, "refresh", one per import run). A consumer keeps its own cursor (`CursorStore`), so the search indexer of
each host and, later, the alerts read the same events independently. On PostgreSQL a transaction can commit an
event id below one already read; `OutboxReader` therefore re-reads the events of the last LATE_COMMIT_GRACE below
its cursor and hands over the ones it has not seen (consumers apply events idempotently).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Protocol

from sqlalchemy.orm import Session

from techbridge.jobs import queries
from techbridge.models import OutboxEvent
from techbridge.models.base import utcnow
from techbridge.search import index as artifacts

ALL_RECORDS = "registry"
"""The entity of a refresh event: anything in the registry may have changed."""
LATE_COMMIT_GRACE = timedelta(seconds=30)


class Op(StrEnum):
    """What happened to the record."""

    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    REFRESH = "refresh"


def record_change(*, session: Session, entity: str, record_id: int, op: Op) -> OutboxEvent:
    """Add a change event to the session's transaction (it commits or rolls back with the record)."""
    event = OutboxEvent(entity=entity, record_id=record_id, op=str(op))
    session.add(event)
    session.flush()
    return event


def request_refresh(*, session: Session, entity: str = ALL_RECORDS) -> OutboxEvent:
    """One event standing for a bulk change (an import): consumers re-read everything rather than row by row."""
    event = OutboxEvent(entity=entity, record_id=None, op=str(Op.REFRESH))
    session.add(event)
    session.flush()
    return event


class CursorStore(Protocol):
    """Where a consumer keeps the id of the last event it applied."""

    def load(self) -> int:
        """The last applied event id (0 before the first)."""
        ...

    def save(self, position: int) -> None:
        """Remember that every event up to `position` was applied."""
        ...


class FileCursor:
    """A cursor in a file (written atomically)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> int:
        """The stored position, 0 when the file is missing."""
        return artifacts.read_position(self.path)

    def save(self, position: int) -> None:
        """Store the position."""
        self.path.mkdir(parents=True, exist_ok=True)
        artifacts.write_position(self.path, position)


@dataclass
class OutboxReader:
    """One consumer's reading of the outbox: new events after its cursor, plus late commits below it."""

    store: CursorStore
    grace: timedelta = LATE_COMMIT_GRACE
    seen: dict[int, datetime] = field(default_factory=dict)

    def pending(self, session: Session, limit: int) -> list[OutboxEvent]:
        """Events not applied yet, oldest first (at most `limit` new ones, plus any late ones)."""
        after, now = self.store.load(), utcnow()
        self.seen = {i: at for i, at in self.seen.items() if at >= now - 2 * self.grace}
        late = [e for e in queries.recent_events_upto(session, after, now - self.grace) if e.id not in self.seen]
        return late + queries.events_after(session, after, limit)

    def mark_reflected(self, session: Session) -> None:
        """After a full rebuild from the records: the events up to the cursor are in it, none is late any more."""
        now = utcnow()
        for event in queries.recent_events_upto(session, self.store.load(), now - self.grace):
            self.seen[event.id] = now

    def mark_done(self, events: list[OutboxEvent]) -> None:
        """Record the events as applied and advance the cursor past the newest."""
        now = utcnow()
        for event in events:
            self.seen[event.id] = now
        top = max((e.id for e in events), default=0)
        if top > self.store.load():
            self.store.save(top)
