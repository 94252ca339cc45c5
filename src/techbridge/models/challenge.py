"""揭榜挂帅 challenges: the published task, applications by teams, and the chosen team's milestones."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, Date, DateTime, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from techbridge.db import Base
from techbridge.models.base import utcnow
from techbridge.models.transfer import Wan


class ChallengeStatus(StrEnum):
    """Life of a challenge."""

    OPEN = "open"
    AWARDED = "awarded"
    ACCEPTED = "accepted"
    CLOSED = "closed"


class ApplicationStatus(StrEnum):
    """Life of an application."""

    SUBMITTED = "submitted"
    CHOSEN = "chosen"
    DECLINED = "declined"


class MilestoneStatus(StrEnum):
    """Life of a milestone of the chosen team."""

    PENDING = "pending"
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class Challenge(Base):
    """A published key-technology task (榜单): goal, indicators, budget, deadline, field and chain link."""

    __tablename__ = "challenges"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(255))
    goal: Mapped[str] = mapped_column(Text, default="")
    indicators: Mapped[list[str]] = mapped_column(JSON, default=list)
    budget: Mapped[Decimal | None] = mapped_column(Wan())
    deadline: Mapped[date | None] = mapped_column(Date)
    field: Mapped[str] = mapped_column(String(64), default="", index=True)
    chain_node_id: Mapped[int | None] = mapped_column(ForeignKey("chain_nodes.id", ondelete="SET NULL"))
    chain_link: Mapped[str] = mapped_column(String(255), default="")
    publisher_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    publisher_org_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id", ondelete="SET NULL"))
    publisher_name: Mapped[str] = mapped_column(String(255), default="")
    status: Mapped[ChallengeStatus] = mapped_column(String(16), default=ChallengeStatus.OPEN, index=True)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ChallengeApplication(Base):
    """A team's application (揭榜): who, plan, the achievements and experts offered, and its ranking."""

    __tablename__ = "challenge_applications"

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenges.id", ondelete="CASCADE"), index=True)
    applicant_org_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id", ondelete="SET NULL"))
    applicant_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    team_name: Mapped[str] = mapped_column(String(255))
    plan: Mapped[str] = mapped_column(Text, default="")
    achievement_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    expert_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    status: Mapped[ApplicationStatus] = mapped_column(String(16), default=ApplicationStatus.SUBMITTED)
    score: Mapped[float | None] = mapped_column(Float)
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Milestone(Base):
    """A milestone of the chosen team, tracked to acceptance."""

    __tablename__ = "challenge_milestones"

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenges.id", ondelete="CASCADE"), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("challenge_applications.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer, default=1)
    title: Mapped[str] = mapped_column(String(255))
    due_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[MilestoneStatus] = mapped_column(String(16), default=MilestoneStatus.PENDING)
    note: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
