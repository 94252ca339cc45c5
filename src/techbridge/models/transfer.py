"""Transfer pipeline and technology contracts: cases and their events, contracts (parties, payment milestones,
achievements involved) and the capacities pilot bases publish.

Money is stored exactly as integer 分 (1 万元 = 1,000,000 分) through the `Wan` column type, so sums in SQL are exact
on SQLite too; Python sees Decimal 万元.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from techbridge.db import Base
from techbridge.models.base import utcnow

FEN_PER_WAN = Decimal(1_000_000)


class Wan(TypeDecorator[Decimal]):
    """An amount in 万元 held as an exact integer number of 分."""

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> int | None:
        """万元 → 分; refuses sub-分 precision rather than rounding silently."""
        if value is None:
            return None
        fen = Decimal(value) * FEN_PER_WAN
        if fen != fen.to_integral_value():
            raise ValueError(f"{value} 万元 has more precision than 1 分")
        return int(fen)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        """分 → 万元."""
        if value is None:
            return None
        return Decimal(int(value)) / FEN_PER_WAN


class Stage(StrEnum):
    """Pipeline stages in order, plus the terminal `closed`."""

    MATCHED = "matched"
    CONTACTED = "contacted"
    NEGOTIATING = "negotiating"
    CONTRACTED = "contracted"
    PILOTING = "piloting"
    PRODUCING = "producing"
    CLOSED = "closed"


OPEN_STAGES: tuple[Stage, ...] = tuple(stage for stage in Stage if stage is not Stage.CLOSED)
"""Every stage but `closed`, in pipeline order: the stages a case moves through (the one spelling of that set)."""


class EventKind(StrEnum):
    """What a transfer event records."""

    CREATED = "created"
    ADVANCED = "advanced"
    SKIPPED = "skipped"
    CLOSED = "closed"
    NOTE = "note"


class TransferCase(Base):
    """A match being carried to production: an achievement (or a demand), a counterpart, a broker and a stage."""

    __tablename__ = "transfer_cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(255))
    achievement_id: Mapped[int | None] = mapped_column(ForeignKey("achievements.id", ondelete="SET NULL"), index=True)
    demand_id: Mapped[int | None] = mapped_column(ForeignKey("demands.id", ondelete="SET NULL"), index=True)
    counterpart_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id", ondelete="SET NULL"), index=True)
    counterpart_name: Mapped[str] = mapped_column(String(255), default="")
    broker_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    stage: Mapped[Stage] = mapped_column(String(16), default=Stage.MATCHED, index=True)
    stage_entered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_open_stage: Mapped[Stage] = mapped_column(String(16), default=Stage.MATCHED)
    closing_reason: Mapped[str | None] = mapped_column(String(32), index=True)
    field: Mapped[str] = mapped_column(String(64), default="", index=True)
    city_code: Mapped[str | None] = mapped_column(String(6), index=True)
    owner_kind: Mapped[str | None] = mapped_column(String(16))
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    party_ids: Mapped[list[int]] = mapped_column(JSON, default=list)  # users of a 对接 request (migration 0015)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class TransferEvent(Base):
    """One change of a case: who, when, from which stage to which, and a note (skips and closings need one)."""

    __tablename__ = "transfer_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("transfer_cases.id", ondelete="CASCADE"), index=True)
    kind: Mapped[EventKind] = mapped_column(String(16))
    from_stage: Mapped[Stage | None] = mapped_column(String(16))
    to_stage: Mapped[Stage | None] = mapped_column(String(16))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor_name: Mapped[str] = mapped_column(String(128), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    reason: Mapped[str | None] = mapped_column(String(32))
    skipped: Mapped[list[str]] = mapped_column(JSON, default=list)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)


class Contract(Base):
    """A registered technology contract: type, seller and buyer with their regions, both amounts, dates, field.

    Party regions and kinds are stored on the contract as registered (they decide the metrics); the party ids link
    to the registry when entity resolution found the organization.
    """

    __tablename__ = "contracts"
    __table_args__ = (
        UniqueConstraint("contract_no"),
        CheckConstraint("contract_value >= 0", name="value_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_no: Mapped[str] = mapped_column(String(64))
    registration_no: Mapped[str | None] = mapped_column(String(64))
    type: Mapped[str] = mapped_column(String(16), index=True)
    seller_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id", ondelete="SET NULL"), index=True)
    seller_name: Mapped[str] = mapped_column(String(255), default="")
    seller_credit_code: Mapped[str | None] = mapped_column(String(18))
    seller_region_code: Mapped[str] = mapped_column(String(6), index=True)
    seller_kind: Mapped[str] = mapped_column(String(16), index=True)
    buyer_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id", ondelete="SET NULL"), index=True)
    buyer_name: Mapped[str] = mapped_column(String(255), default="")
    buyer_credit_code: Mapped[str | None] = mapped_column(String(18))
    buyer_region_code: Mapped[str] = mapped_column(String(6), index=True)
    buyer_kind: Mapped[str | None] = mapped_column(String(16))
    contract_value: Mapped[Decimal] = mapped_column(Wan())
    technology_income: Mapped[Decimal | None] = mapped_column(Wan())
    signed_on: Mapped[date | None] = mapped_column(Date)
    registered_on: Mapped[date] = mapped_column(Date, index=True)
    field: Mapped[str] = mapped_column(String(64), default="", index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("transfer_cases.id", ondelete="SET NULL"), index=True)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    source_file: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ContractAchievement(Base):
    """An achievement a contract transfers, licenses or develops."""

    __tablename__ = "contract_achievements"
    __table_args__ = (UniqueConstraint("contract_id", "achievement_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"), index=True)
    achievement_id: Mapped[int] = mapped_column(ForeignKey("achievements.id", ondelete="CASCADE"), index=True)


class PaymentMilestone(Base):
    """A payment due under a contract, and when it was paid."""

    __tablename__ = "contract_milestones"

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(255))
    amount: Mapped[Decimal | None] = mapped_column(Wan())
    due_on: Mapped[date | None] = mapped_column(Date)
    paid_on: Mapped[date | None] = mapped_column(Date)


class PilotCapacity(Base):
    """What a pilot base (中试基地, a carrier organization) offers: fields, TRL range, equipment, price."""

    __tablename__ = "pilot_capacities"
    __table_args__ = (CheckConstraint("trl_min >= 1 AND trl_max <= 9 AND trl_min <= trl_max", name="trl_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    fields: Mapped[list[str]] = mapped_column(JSON, default=list)
    trl_min: Mapped[int] = mapped_column(Integer, default=4)
    trl_max: Mapped[int] = mapped_column(Integer, default=7)
    equipment: Mapped[str] = mapped_column(Text, default="")
    price: Mapped[str] = mapped_column(String(255), default="")
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)


class ContractRollup(Base):
    """Pre-aggregated contracts the dashboard reads instead of scanning every contract (refreshed on each write).

    The seller city is the city key of `metrics.city_of` (2101; 11 for all of 北京; 429004 for 仙桃), or the seller's
    province code when its code lies in no city (210000), so a province prefix and a city key both select by prefix.
    grain `rate`: per (seller city, seller kind, quarter, buyer in the same city?, buyer in the same province?);
    grain `mix`: per (seller city, seller kind, quarter, type, field); grain `flow`: per (seller city, seller kind,
    quarter, seller province, buyer province). The index on (is_demo, grain, seller_kind, quarter) lets the
    dashboard read one grain and sum a filtered one without scanning the others.
    """

    __tablename__ = "contract_rollups"
    __table_args__ = (Index("ix_contract_rollups_grain_kind_quarter", "is_demo", "grain", "seller_kind", "quarter"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    is_demo: Mapped[bool] = mapped_column(Boolean, index=True)
    grain: Mapped[str] = mapped_column(String(8))
    seller_city: Mapped[str] = mapped_column(String(6), default="")  # city key (metrics.city_of), else province
    seller_kind: Mapped[str] = mapped_column(String(16), default="")
    quarter: Mapped[int] = mapped_column(Integer, default=0)
    same_city: Mapped[bool] = mapped_column(Boolean, default=False)
    same_province: Mapped[bool] = mapped_column(Boolean, default=False)
    type: Mapped[str] = mapped_column(String(16), default="")
    field: Mapped[str] = mapped_column(String(64), default="")
    seller_province: Mapped[str] = mapped_column(String(2), default="")
    buyer_province: Mapped[str] = mapped_column(String(2), default="")
    n: Mapped[int] = mapped_column(Integer)
    value: Mapped[Decimal] = mapped_column(Wan())
    income: Mapped[Decimal | None] = mapped_column(Wan())
    n_income: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # contracts with verified income
    source_max_id: Mapped[int] = mapped_column(Integer, default=0)  # newest contract id covered: staleness check
