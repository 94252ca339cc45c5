"""Organizations (enterprises, universities, institutes, carriers) and their aliases."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from techbridge.db import Base
from techbridge.models.base import RecordMixin


class OrgKind(StrEnum):
    """What an organization is."""

    ENTERPRISE = "enterprise"
    UNIVERSITY = "university"
    INSTITUTE = "institute"
    CARRIER = "carrier"


class CarrierType(StrEnum):
    """Kinds of carrier (载体): science park, incubator, maker space, pilot base, service centre."""

    SCIENCE_PARK = "science_park"
    INCUBATOR = "incubator"
    MAKER_SPACE = "maker_space"
    PILOT_BASE = "pilot_base"
    SERVICE_CENTRE = "service_centre"


class Organization(RecordMixin, Base):
    """An enterprise, university, institute or carrier; identified by credit code where known."""

    __tablename__ = "organizations"
    __table_args__ = (
        UniqueConstraint("source_dataset", "source_key"),
        # portal list indexes led by visibility (migration 0005)
        Index("ix_organizations_kind_visibility_name", "kind", "visibility", "name"),
        Index("ix_organizations_kind_visibility_founded_on", "kind", "visibility", "founded_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[OrgKind] = mapped_column(String(16), index=True)
    carrier_type: Mapped[CarrierType | None] = mapped_column(String(24))
    name: Mapped[str] = mapped_column(String(255), index=True)
    normalized_name: Mapped[str] = mapped_column(String(255), index=True)
    short_name: Mapped[str | None] = mapped_column(String(128))
    credit_code: Mapped[str | None] = mapped_column(String(18), unique=True)
    region_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"), index=True)
    province_code: Mapped[str | None] = mapped_column(String(2), index=True)
    industry_codes: Mapped[list[str]] = mapped_column(JSON, default=list)  # GB/T 4754-2017
    shenwan_industries: Mapped[list[str]] = mapped_column(JSON, default=list)
    founded_on: Mapped[date | None] = mapped_column(Date)
    listing_code: Mapped[str | None] = mapped_column(String(16), index=True)
    website: Mapped[str | None] = mapped_column(String(255))
    address: Mapped[str | None] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text, default="")
    employees: Mapped[int | None] = mapped_column(Integer)
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class OrganizationAlias(Base):
    """Another name of an organization (short name, former name, English name), normalized for lookup."""

    __tablename__ = "organization_aliases"
    __table_args__ = (UniqueConstraint("organization_id", "alias"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    alias: Mapped[str] = mapped_column(String(255))
    normalized: Mapped[str] = mapped_column(String(255), index=True)
