"""Stored candidate pools: one row per enterprise and policy, and one evaluation state per enterprise."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, DateTime, Float, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from techbridge.db import Base
from techbridge.models.base import utcnow


class TierPoolEntry(Base):
    """Where one enterprise stands under one policy on the pool date: verdict, score, closeness and detail."""

    __tablename__ = "tier_pool_entries"
    __table_args__ = (
        UniqueConstraint("organization_id", "policy"),
        # pages in sort order, filtered by policy and verdict, by policy, or not at all; counts from the index alone
        Index("ix_tier_pool_entries_policy_verdict_closeness", "policy", "verdict", "closeness", "organization_id"),
        Index("ix_tier_pool_entries_policy_verdict_score", "policy", "verdict", "score", "organization_id"),
        Index("ix_tier_pool_entries_policy_closeness", "policy", "closeness", "organization_id"),
        Index("ix_tier_pool_entries_closeness", "closeness", "organization_id"),
        Index("ix_tier_pool_entries_counts", "policy", "verdict", "as_of", "region_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    policy: Mapped[str] = mapped_column(String(32))
    version: Mapped[str | None] = mapped_column(String(16))
    as_of: Mapped[date] = mapped_column(Date)
    verdict: Mapped[str] = mapped_column(String(16))
    score: Mapped[float | None] = mapped_column(Float)
    closeness: Mapped[float] = mapped_column(Float)
    region_code: Mapped[str | None] = mapped_column(String(12), index=True)
    clusters: Mapped[str] = mapped_column(String(512), default="")
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class TierPoolState(Base):
    """When an enterprise's pool entries were computed, for which date, and whether a change made them stale."""

    __tablename__ = "tier_pool_states"

    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True)
    as_of: Mapped[date] = mapped_column(Date, index=True)
    dirty: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    error: Mapped[str] = mapped_column(String(512), default="")
    evaluated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
