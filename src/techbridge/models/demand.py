"""Enterprise technology demands (技术需求)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import JSON, Date, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from techbridge.db import Base
from techbridge.models.base import RecordMixin


class DemandStatus(StrEnum):
    """Life of a demand."""

    OPEN = "open"
    MATCHED = "matched"
    CLOSED = "closed"


class Demand(RecordMixin, Base):
    """An enterprise's technical problem or need, with budget, deadline and status."""

    __tablename__ = "demands"
    __table_args__ = (
        UniqueConstraint("source_dataset", "source_key"),
        Index("ix_demands_visibility_deadline", "visibility", "deadline"),  # migration 0005
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text, default="")
    field_tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    budget: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))  # 万元
    deadline: Mapped[date | None] = mapped_column(Date)
    status: Mapped[DemandStatus] = mapped_column(String(16), default=DemandStatus.OPEN, index=True)
    region_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"), index=True)
