"""Selects of the background jobs: outbox events after a cursor, late-committed ones below it, the newest id."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from techbridge.models import OutboxEvent


def events_after(session: Session, after: int, limit: int) -> list[OutboxEvent]:
    """The first `limit` events with an id above `after`, in id order."""
    stmt = select(OutboxEvent).where(OutboxEvent.id > after).order_by(OutboxEvent.id).limit(limit)
    return list(session.scalars(stmt))


def recent_events_upto(session: Session, upto: int, since: datetime) -> list[OutboxEvent]:
    """Events at or below `upto` created at or after `since`: the ones that may have committed after a later id."""
    stmt = select(OutboxEvent).where(OutboxEvent.id <= upto, OutboxEvent.created_at >= since).order_by(OutboxEvent.id)
    return list(session.scalars(stmt))


def latest_event_id(session: Session) -> int:
    """The highest event id so far (0 for an empty outbox)."""
    return int(session.scalar(select(func.max(OutboxEvent.id))) or 0)


def count_events_after(session: Session, after: int) -> int:
    """How many events have an id above `after` (ids are not dense: sequences skip)."""
    return int(session.scalar(select(func.count(OutboxEvent.id)).where(OutboxEvent.id > after)) or 0)
