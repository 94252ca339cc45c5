"""Every select of the statistics package."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from techbridge.access import Viewer, visibility_clause
from techbridge.models import OfficialStatistic

Row = tuple[str, str | None, int, str, str, str, Decimal, str]


def topic_rows(
    session: Session, *, viewer: Viewer, topic: str, region_code: str | None = None, year: int | None = None
) -> list[Row]:
    """(region_name, region_code, year, flow, measure, unit, value, source) of one topic, oldest year first.

    `region_code` and `year` narrow the rows when given; only rows the viewer may read are returned."""
    columns = (
        OfficialStatistic.region_name,
        OfficialStatistic.region_code,
        OfficialStatistic.year,
        OfficialStatistic.flow,
        OfficialStatistic.measure,
        OfficialStatistic.unit,
        OfficialStatistic.value,
        OfficialStatistic.source,
    )
    stmt = select(*columns).where(OfficialStatistic.topic == topic, visibility_clause(OfficialStatistic, viewer))
    if region_code is not None:
        stmt = stmt.where(OfficialStatistic.region_code == region_code)
    if year is not None:
        stmt = stmt.where(OfficialStatistic.year == year)
    stmt = stmt.order_by(OfficialStatistic.year, OfficialStatistic.region_name)
    return [
        (name, code, int(y), str(flow), str(measure), unit, _plain(value), source)
        for name, code, y, flow, measure, unit, value, source in session.execute(stmt)
    ]


def _plain(value: object) -> Decimal:
    """A stored NUMERIC without the column's trailing zeros (12890739.0000 → 12890739, 1.5000 → 1.5)."""
    number = Decimal(str(value))
    return number.quantize(Decimal(1)) if number == number.to_integral_value() else number.normalize()
