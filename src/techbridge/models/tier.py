"""Enterprise facts for the tier engine: one current value per enterprise and fact id, with provenance."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from techbridge.db import Base
from techbridge.models.base import utcnow


class EnterpriseFact(Base):
    """A fact of tiers.md about one enterprise: its JSON value, the year it is as of, its source and who entered it."""

    __tablename__ = "enterprise_facts"
    __table_args__ = (UniqueConstraint("organization_id", "fact"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    fact: Mapped[str] = mapped_column(String(64), index=True)
    value: Mapped[Any] = mapped_column(JSON, nullable=True)
    year: Mapped[int | None] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(255), default="")
    entered_by: Mapped[str] = mapped_column(String(128), default="")
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
