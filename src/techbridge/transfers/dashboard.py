"""Dashboard (驾驶舱) figures from the contract rollups, never mixing demo and real data.

The rollups (`ContractRollup`, refreshed after every contract import and whenever the newest contract id differs
from the one they cover) hold a few thousand pre-aggregated rows; every figure (headline rates, quarterly trend,
14 cities, fields, types, flows) is computed from them with the same rule as `metrics.compute_local_conversion`
for province and city scope, so a dashboard refresh never scans the contracts. A rollup's seller city is the
rate's city key (`metrics.city_of`, or the seller's province when it lies in no city), and a region is selected by
prefix, the province's 2 digits or a city key (`metrics.region_key`), which names exactly the codes of its city.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml
from sqlalchemy.orm import Session

from techbridge.errors import InvalidDataError
from techbridge.registry.pickers import region_display, resolve_region
from techbridge.registry.regions import region_name
from techbridge.transfers import queries
from techbridge.transfers.metrics import (
    ZERO,
    TurnoverGroup,
    add_to_group,
    city_of,
    describe_definition,
    region_key,
    turnover_rows,
)
from techbridge.transfers.schemas import Amount, Basis, ConversionDefinition, PartyKind, Scope
from techbridge.transfers.service import FunnelScope


@dataclass(frozen=True, slots=True)
class RateRow:
    """Contracts of one seller city (city key, `metrics.city_of`), seller kind and quarter (yyyyq), split by where
    the buyer is."""

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
    """A rate with its parts and the definition text printed next to it; `unlocated_buyers` contracts (buyer of
    unknown region, e.g. foreign) are in the denominator only, and the definition says how many."""

    rate: Decimal | None
    numerator: Decimal
    denominator: Decimal
    definition: str
    unlocated_buyers: int = 0


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
    quarters: list[int] = field(default_factory=list)  # every quarter with contracts, for the range inputs


@lru_cache(maxsize=1)
def city_names() -> dict[str, str]:
    """City code → map name (data/transfers/cities.yaml; each code is a city key, `metrics.city_of`)."""
    text = (resources.files("techbridge") / "data" / "transfers" / "cities.yaml").read_text(encoding="utf-8")
    raw = yaml.safe_load(text)
    return {str(code): str(name) for code, name in raw["cities"].items()}


@dataclass(frozen=True, slots=True)
class Rollup:
    """One stored rollup row (see models.ContractRollup); unused keys are blank for a grain."""

    grain: str
    seller_city: str
    seller_kind: str
    quarter: int
    type: str
    field: str
    seller_province: str
    buyer_province: str
    n: int
    value: Decimal
    income: Decimal
    n_income: int = 0
    """How many of the `n` contracts have a verified technology income (the others cannot be valued in 技术交易额)."""


def load_rates(session: Session, *, demo: bool) -> list[RateRow]:
    """The `rate` rollups of the real (or demo) contracts, every rollup grain rebuilt first when they miss newer
    contracts (an index seek on each side, never a count)."""
    if queries.rolled_up_max_id(session, demo=demo) != queries.max_contract_id(session, demo=demo):
        queries.refresh_rollups(session, demo=demo)
    rates: list[RateRow] = []
    for _, city, kind, quarter, same_city, same_prov, *_keys, n, value, income in queries.list_rollups(
        session, demo=demo, grain="rate"
    ):
        rates.append(RateRow(city, kind, quarter, bool(same_city), bool(same_prov), n, value, income or ZERO))
    return rates


def _sums(
    session: Session, demo: bool, flt: DashboardFilter, grain: str, keys: tuple[str, ...], prefix: str
) -> list[Rollup]:
    """One grain's rollups summed in SQL per `keys` under the filter, as Rollup values (other keys blank)."""
    rows = queries.sum_rollups(
        session,
        demo=demo,
        grain=grain,
        keys=keys,
        sellers=[str(kind) for kind in flt.chosen_sellers],
        quarters=(flt.quarter_from, flt.quarter_to),
        city_prefix=prefix,
    )
    result = []
    for row in rows:
        named = dict(zip(keys, row[: len(keys)], strict=True))
        n, value, income, n_income = row[len(keys) :]
        result.append(
            Rollup(
                grain=grain,
                seller_city=str(named.get("seller_city", "")),
                seller_kind="",
                quarter=0,
                type=str(named.get("type", "")),
                field=str(named.get("field", "")),
                seller_province=str(named.get("seller_province", "")),
                buyer_province=str(named.get("buyer_province", "")),
                n=int(n or 0),
                value=value or ZERO,
                income=income or ZERO,
                n_income=int(n_income or 0),
            )
        )
    return result


def cube_rate(rows: Iterable[RateRow], definition: ConversionDefinition) -> tuple[Decimal | None, Decimal, Decimal]:
    """(rate, numerator, denominator) over rate rows for province or city scope (no type/field filter at this grain);
    the same rule as metrics.compute_local_conversion: seller in the region (its province, or its city key), buyer
    too (in the same city: the rollups' `same_city` compares city keys)."""
    prefix = region_key(definition)
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


def _figure(
    rows: Sequence[RateRow], definition: ConversionDefinition, lang: str, label: str, unlocated: int
) -> RateFigure:
    rate, numerator, denominator = cube_rate(rows, definition)
    text = describe_definition(definition, lang, label, unlocated_buyers=unlocated)
    return RateFigure(rate, numerator, denominator, text, unlocated)


def _unlocated_buyers(flows: Sequence[Rollup], prefix: str, *, valued_only: bool = False) -> int:
    """Contracts sold from `prefix` whose buyer has no region (the flow rollups give it an empty buyer province);
    `valued_only` counts only those with a verified technology income, the ones a 技术交易额 rate's denominator holds
    (as `metrics.compute_local_conversion` counts them)."""
    return sum(
        row.n_income if valued_only else row.n
        for row in flows
        if not row.buyer_province and row.seller_city.startswith(prefix)
    )


def _grouped(rows: Iterable[Rollup], grouping: str) -> list[dict[str, Any]]:
    """Turnover per `type` or `field` by the CLI's rule (metrics.add_to_group: 技术转让 includes licences, kept as
    its `of_which` sub-row; a blank field is `(none)`)."""
    groups: dict[str, TurnoverGroup] = {}
    for row in rows:
        key = row.type if grouping == "type" else row.field or "(none)"
        add_to_group(groups, grouping, key, row.type, (row.n, row.value, row.income))
    return turnover_rows(groups[key] for key in sorted(groups))


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


def _by_city(rows: Sequence[RateRow], base: ConversionDefinition, lang: str) -> list[dict[str, Any]]:
    """Each city's rate and output: `name` as the map registers it (the key to its area), `label` as a page in
    `lang` names it (大连市, Dalian)."""
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
        rate, numerator, denominator = cube_rate(buckets[region_key(city)], city)
        output = sum((row.value for row in buckets[region_key(city)]), ZERO)
        result.append(
            {
                "code": code,
                "name": name,
                "label": region_name(code, name, lang),
                "rate": rate,
                "numerator": numerator,
                "denominator": denominator,
                "output_value": output,
            }
        )
    return result


def _flows(rollups: Sequence[Rollup], province: str, city: str = "") -> list[dict[str, Any]]:
    """Output (seller in the province, or in `city` when one is chosen) and absorption (buyer in the province: the
    rollups hold no buyer city, so absorption stays province-wide) in and out of the province."""
    totals: dict[str, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    for row in rollups:
        if row.grain != "flow":
            continue
        seller_in, buyer_in = row.seller_province == province, row.buyer_province == province
        output = seller_in and (not city or row.seller_city == city)
        for side, own, other in (("output", output, buyer_in), ("absorb", buyer_in, seller_in)):
            if own:
                entry = totals[f"{side}.{'in_province' if other else 'out_of_province'}"]
                entry[0] += row.n
                entry[1] += row.value
    return [{"key": key, "count": int(v[0]), "contract_value": v[1]} for key, v in sorted(totals.items())]


@dataclass(frozen=True)
class DashboardFilter:
    """What the officer narrows the dashboard to; every registry figure obeys all of it.

    `sellers` (empty: universities and institutes) and `amount` make the definition; `city` is the city key
    (`metrics.city_of`: 2101; 11 for 北京; 429004 for 仙桃) of a city of the province (empty: the whole province);
    `data` is `real`, `demo` or empty (real when there is any, else the demonstration set); `quarter_from` /
    `quarter_to` bound the registration quarter (yyyyq, both ends inclusive; 0 leaves that end open)."""

    sellers: tuple[PartyKind, ...] = ()
    amount: Amount = Amount.CONTRACT_VALUE
    city: str = ""
    data: str = ""
    quarter_from: int = 0
    quarter_to: int = 0

    @property
    def chosen_sellers(self) -> tuple[PartyKind, ...]:
        """The seller kinds in force (universities and institutes when none was chosen)."""
        return self.sellers or (PartyKind.UNIVERSITY, PartyKind.INSTITUTE)

    def is_in_period(self, quarter: int) -> bool:
        """Whether a registration quarter (yyyyq) lies in the chosen range."""
        return (not self.quarter_from or quarter >= self.quarter_from) and (
            not self.quarter_to or quarter <= self.quarter_to
        )

    def keeps(self, seller_city: str, seller_kind: str, quarter: int, prefix: str) -> bool:
        """Whether a rollup row of this seller city, kind and quarter is inside the filter."""
        return (
            seller_city.startswith(prefix)
            and seller_kind in {str(kind) for kind in self.chosen_sellers}
            and self.is_in_period(quarter)
        )


def resolve_city(session: Session, *, province: str, name: str) -> str:
    """The dashboard's city: the city key (`metrics.city_of`, as the rate's city scope) of a city of `province` typed
    by name or code, a district naming its city; empty for a blank name or the province itself. A name outside the
    province, or a region that holds several cities (such as 湖北's 省直辖县级行政区划: choose one of them), is an
    InvalidDataError on `region`, as is a name `resolve_region` cannot resolve."""
    if not name.strip():
        return ""
    code = resolve_region(session, name, "region")
    if not code.startswith(province):
        raise InvalidDataError(
            f"{name!r} is outside the province", location=("region",), message_zh=f"「{name}」不在本省，请选择本省的市"
        )
    if len(code) <= 2:
        return ""
    city = city_of(code)
    if city is None:
        raise InvalidDataError(
            f"{name!r} holds several cities; choose one of them",
            location=("region",),
            message_zh=f"「{name}」包含多个市，请选择其中一个",
        )
    return city


def quarter_bounds(quarter: int) -> tuple[date, date]:
    """First and last day of a yyyyq quarter."""
    year, q = divmod(quarter, 10)
    start = date(year, 3 * q - 2, 1)
    end = date(year + (q == 4), 1 if q == 4 else 3 * q + 1, 1) - timedelta(days=1)
    return start, end


def _definition(flt: DashboardFilter, province: str, basis: Basis) -> ConversionDefinition:
    """The rate definition under the filter: city scope when a city is chosen, with the period stated."""
    start = quarter_bounds(flt.quarter_from)[0] if flt.quarter_from else None
    end = quarter_bounds(flt.quarter_to)[1] if flt.quarter_to else None
    return ConversionDefinition(
        region=flt.city or province,
        basis=basis,
        scope=Scope.CITY if flt.city else Scope.PROVINCE,
        amount=flt.amount,
        sellers=flt.chosen_sellers,
        date_from=start,
        date_to=end,
    )


def _is_demo(session: Session, flt: DashboardFilter, show_demo: bool) -> bool:
    if flt.data in ("real", "demo"):
        return flt.data == "demo"
    return show_demo and not queries.has_real_contracts(session)


def build_dashboard(
    *,
    session: Session,
    region: str,
    lang: str = "zh",
    flt: DashboardFilter | None = None,
    show_demo: bool = True,
) -> DashboardData:
    """Dashboard figures under `flt` over the real contracts, or the demo set (asked for, or when there are no real
    ones and `show_demo`); every figure is restricted to the chosen seller kinds, city and quarters."""
    spec = flt or DashboardFilter()
    demo = _is_demo(session, spec, show_demo)
    all_rows = load_rates(session, demo=demo)
    province = region[:2]
    prefix = spec.city or province
    rows = [r for r in all_rows if spec.keeps(r.seller_city, r.seller_kind, r.quarter, prefix)]
    base = _definition(spec, province, Basis.VALUE)
    flow_keys = ("seller_city", "seller_province", "buyer_province")
    flows = _sums(session, demo, spec, "flow", flow_keys, "")
    mix = _sums(session, demo, spec, "mix", ("type", "field"), prefix)  # one scan for both the field and type sums
    label = region_display(session, region_key(base), lang)
    unlocated = _unlocated_buyers(flows, prefix)
    unlocated_valued = _unlocated_buyers(flows, prefix, valued_only=spec.amount is Amount.TECHNOLOGY_INCOME)
    return DashboardData(
        is_demo=demo,
        region=province,
        headline_value=_figure(rows, base, lang, label, unlocated_valued),
        headline_count=_figure(rows, _definition(spec, province, Basis.COUNT), lang, label, unlocated),
        by_quarter=_by_quarter(rows, base),
        by_city=[row for row in _by_city(rows, base, lang) if not spec.city or city_of(row["code"]) == spec.city],
        by_field=_grouped(mix, "field"),
        by_type=_grouped(mix, "type"),
        flows=_flows(flows, province, spec.city),
        contracts=sum(row.n for row in flows if not spec.city or row.seller_city == spec.city),
        quarters=sorted({row.quarter for row in all_rows}),
    )


def funnel_scope(flt: DashboardFilter) -> FunnelScope:
    """The dashboard filter as it applies to transfer cases: their city, owner kind and the day they were opened."""
    start = quarter_bounds(flt.quarter_from)[0] if flt.quarter_from else None
    end = quarter_bounds(flt.quarter_to)[1] if flt.quarter_to else None
    kinds = tuple(str(kind) for kind in flt.chosen_sellers)
    return FunnelScope(city_prefix=flt.city, owner_kinds=kinds, opened_from=start, opened_to=end)
