"""Technology achievements (科技成果) and their owners (organizations and experts)."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from techbridge.db import Base
from techbridge.models.base import RecordMixin


class AchievementKind(StrEnum):
    """What kind of result an achievement is."""

    PATENT = "patent"
    PAPER = "paper"
    TECHNOLOGY = "technology"
    SOFTWARE = "software"
    VARIETY = "variety"
    STANDARD = "standard"


class TransferMode(StrEnum):
    """How an owner offers an achievement: 转让, 许可, 作价入股, 合作开发."""

    ASSIGNMENT = "transfer"
    LICENSE = "license"
    EQUITY = "equity"
    CO_DEVELOPMENT = "co_development"


class Achievement(RecordMixin, Base):
    """A transferable result: patent, paper, technology package, software, variety or standard."""

    __tablename__ = "achievements"
    __table_args__ = (
        UniqueConstraint("source_dataset", "source_key"),
        CheckConstraint("trl IS NULL OR (trl >= 1 AND trl <= 9)", name="trl_range"),
        # portal list indexes led by visibility (migration 0005, measured in docs/benchmarks.md)
        Index("ix_achievements_kind_visibility_year", "kind", "visibility", "year"),
        Index("ix_achievements_visibility_year", "visibility", "year"),
        Index("ix_achievements_visibility_title", "visibility", "title"),
        Index("ix_achievements_visibility_trl", "visibility", "trl"),
        Index("ix_achievements_visibility_region_code", "visibility", "region_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[AchievementKind] = mapped_column(String(16), index=True)
    title: Mapped[str] = mapped_column(String(512))
    abstract: Mapped[str] = mapped_column(Text, default="")
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    ipc_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    field_tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    trl: Mapped[int | None] = mapped_column(Integer)
    year: Mapped[int | None] = mapped_column(Integer, index=True)
    transfer_modes: Mapped[list[str]] = mapped_column(JSON, default=list)
    price: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))  # 万元
    region_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"), index=True)


class AchievementOwner(Base):
    """Links an achievement to an owning organization or expert (exactly one of the two)."""

    __tablename__ = "achievement_owners"
    __table_args__ = (CheckConstraint("(organization_id IS NULL) <> (expert_id IS NULL)", name="one_owner"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    achievement_id: Mapped[int] = mapped_column(ForeignKey("achievements.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    expert_id: Mapped[int | None] = mapped_column(ForeignKey("experts.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(32), default="owner")
