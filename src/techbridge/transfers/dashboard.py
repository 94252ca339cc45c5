"""Dashboard (驾驶舱) figures from one GROUP BY pass over the contracts (the "cube"), never mixing demo and real data.

The cube has one row per (seller city, buyer city, seller kind, type, field, quarter) with the count and both sums;
every figure (headline rate, quarterly trend, per city, per field, per type, flows) is computed from it with the same
rules as `metrics.compute_local_conversion`, restricted to province or city scope (4-digit city codes).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml
from sqlalchemy.orm import Session

from techbridge.transfers import queries
from techbridge.transfers.metrics import ZERO, describe_definition
from techbridge.transfers.schemas import Amount, Basis, ConversionDefinition, PartyKind, Scope


@dataclass(frozen=True, slots=True)
class CubeRow:
    """Aggregated contracts sharing seller city, buyer city, seller kind, type, field and quarter (yyyyq)."""

    seller_city: str
    buyer_city: str
    seller_kind: str
    type: str
    field: str
    quarter: int
    count: int
    value: Decimal
    income: Decimal


@dataclass(frozen=True)
class RateFigure:
    """A rate with its parts and the definition text printed next to it."""

    rate: Decimal | None
    numerator: Decimal
    denominator: Decimal
    definition: str


@dataclass
class DashboardData:
    """Everything the officer dashboard shows; `is_demo` says the figures come from the demonstration set."""

    is_demo: bool
    region: str
    headline_value: RateFigure
    headline_count: RateFigure
    by_quarter: list[dict[str, Any]] = field(default_factory=list)
    by_city: list[dict[str, Any]] = field(default_factory=list)
    by_field: list[dict[str, Any]] = field(default_factory=list)
    by_type: list[dict[str, Any]] = field(default_factory=list)
    flows: list[dict[str, Any]] = field(default_factory=list)
    contracts: int = 0


@lru_cache(maxsize=1)
def city_names() -> dict[str, str]:
    """4-digit city code → map name (data/transfers/cities.yaml)."""
    text = (resources.files("techbridge") / "data" / "transfers" / "cities.yaml").read_text(encoding="utf-8")
    raw = yaml.safe_load(text)
    return {str(code): str(name) for code, name in raw["cities"].items()}


def load_cube(session: Session, *, demo: bool) -> list[CubeRow]:
    """The cube of the real contracts, or of the demonstration set."""
    return [
        CubeRow(
            seller_city=row.seller_city,
            buyer_city=row.buyer_city,
            seller_kind=row.seller_kind,
            type=row.type,
            field=row.field or "",
            quarter=int(row.quarter),
            count=int(row.n),
            value=row.value or ZERO,
            income=row.income or ZERO,
        )
        for row in queries.contract_cube(session, demo=demo)
    ]


def cube_rate(rows: Iterable[CubeRow], definition: ConversionDefinition) -> tuple[Decimal | None, Decimal, Decimal]:
    """(rate, numerator, denominator) over cube rows; the same rule as metrics.compute_local_conversion."""
    prefix = definition.prefix
    sellers = {str(kind) for kind in definition.sellers}
    numerator = denominator = ZERO
    for row in rows:
        if not row.seller_city.startswith(prefix) or row.seller_kind not in sellers:
            continue
        if definition.types and row.type not in definition.types:
            continue
        if definition.fields and row.field not in definition.fields:
            continue
        if definition.basis is Basis.COUNT:
            weight = Decimal(row.count)
        else:
            weight = row.value if definition.amount is Amount.CONTRACT_VALUE else row.income
        denominator += weight
        if row.buyer_city.startswith(prefix):
            numerator += weight
    return (numerator / denominator if denominator else None), numerator, denominator


def _figure(rows: Sequence[CubeRow], definition: ConversionDefinition, lang: str) -> RateFigure:
    rate, numerator, denominator = cube_rate(rows, definition)
    return RateFigure(rate, numerator, denominator, describe_definition(definition, lang))


def _turnover(rows: Iterable[CubeRow], key: str) -> list[dict[str, Any]]:
    totals: dict[str, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO, ZERO])
    for row in rows:
        entry = totals[str(getattr(row, key))]
        entry[0] += row.count
        entry[1] += row.value
        entry[2] += row.income
    return [
        {"key": name, "count": int(t[0]), "contract_value": t[1], "technology_income": t[2]}
        for name, t in sorted(totals.items())
    ]


def _by_quarter(rows: Sequence[CubeRow], base: ConversionDefinition) -> list[dict[str, Any]]:
    quarters = sorted({row.quarter for row in rows})
    result = []
    for quarter in quarters:
        subset = [row for row in rows if row.quarter == quarter]
        rate, _, _ = cube_rate(subset, base)
        turnover = sum((row.value for row in subset), ZERO)
        result.append({"key": f"{quarter // 10}Q{quarter % 10}", "rate": rate, "contract_value": turnover})
    return result


def _by_city(rows: Sequence[CubeRow], base: ConversionDefinition) -> list[dict[str, Any]]:
    names = city_names()
    result = []
    for code, name in sorted(names.items()):
        if not code.startswith(base.region[:2]):
            continue
        city = ConversionDefinition(
            region=code, basis=base.basis, scope=Scope.CITY, amount=base.amount, sellers=base.sellers
        )
        rate, numerator, denominator = cube_rate(rows, city)
        output = sum((row.value for row in rows if row.seller_city == code), ZERO)
        result.append(
            {
                "code": code,
                "name": name,
                "rate": rate,
                "numerator": numerator,
                "denominator": denominator,
                "output_value": output,
            }
        )
    return result


def _flows(rows: Sequence[CubeRow], province: str) -> list[dict[str, Any]]:
    totals: dict[str, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    for row in rows:
        seller_in, buyer_in = row.seller_city.startswith(province), row.buyer_city.startswith(province)
        for side, own, other in (("output", seller_in, buyer_in), ("absorb", buyer_in, seller_in)):
            if own:
                entry = totals[f"{side}.{'in_province' if other else 'out_of_province'}"]
                entry[0] += row.count
                entry[1] += row.value
    return [{"key": key, "count": int(v[0]), "contract_value": v[1]} for key, v in sorted(totals.items())]


def build_dashboard(
    *, session: Session, region: str, lang: str = "zh", sellers: Sequence[PartyKind] = (), show_demo: bool = True
) -> DashboardData:
    """Dashboard figures over the real contracts; over the demo set only when there are none and `show_demo`."""
    demo = show_demo and not queries.has_real_contracts(session)
    rows = load_cube(session, demo=demo)
    province = region[:2]
    base = ConversionDefinition(region=province, sellers=tuple(sellers) or (PartyKind.UNIVERSITY, PartyKind.INSTITUTE))
    count_def = ConversionDefinition(region=province, basis=Basis.COUNT, sellers=base.sellers)
    own = [row for row in rows if row.seller_city.startswith(province)]
    return DashboardData(
        is_demo=demo,
        region=province,
        headline_value=_figure(rows, base, lang),
        headline_count=_figure(rows, count_def, lang),
        by_quarter=_by_quarter(rows, base),
        by_city=_by_city(rows, base),
        by_field=_turnover(own, "field"),
        by_type=_turnover(own, "type"),
        flows=_flows(rows, province),
        contracts=sum(row.count for row in rows),
    )
