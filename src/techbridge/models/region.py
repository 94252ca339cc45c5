"""Administrative regions: province, city, county (NBS codes) plus special regions such as 沈抚示范区."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from techbridge.db import Base


class RegionLevel(StrEnum):
    """Level of an administrative division."""

    PROVINCE = "province"
    CITY = "city"
    COUNTY = "county"


class Region(Base):
    """One administrative division, keyed by its official code (2 / 4 / 6 digits)."""

    __tablename__ = "regions"

    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    name: Mapped[str] = mapped_column(String(64), index=True)
    level: Mapped[RegionLevel] = mapped_column(String(16), index=True)
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"), nullable=True, index=True)
    is_official: Mapped[bool] = mapped_column(default=True)
