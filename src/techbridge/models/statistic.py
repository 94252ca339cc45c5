"""Official statistics (yearbook tables): one published figure per region, year, flow and measure, with unit and
source. Kept apart from figures computed from the registry's own records."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from techbridge.db import Base
from techbridge.models.base import RecordMixin


class Flow(StrEnum):
    """Which way a technology-market figure counts: by the seller's region (输出) or the buyer's (吸纳)."""

    OUTFLOW = "outflow"
    INFLOW = "inflow"


class Measure(StrEnum):
    """What is counted: contracts (项) or turnover (万元)."""

    CONTRACTS = "contracts"
    VALUE = "value"


class OfficialStatistic(RecordMixin, Base):
    """One published figure: region (name as published, code when it is a province), year, flow, measure, value."""

    __tablename__ = "official_statistics"
    __table_args__ = (
        UniqueConstraint("source_dataset", "source_key"),
        Index("ix_official_statistics_region_year", "region_name", "year"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    topic: Mapped[str] = mapped_column(String(64), index=True)
    region_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"), index=True)
    region_name: Mapped[str] = mapped_column(String(64))
    region_level: Mapped[str] = mapped_column(String(16))
    year: Mapped[int] = mapped_column(Integer)
    flow: Mapped[Flow] = mapped_column(String(16))
    measure: Mapped[Measure] = mapped_column(String(16))
    unit: Mapped[str] = mapped_column(String(16))
    value: Mapped[Decimal] = mapped_column(Numeric(20, 4))
    source: Mapped[str] = mapped_column(String(512))
