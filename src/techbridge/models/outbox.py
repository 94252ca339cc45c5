"""The outbox: one generic event per registry change, written in the same transaction as the change.

Consumers (the search indexer, later the alerts) read events in id order with their own cursor; an event names
the entity, the record and the operation, never what a consumer should do with it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from techbridge.db import Base
from techbridge.models.base import utcnow


class OutboxEvent(Base):
    """A change to one record ("achievement", 12, "update"), or to many at once (record_id None, op "refresh")."""

    __tablename__ = "outbox_events"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True)
    entity: Mapped[str] = mapped_column(String(32))
    record_id: Mapped[int | None] = mapped_column(BigInteger)
    op: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
