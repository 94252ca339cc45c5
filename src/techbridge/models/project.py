"""Funded research projects (科研项目): a grant with its principal investigator and host institution."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import ForeignKey, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from techbridge.db import Base
from techbridge.models.base import RecordMixin


class ResearchProject(RecordMixin, Base):
    """A funded project (NSFC and the like): title, funding type, amount in 万元, years, PI and host institution.

    A record of its own rather than an Achievement: a grant is evidence of an expert's expertise, not a result
    offered for transfer, so it stays out of achievement lists, counts and chain coverage."""

    __tablename__ = "research_projects"
    __table_args__ = (UniqueConstraint("source_dataset", "source_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    approval_no: Mapped[str] = mapped_column(String(32), index=True)
    title: Mapped[str] = mapped_column(String(512))
    funder: Mapped[str] = mapped_column(String(64), default="")
    project_type: Mapped[str] = mapped_column(String(64), default="")
    amount_wan: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    start_year: Mapped[int | None] = mapped_column(Integer, index=True)
    end_year: Mapped[int | None] = mapped_column(Integer)
    evaluation: Mapped[str] = mapped_column(String(32), default="")
    expert_id: Mapped[int | None] = mapped_column(ForeignKey("experts.id", ondelete="SET NULL"), index=True)
    institution_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id", ondelete="SET NULL"), index=True)
    institution_name: Mapped[str] = mapped_column(String(255), default="")
