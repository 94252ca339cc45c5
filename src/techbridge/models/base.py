"""Columns every registry record carries: owner, visibility, timestamps and provenance."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, declared_attr, mapped_column


def utcnow() -> datetime:
    """Timezone-aware now, the default of every timestamp column."""
    return datetime.now(UTC)


class Visibility(StrEnum):
    """Who may read a record: anyone, any signed-in user, or only its owner (and officers/admins)."""

    PUBLIC = "public"
    REGISTERED = "registered"
    OWNER = "owner"


class RecordMixin:
    """Owner, visibility, created/updated time and provenance (dataset, file, row or source id)."""

    @declared_attr
    def owner_id(cls) -> Mapped[int | None]:
        return mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True, index=True)

    visibility: Mapped[Visibility] = mapped_column(String(16), default=Visibility.PUBLIC, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    source_dataset: Mapped[str | None] = mapped_column(String(64), index=True)
    source_file: Mapped[str | None] = mapped_column(String(255))
    source_key: Mapped[str | None] = mapped_column(String(255))
