"""Use cases over official statistics: one region's technology-market figures per year, its 输出/吸纳 balance and
its rank among provinces. Figures are the published ones (万元, 项), with the source they were taken from."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from techbridge.access import Viewer
from techbridge.errors import InvalidDataError, NotFoundError
from techbridge.registry.regions import is_known_region
from techbridge.statistics import queries
from techbridge.transfers.metrics import json_number

TECH_MARKET = "tech_market"
PROVINCE = "province"


@dataclass(frozen=True)
class RegionYear:
    """One region's technology-market figures for one year; None where the yearbook has no figure."""

    year: int
    outflow_value_wan: Decimal | None
    outflow_contracts: Decimal | None
    inflow_value_wan: Decimal | None
    inflow_contracts: Decimal | None
    outflow_rank: int | None  # by turnover among provinces, 1 = largest
    provinces: int
    source: str

    @property
    def balance_wan(self) -> Decimal | None:
        """输出 minus 吸纳 turnover: positive when the region sells more technology than it buys."""
        if self.outflow_value_wan is None or self.inflow_value_wan is None:
            return None
        return self.outflow_value_wan - self.inflow_value_wan


def region_years(*, session: Session, viewer: Viewer, region_code: str) -> list[RegionYear]:
    """Every year the yearbook gives for `region_code` (a province code), oldest first, with its rank that year."""
    rows = queries.topic_rows(session, viewer=viewer, topic=TECH_MARKET)
    by_year: dict[int, dict[tuple[str, str], Decimal]] = defaultdict(dict)
    sources: dict[int, list[str]] = defaultdict(list)
    outflow_values: dict[int, list[tuple[str, Decimal]]] = defaultdict(list)
    for _name, code, year, flow, measure, _unit, value, source in rows:
        if code == region_code:
            by_year[year][(flow, measure)] = value
            sources[year].append(source)
        if code is not None and flow == "outflow" and measure == "value":
            outflow_values[year].append((code, value))
    return [
        _region_year(year, figures, sources[year], outflow_values[year], region_code)
        for year, figures in sorted(by_year.items())
    ]


def _region_year(
    year: int,
    figures: dict[tuple[str, str], Decimal],
    sources: list[str],
    outflow: list[tuple[str, Decimal]],
    region_code: str,
) -> RegionYear:
    ranked = [code for code, _ in sorted(outflow, key=lambda item: (-item[1], item[0]))]
    return RegionYear(
        year=year,
        outflow_value_wan=figures.get(("outflow", "value")),
        outflow_contracts=figures.get(("outflow", "contracts")),
        inflow_value_wan=figures.get(("inflow", "value")),
        inflow_contracts=figures.get(("inflow", "contracts")),
        outflow_rank=ranked.index(region_code) + 1 if region_code in ranked else None,
        provinces=len(ranked),
        source="；".join(sorted(set(sources))),
    )


def region_year(*, session: Session, viewer: Viewer, region_code: str, year: int) -> RegionYear | None:
    """`region_code`'s figures for `year`, or None when the yearbook has none."""
    found = [
        item for item in region_years(session=session, viewer=viewer, region_code=region_code) if item.year == year
    ]
    return found[0] if found else None


def official_figures(*, session: Session, viewer: Viewer, region_code: str, year: int) -> dict[str, Any]:
    """A province's yearbook figures for `year` as JSON numbers (`metrics official --json` and the API alike);
    InvalidDataError naming `region` when the code names no province, NotFoundError when the yearbook has none."""
    check_province(region_code)
    found = region_year(session=session, viewer=viewer, region_code=region_code, year=year)
    if found is None:
        raise NotFoundError(
            f"no official statistics for region {region_code} in {year} (import tech_market first)",
            message_zh=f"没有地区 {region_code} {year} 年的官方统计（请先导入 tech_market）",
        )
    figures = (found.outflow_value_wan, found.outflow_contracts, found.inflow_value_wan, found.inflow_contracts)
    outflow_value, outflow_contracts, inflow_value, inflow_contracts = (
        None if value is None else json_number(value) for value in figures
    )
    return {
        "region": region_code,
        "year": year,
        "outflow_value_wan": outflow_value,
        "outflow_contracts": outflow_contracts,
        "inflow_value_wan": inflow_value,
        "inflow_contracts": inflow_contracts,
        "outflow_rank": found.outflow_rank,
        "source": found.source,
    }


def check_province(region_code: str) -> None:
    """Refuse a code that names no province (the yearbook's tables are by province): 99, 2102 or a name is an error
    naming `region`, never a province without figures."""
    if len(region_code) != 2 or not is_known_region(region_code):
        raise InvalidDataError(
            f"no province has the code {region_code!r}: give a 2-digit province code such as 21 (Liaoning)",
            location=("region",),
            message_zh=f"没有代码为“{region_code}”的省份，请输入 2 位省级代码，如 21（辽宁省）",
        )


def source_names(items: list[RegionYear]) -> str:
    """The distinct publications of `items` (the part of each source before its file path), for a chart caption."""
    names = {part.split("：", 1)[0] for item in items for part in item.source.split("；") if part}
    return "；".join(sorted(names))
