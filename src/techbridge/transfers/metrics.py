"""Contract metrics as pure functions over ContractFact: the local conversion rate and turnover (exact Decimal).

Local conversion rate (domain README, "Metrics"): with R = the region (`region_key`: the province's 2 digits for
province scope, the region's city `city_of` for city scope),
    denominator = Σ amount (or count) of contracts whose seller kind is in `sellers`, whose seller lies in R, and
                  which pass the type / field / period filters (period on registered_on, both ends inclusive);
    numerator   = the same restricted to contracts whose buyer lies in R too;
City scope compares cities rather than bare prefixes ("本地" = same city, `city_of`): a 直辖市 is one city and each
county-level city directly under a province (仙桃 429004) is its own, as metrics.yaml `cities` lists them. The same
`city_of` decides turnover's `local` flow, the dashboard's rollups (`queries.city_sql` is its SQL form) and the
city of a transfer case, so every surface names the same city for the same code.
    rate        = numerator ÷ denominator, None when the denominator is 0.
With the value basis and `technology_income`, contracts with no verified income cannot be valued: they are left
out of both sums and listed in `unvalued` so callers report them. A buyer that cannot be located (no usable credit
code and no region code: a foreign buyer) is outside every region: its contract is in the denominator, never in the
numerator, and `unlocated_buyers` says how many such contracts the denominator holds.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from techbridge.errors import InvalidDataError
from techbridge.registry.regions import is_known_region
from techbridge.transfers.loader import load_metric_defaults
from techbridge.transfers.schemas import (
    SCOPE_DIGITS,
    Amount,
    Basis,
    ContractFact,
    ContractType,
    ConversionDefinition,
    PartyKind,
    Scope,
)

ZERO = Decimal(0)
TURNOVER_GROUPINGS = ("type", "field", "flow", "quarter", "party")
UNKNOWN_KIND = "unknown"
"""The party-type group of a buyer whose kind the file does not give."""


@dataclass(frozen=True, slots=True)
class Conversion:
    """The local conversion rate with its parts; `unvalued` lists contract ids that had no amount to sum."""

    rate: Decimal | None
    numerator: Decimal
    denominator: Decimal
    unvalued: tuple[str, ...] = ()
    unlocated_buyers: int = 0


def check_region(region: str, scope: Scope) -> None:
    """Refuse region codes that are not 2/4/6 digits, name no region (`region_prefix`) or are too short for the
    scope."""
    region_prefix(region)
    if len(region) < SCOPE_DIGITS[scope] or (scope is Scope.CITY and (region[2:4] == "00" or city_of(region) is None)):
        raise InvalidDataError(
            f"city scope needs a city (4-digit) or county (6-digit) code, got {region!r}",
            location=("region",),
            message_zh=f"城市口径需要 4 位或 6 位地区代码，收到“{region}”",
        )


def report_type(kind: str) -> str:
    """The report group of a stored contract type (`license` → `transfer`, metrics.yaml `report_types`)."""
    groups: dict[str, str] = load_metric_defaults().get("report_types") or {}
    return str(groups.get(str(kind), str(kind)))


def is_of_types(kind: ContractType, types: Iterable[ContractType]) -> bool:
    """Whether a contract of type `kind` passes a type filter: its own type or its report group is chosen (so
    `transfer` includes licences)."""
    chosen = {str(t) for t in types}
    return str(kind) in chosen or report_type(kind) in chosen


def is_in_period(day: date, start: date | None, end: date | None) -> bool:
    """Whether `day` lies in [start, end] (open ends allowed)."""
    return (start is None or day >= start) and (end is None or day <= end)


def city_of(code: str) -> str | None:
    """The city a division code (a region of 2, 4 or 6 digits, or a party's 6-digit code) lies in, as a key to
    compare: the first 4 digits, except a 直辖市 (its 2 digits: one city, so 11 and 110000 are 北京 too) and a
    county-level city directly under a province (its 6 digits); None when the code is coarser than a city (21,
    210000, or a group code such as 429000) or empty (a party of unknown region). Each key is also a prefix of
    exactly the 6-digit codes of its city."""
    cities: dict[str, list[str]] = load_metric_defaults().get("cities") or {}
    if code[:2] in cities.get("municipalities", []):
        return code[:2]
    if code[:4] in cities.get("county_level_groups", []):
        return code[:6] if len(code) == 6 and code[4:] != "00" else None
    if len(code) < 4 or code[2:4] == "00":
        return None
    return code[:4]


def region_key(definition: ConversionDefinition) -> str:
    """The region a definition compares parties with, as a code prefix: the province's 2 digits for province scope,
    the region's city (`city_of`: 2101, 11 for the whole of 北京, 429004 for 仙桃) for city scope. A city key is
    also a prefix of exactly the codes in that city, so it names the region in labels and filters alike."""
    if definition.scope is Scope.CITY:
        return city_of(definition.region) or definition.region[: SCOPE_DIGITS[Scope.CITY]]
    return definition.region[: SCOPE_DIGITS[Scope.PROVINCE]]


def is_in_region(code: str | None, definition: ConversionDefinition) -> bool:
    """Whether a party's region lies in the definition's region: the same province (first 2 digits) for province
    scope, the same city (`city_of`) for city scope; a party of unknown region lies in none."""
    if not code:
        return False
    if definition.scope is Scope.CITY:
        city = city_of(definition.region)
        return city is not None and city_of(code) == city
    return code.startswith(region_key(definition))


def is_in_definition_scope(fact: ContractFact, definition: ConversionDefinition) -> bool:
    """Whether a contract belongs to the denominator: regional seller of an included kind, passing the filters."""
    return (
        is_in_region(fact.seller_region_code, definition)
        and fact.seller_kind in definition.sellers
        and (not definition.types or is_of_types(fact.type, definition.types))
        and (not definition.fields or fact.field in definition.fields)
        and is_in_period(fact.registered_on, definition.date_from, definition.date_to)
    )


def amount_of(fact: ContractFact, amount: Amount) -> Decimal | None:
    """The money column `amount` of a contract (None for unverified technology income)."""
    return fact.contract_value if amount is Amount.CONTRACT_VALUE else fact.technology_income


def compute_local_conversion(facts: Iterable[ContractFact], definition: ConversionDefinition) -> Conversion:
    """The local conversion rate of `facts` under `definition` (see the module docstring)."""
    check_region(definition.region, definition.scope)
    numerator = denominator = ZERO
    unvalued: list[str] = []
    unlocated = 0
    for fact in facts:
        if not is_in_definition_scope(fact, definition):
            continue
        if definition.basis is Basis.COUNT:
            weight: Decimal | None = Decimal(1)
        else:
            weight = amount_of(fact, definition.amount)
        if weight is None:
            unvalued.append(fact.contract_id)
            continue
        denominator += weight
        unlocated += not fact.buyer_region_code
        if is_in_region(fact.buyer_region_code, definition):
            numerator += weight
    rate = numerator / denominator if denominator else None
    return Conversion(
        rate=rate, numerator=numerator, denominator=denominator, unvalued=tuple(unvalued), unlocated_buyers=unlocated
    )


@dataclass
class TurnoverGroup:
    """Turnover of one group: number of contracts, 成交额 and verified 技术交易额 (万元); `parts` are sub-rows
    ("of which") of a report group, e.g. the licences inside 技术转让（含许可）."""

    key: str
    count: int = 0
    contract_value: Decimal = ZERO
    technology_income: Decimal = ZERO
    parts: dict[str, TurnoverGroup] = field(default_factory=dict)

    def add(self, fact: ContractFact) -> None:
        """Count one contract into the group."""
        self.add_amounts(1, fact.contract_value, fact.technology_income or ZERO)

    def add_amounts(self, count: int, value: Decimal, income: Decimal) -> None:
        """Count `count` contracts of these summed amounts into the group."""
        self.count += count
        self.contract_value += value
        self.technology_income += income


def add_to_group(
    groups: dict[str, TurnoverGroup], grouping: str, key: str, kind: str, amounts: tuple[int, Decimal, Decimal]
) -> None:
    """Count (count, value, income) into group `key` of a turnover table: the one rule the CLI, the API and the
    dashboard's tables share (a `type` table files a licence under transfer, with its sub-row)."""
    if grouping == "type":
        add_by_type(groups, kind, amounts)
    else:
        groups.setdefault(key, TurnoverGroup(key)).add_amounts(*amounts)


def add_by_type(groups: dict[str, TurnoverGroup], kind: str, amounts: tuple[int, Decimal, Decimal]) -> None:
    """Count (count, value, income) of contracts of stored type `kind` into its report group, and into the group's
    sub-row when the type reports inside another (a licence inside transfer); the one rule of every type table."""
    key = report_type(kind)
    group = groups.setdefault(key, TurnoverGroup(key))
    group.add_amounts(*amounts)
    if key != kind:
        group.parts.setdefault(kind, TurnoverGroup(kind)).add_amounts(*amounts)


def quarter_of(day: date) -> str:
    """`2024Q3`."""
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def flow_keys(fact: ContractFact, prefix: str) -> list[str]:
    """Flow groups of a contract seen from region `prefix`: 输出 (seller in region) and 吸纳 (buyer in region).

    Each side is split by where the other party is: `local` (本地: in the region's city, `city_of`, as the rate's
    city scope decides; only for a region that lies in one city: a city, a district, or a whole 直辖市),
    `in_province` (same province, including the region itself) and `out_of_province`.
    """
    province = prefix[:2]
    home = city_of(prefix)
    keys: list[str] = []
    for side, own, other in (
        ("output", fact.seller_region_code, fact.buyer_region_code),
        ("absorb", fact.buyer_region_code, fact.seller_region_code),
    ):
        if not own.startswith(prefix):
            continue
        keys.append(f"{side}.total")
        if home is not None and city_of(other) == home:
            keys.append(f"{side}.local")
        keys.append(f"{side}.in_province" if other.startswith(province) else f"{side}.out_of_province")
    return keys


def party_keys(fact: ContractFact, prefix: str) -> list[str]:
    """Party-type groups of a contract seen from region `prefix` (reports count by party type, domain README): 输出 by
    the seller's kind when the seller is in the region (`output.university`), 吸纳 by the buyer's kind when the
    buyer is (`absorb.enterprise`; `absorb.unknown` when the file does not give it)."""
    keys = []
    if fact.seller_region_code.startswith(prefix):
        keys.append(f"output.{fact.seller_kind}")
    if fact.buyer_region_code.startswith(prefix):
        keys.append(f"absorb.{fact.buyer_kind or UNKNOWN_KIND}")
    return keys


def group_keys(fact: ContractFact, by: str, prefix: str) -> list[str]:
    """The groups a contract falls into for grouping `by`; type/field/quarter count contracts sold (输出) by the
    region, flow and party count both directions."""
    if by == "flow":
        return flow_keys(fact, prefix)
    if by == "party":
        return party_keys(fact, prefix)
    if not fact.seller_region_code.startswith(prefix):
        return []
    if by == "type":
        return [report_type(fact.type)]
    if by == "field":
        return [fact.field or "(none)"]
    return [quarter_of(fact.registered_on)]


def compute_turnover(
    facts: Iterable[ContractFact],
    *,
    region: str,
    by: Iterable[str] = TURNOVER_GROUPINGS,
    date_from: date | None = None,
    date_to: date | None = None,
    sellers: tuple[PartyKind, ...] = (),
) -> dict[str, list[TurnoverGroup]]:
    """Turnover of region `region` (a 2/4/6-digit prefix) grouped each way in `by`, groups sorted by key; only
    contracts whose seller kind is in `sellers` when given (the dashboard's seller filter), every contract else."""
    groupings = list(by)
    unknown = [name for name in groupings if name not in TURNOVER_GROUPINGS]
    if unknown:
        raise InvalidDataError(
            f"unknown grouping {unknown[0]!r}; use one of {', '.join(TURNOVER_GROUPINGS)}",
            location=("--by",),
            message_zh=f"未知分组“{unknown[0]}”",
        )
    tables: dict[str, dict[str, TurnoverGroup]] = {name: {} for name in groupings}
    for fact in facts:
        if not is_in_period(fact.registered_on, date_from, date_to) or (sellers and fact.seller_kind not in sellers):
            continue
        amounts = (1, fact.contract_value, fact.technology_income or ZERO)
        for name in groupings:
            for key in group_keys(fact, name, region):
                add_to_group(tables[name], name, key, fact.type, amounts)
    return {name: [groups[key] for key in sorted(groups)] for name, groups in tables.items()}


def turnover_rows(groups: Iterable[TurnoverGroup]) -> list[dict[str, object]]:
    """Turnover groups as plain rows (Decimal amounts), a group's sub-rows under `of_which`."""
    rows: list[dict[str, object]] = []
    for group in groups:
        row: dict[str, object] = {
            "key": group.key,
            "count": group.count,
            "contract_value": group.contract_value,
            "technology_income": group.technology_income,
        }
        if group.parts:
            row["of_which"] = turnover_rows(group.parts[key] for key in sorted(group.parts))
        rows.append(row)
    return rows


def json_number(value: Decimal) -> int | float:
    """A Decimal as a JSON number: integral values as int, others as float."""
    return int(value) if value == value.to_integral_value() else float(value)


def turnover_json(groups: Iterable[TurnoverGroup]) -> list[dict[str, object]]:
    """`turnover_rows` with JSON numbers, sub-rows too (what the CLI's --json and the API answer)."""
    return [_json_row(row) for row in turnover_rows(groups)]


def _json_row(row: dict[str, object]) -> dict[str, object]:
    out: dict[str, object] = {}
    for key, value in row.items():
        if isinstance(value, Decimal):
            out[key] = json_number(value)
        elif key == "of_which" and isinstance(value, list):
            out[key] = [_json_row(part) for part in value]
        else:
            out[key] = value
    return out


def region_prefix(region: str) -> str:
    """The prefix a region code stands for: trailing `00` pairs dropped (210000 → 21, 210100 → 2101); a code that
    is not 2/4/6 digits, or names no region of the division table (`is_known_region`: 99, 2115), is refused, so a
    typo never reads as a region without contracts."""
    if not region.isdigit() or len(region) not in (2, 4, 6):
        raise InvalidDataError(
            f"region {region!r} must be a 2-, 4- or 6-digit division code",
            location=("region",),
            message_zh=f"地区代码“{region}”应为 2、4 或 6 位行政区划代码",
        )
    prefix = region
    while len(prefix) > 2 and prefix.endswith("00"):
        prefix = prefix[:-2]
    if not is_known_region(prefix):
        raise InvalidDataError(
            f"no region has the code {region}: give a division code such as 21 (Liaoning), 2102 (Dalian) or 210202",
            location=("region",),
            message_zh=f"没有代码为 {region} 的地区，请输入有效的行政区划代码（如 21 辽宁省、2102 大连市、210202）",
        )
    return prefix


SELLER_NAMES = {
    "zh": {"university": "高校", "institute": "科研院所", "enterprise": "企业", "other": "其他单位"},
    "en": {"university": "universities", "institute": "institutes", "enterprise": "enterprises", "other": "others"},
}
TYPE_NAMES = {
    "zh": {
        "development": "技术开发",
        "transfer": "技术转让（含许可）",
        "license": "技术许可",
        "consulting": "技术咨询",
        "service": "技术服务",
    },
    "en": {
        "development": "development",
        "transfer": "transfer (incl. licence)",
        "license": "licence",
        "consulting": "consulting",
        "service": "service",
    },
}
AMOUNT_NAMES = {
    "zh": {"contract_value": "成交额", "technology_income": "技术交易额（登记核定）"},
    "en": {"contract_value": "contract value", "technology_income": "verified technology income"},
}


def definition_params(definition: ConversionDefinition) -> dict[str, object]:
    """The definition as plain data (JSON-ready)."""
    return {
        "region": definition.region,
        "prefix": region_key(definition),
        "basis": str(definition.basis),
        "scope": str(definition.scope),
        "amount": str(definition.amount) if definition.basis is Basis.VALUE else None,
        "sellers": [str(kind) for kind in definition.sellers],
        "types": [str(kind) for kind in definition.types],
        "fields": list(definition.fields),
        "from": definition.date_from.isoformat() if definition.date_from else None,
        "to": definition.date_to.isoformat() if definition.date_to else None,
    }


def _filters_text(definition: ConversionDefinition, lang: str) -> str:
    parts: list[str] = []
    zh = lang == "zh"
    if definition.types:
        names = TYPE_NAMES["zh" if zh else "en"]
        parts.append(("合同类型：" if zh else "contract types: ") + ", ".join(names[str(t)] for t in definition.types))
    if definition.fields:
        parts.append(("技术领域：" if zh else "fields: ") + ", ".join(definition.fields))
    start = definition.date_from.isoformat() if definition.date_from else "…"
    end = definition.date_to.isoformat() if definition.date_to else "…"
    parts.append(("登记日期 " if zh else "registered ") + f"{start} – {end}" + ("（含两端）" if zh else " (inclusive)"))
    return ("；" if zh else "; ").join(parts)


def describe_definition(
    definition: ConversionDefinition,
    lang: str = "en",
    region_label: str | None = None,
    unlocated_buyers: int | None = None,
) -> str:
    """A one-paragraph human-readable statement of the definition, in Chinese or English; `region_label` names the
    region (「大连市 (2102)」) where the caller can read its name, else the code stands alone; `unlocated_buyers`
    (when the figure is known) says how many contracts with a buyer of unknown region were counted as outside."""
    zh = lang == "zh"
    names = SELLER_NAMES["zh" if zh else "en"]
    sellers = ("、" if zh else "/").join(names[str(kind)] for kind in definition.sellers)
    digits = SCOPE_DIGITS[definition.scope]
    city = definition.scope is Scope.CITY
    rule_zh = (
        "按所在城市：行政区划代码前 4 位，直辖市为一市，省直辖县级市各为一市"
        if city
        else f"按行政区划代码前 {digits} 位"
    )
    rule_en = (
        "by city: the first 4 digits of the division code, a municipality being one city and each county-level city "
        "under a province its own"
        if city
        else f"first {digits} digits of the division code"
    )
    prefix = region_label or region_key(definition)
    amount_name = AMOUNT_NAMES["zh" if zh else "en"][str(definition.amount)]
    place = ("省内" if zh else "province") if definition.scope is Scope.PROVINCE else ("本市" if zh else "city")
    filters = _filters_text(definition, lang)
    if zh:
        measure = f"{amount_name}之和" if definition.basis is Basis.VALUE else "件数"
        return (
            f"本地转化率（{'金额' if definition.basis is Basis.VALUE else '件数'}口径，{place}）= "
            f"卖方为{prefix}（{rule_zh}）的{sellers}、且买方也在{prefix}的技术合同{measure} ÷ "
            f"卖方为{prefix}的{sellers}的全部技术合同{measure}；{filters}；分母为 0 时比率为空(null)。"
            + _unlocated_text(unlocated_buyers, zh=True)
        )
    what = f"sum of {amount_name} (× 10,000 yuan)" if definition.basis is Basis.VALUE else "number of contracts"
    return (
        f"Local conversion rate ({definition.basis} basis, {place} scope) = {what} of contracts whose seller is one "
        f"of the {sellers} of region {prefix} ({rule_en}) and whose buyer is also "
        f"in {prefix}, divided by the {what} of all contracts whose seller is one of the {sellers} of {prefix}; "
        f"{filters}; the rate is null when the denominator is 0." + _unlocated_text(unlocated_buyers, zh=False)
    )


def _unlocated_text(count: int | None, *, zh: bool) -> str:
    """The rule for buyers of unknown region, with the number of contracts it applied to when known."""
    if zh:
        rule = "买方所在地无法确定（无可用统一社会信用代码且无地区代码，如境外买方）的合同计入分母、不计入分子"
        return rule + (f"，本结果中有 {count} 件。" if count is not None else "。")
    rule = (
        " Contracts whose buyer cannot be located (no usable credit code and no region code, e.g. a foreign buyer) "
        "count as outside the region: in the denominator, never in the numerator"
    )
    return rule + (f"; this figure counted {count} such contracts." if count is not None else ".")
