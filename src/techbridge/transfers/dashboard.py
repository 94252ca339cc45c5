"""Dashboard (驾驶舱) figures from the contract rollups, never mixing demo and real data.

The rollups (`ContractRollup`, refreshed after every contract import and whenever the newest contract id differs
from the one they cover) hold a few thousand pre-aggregated rows; every figure (headline rates, quarterly trend,
14 cities, fields, types, flows) is computed from them with the same rule as `metrics.compute_local_conversion`
for province and city scope, so a dashboard refresh never scans the contracts.
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
class RateRow:
    """Contracts of one seller city, seller kind and quarter (yyyyq), split by where the buyer is."""

    seller_city: str
    seller_kind: str
    quarter: int
    same_city: bool
    same_province: bool
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


@dataclass(frozen=True, slots=True)
class Rollup:
    """One stored rollup row (see models.ContractRollup); unused keys are blank for a grain."""

    grain: str
    seller_city: str
    type: str
    field: str
    seller_province: str
    buyer_province: str
    n: int
    value: Decimal
    income: Decimal


def load_rollups(session: Session, *, demo: bool) -> tuple[list[RateRow], list[Rollup]]:
    """The rollups of the real (or demo) contracts, rebuilt first when they miss newer contracts (an index seek on
    each side, never a count): the `rate` grain as RateRow values and the other grains as Rollup values."""
    if queries.rolled_up_max_id(session, demo=demo) != queries.max_contract_id(session, demo=demo):
        queries.refresh_rollups(session, demo=demo)
    rates: list[RateRow] = []
    others: list[Rollup] = []
    for (
        grain,
        city,
        kind,
        quarter,
        same_city,
        same_prov,
        type_,
        field_,
        sp,
        bp,
        n,
        value,
        income,
    ) in queries.list_rollups(session, demo=demo):
        if grain == "rate":
            rates.append(RateRow(city, kind, quarter, bool(same_city), bool(same_prov), n, value, income or ZERO))
        else:
            others.append(Rollup(grain, city, type_, field_, sp, bp, n, value, income or ZERO))
    return rates, others


def cube_rate(rows: Iterable[RateRow], definition: ConversionDefinition) -> tuple[Decimal | None, Decimal, Decimal]:
    """(rate, numerator, denominator) over rate rows for province or city scope (no type/field filter at this grain);
    the same rule as metrics.compute_local_conversion: seller in the region, buyer too."""
    prefix = definition.prefix
    sellers = {str(kind) for kind in definition.sellers}
    numerator = denominator = ZERO
    for row in rows:
        if not row.seller_city.startswith(prefix) or row.seller_kind not in sellers:
            continue
        if definition.basis is Basis.COUNT:
            weight = Decimal(row.count)
        else:
            weight = row.value if definition.amount is Amount.CONTRACT_VALUE else row.income
        denominator += weight
        local = row.same_city if definition.scope is Scope.CITY else row.same_province
        if local:
            numerator += weight
    return (numerator / denominator if denominator else None), numerator, denominator


def _figure(rows: Sequence[RateRow], definition: ConversionDefinition, lang: str) -> RateFigure:
    rate, numerator, denominator = cube_rate(rows, definition)
    return RateFigure(rate, numerator, denominator, describe_definition(definition, lang))


def _turnover(rows: Iterable[Rollup], key: str) -> list[dict[str, Any]]:
    totals: dict[str, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO, ZERO])
    for row in rows:
        entry = totals[str(getattr(row, key))]
        entry[0] += row.n
        entry[1] += row.value
        entry[2] += row.income
    return [
        {"key": name, "count": int(t[0]), "contract_value": t[1], "technology_income": t[2]}
        for name, t in sorted(totals.items())
    ]


def _by_quarter(rows: Sequence[RateRow], base: ConversionDefinition) -> list[dict[str, Any]]:
    buckets: dict[int, list[RateRow]] = defaultdict(list)
    for row in rows:
        buckets[row.quarter].append(row)
    result = []
    for quarter in sorted(buckets):
        subset = buckets[quarter]
        rate, _, _ = cube_rate(subset, base)
        turnover = sum((row.value for row in subset if row.seller_city.startswith(base.region[:2])), ZERO)
        result.append({"key": f"{quarter // 10}Q{quarter % 10}", "rate": rate, "contract_value": turnover})
    return result


def _by_city(rows: Sequence[RateRow], base: ConversionDefinition) -> list[dict[str, Any]]:
    names = city_names()
    buckets: dict[str, list[RateRow]] = defaultdict(list)
    for row in rows:
        buckets[row.seller_city].append(row)
    result = []
    for code, name in sorted(names.items()):
        if not code.startswith(base.region[:2]):
            continue
        city = ConversionDefinition(
            region=code, basis=base.basis, scope=Scope.CITY, amount=base.amount, sellers=base.sellers
        )
        rate, numerator, denominator = cube_rate(buckets[code], city)
        output = sum((row.value for row in buckets[code]), ZERO)
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


def _flows(rollups: Sequence[Rollup], province: str) -> list[dict[str, Any]]:
    totals: dict[str, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    for row in rollups:
        if row.grain != "flow":
            continue
        seller_in, buyer_in = row.seller_province == province, row.buyer_province == province
        for side, own, other in (("output", seller_in, buyer_in), ("absorb", buyer_in, seller_in)):
            if own:
                entry = totals[f"{side}.{'in_province' if other else 'out_of_province'}"]
                entry[0] += row.n
                entry[1] += row.value
    return [{"key": key, "count": int(v[0]), "contract_value": v[1]} for key, v in sorted(totals.items())]


def build_dashboard(
    *,
    session: Session,
    region: str,
    lang: str = "zh",
    sellers: Sequence[PartyKind] = (),
    amount: Amount = Amount.CONTRACT_VALUE,
    show_demo: bool = True,
) -> DashboardData:
    """Dashboard figures over the real contracts; over the demo set only when there are none and `show_demo`."""
    demo = show_demo and not queries.has_real_contracts(session)
    rows, rollups = load_rollups(session, demo=demo)
    province = region[:2]
    chosen = tuple(sellers) or (PartyKind.UNIVERSITY, PartyKind.INSTITUTE)
    base = ConversionDefinition(region=province, sellers=chosen, amount=amount)
    count_def = ConversionDefinition(region=province, basis=Basis.COUNT, sellers=base.sellers)
    own = [row for row in rollups if row.grain == "mix" and row.seller_city.startswith(province)]
    return DashboardData(
        is_demo=demo,
        region=province,
        headline_value=_figure(rows, base, lang),
        headline_count=_figure(rows, count_def, lang),
        by_quarter=_by_quarter(rows, base),
        by_city=_by_city(rows, base),
        by_field=_turnover(own, "field"),
        by_type=_turnover(own, "type"),
        flows=_flows(rollups, province),
        contracts=sum(row.n for row in rollups if row.grain == "flow"),
    )
