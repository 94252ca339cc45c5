"""The fact catalogue (data/policies/facts.yaml) and the parsing of one enterprise's raw facts into exact values."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from techbridge.errors import InvalidDataError

FACT_TYPES = frozenset(
    {"date", "bool", "count", "number", "share", "amounts", "counts", "awards", "standards", "enum", "strings"}
)
NUMERIC_TYPES = frozenset({"count", "number", "share"})
SERIES_TYPES = frozenset({"amounts", "counts"})
EVENT_TYPES = {"awards": ("national", "provincial"), "standards": ("international", "national", "industry")}
FACTS_FILE = "facts.yaml"

Value = Any  # Fraction | bool | date | str | tuple[Fraction | None, ...] | tuple[Event, ...] | frozenset[str]


@dataclass(frozen=True)
class FactSpec:
    """One fact id: its type, allowed values (enum), upper bound, whether experts judge it, and its labels."""

    id: str
    type: str
    zh: str
    en: str
    values: tuple[str, ...] = ()
    maximum: int | None = None
    judged: bool = False
    unit_zh: str = ""
    unit_en: str = ""

    def unit(self, lang: str) -> str:
        """The unit values are entered and shown in (amounts in 万元), or "" for none."""
        return self.unit_zh if lang == "zh" else self.unit_en


@dataclass(frozen=True)
class Event:
    """An award or a led standard: level, year and (awards) the enterprise's rank among winners."""

    level: str
    year: int | None
    rank: int | None = None


class FactError(InvalidDataError):
    """A fact that cannot be read: unknown id or a value of the wrong type."""


@lru_cache(maxsize=1)
def load_fact_specs() -> dict[str, FactSpec]:
    """Every fact of the catalogue; an unknown type or a missing label is an error naming file and field."""
    text = (resources.files("techbridge") / "data" / "policies" / FACTS_FILE).read_text(encoding="utf-8")
    raw: Any = yaml.safe_load(text) or {}
    specs: dict[str, FactSpec] = {}
    for fact_id, body in raw.items():
        where = (FACTS_FILE, f"{fact_id}.type")
        if not isinstance(body, dict) or body.get("type") not in FACT_TYPES:
            raise InvalidDataError("unknown fact type", location=where, message_zh="未知的事实类型")
        if not isinstance(body.get("zh"), str) or not isinstance(body.get("en"), str):
            raise InvalidDataError(
                "needs zh and en labels", location=(FACTS_FILE, fact_id), message_zh="缺少中英文名称"
            )
        specs[fact_id] = FactSpec(
            id=fact_id,
            type=body["type"],
            zh=body["zh"],
            en=body["en"],
            values=tuple(body.get("values", ())),
            maximum=body.get("max"),
            judged=bool(body.get("judged", False)),
            **_units(body.get("unit") or {}, fact_id),
        )
    return specs


def _units(raw: Any, fact_id: str) -> dict[str, str]:
    """`unit: {zh, en}` of a fact, both strings when given."""
    if not isinstance(raw, dict) or any(not isinstance(raw.get(lang, ""), str) for lang in ("zh", "en")):
        raise InvalidDataError(
            "unit needs zh and en", location=(FACTS_FILE, f"{fact_id}.unit"), message_zh="单位须有中英文"
        )
    return {"unit_zh": raw.get("zh", ""), "unit_en": raw.get("en", "")}


# Numbers the engine reads: 0, or a magnitude from 1e-100 to 1e100. Far beyond any enterprise (10^100 万元), this
# keeps every sum and ratio of facts a normal float, so the fast path (floats, exact near a tie) stays exact: 1e308
# summed to inf was read as an unbounded amount, 1e-320 lost digits, and 10**400 crashed float(). Outside it is an
# input error for that enterprise, as a wrong type is.
LARGEST = 10**100
SMALLEST = Fraction(1, LARGEST)
DECIMAL_RANGE = (Decimal("1e-100"), Decimal("1e100"))


def in_range(value: int | Decimal | Fraction) -> bool:
    """Whether a non-negative number is 0 or from 1e-100 to 1e100 (what the fast path may turn into floats)."""
    if type(value) is int:
        return value <= LARGEST
    if isinstance(value, Decimal):
        return value == 0 or DECIMAL_RANGE[0] <= value <= DECIMAL_RANGE[1]
    return value == 0 or SMALLEST <= value <= LARGEST


def _fail(fact: str, expected: str, expected_zh: str) -> FactError:
    return FactError(f"{fact}: expected {expected}", message_zh=f"{fact}：应为{expected_zh}")


def _is_finite(raw: int | float | Decimal | Fraction) -> bool:
    if isinstance(raw, float):
        return math.isfinite(raw)
    return not isinstance(raw, Decimal) or raw.is_finite()


def to_number(raw: Any, fact: str, *, integral: bool = False) -> Fraction:
    """A number (int, Decimal, Fraction, or a Python float read through its shortest repr, so 0.6 stays exactly
    0.6) as an exact non-negative Fraction; bools, strings, NaN and infinities are errors naming the fact."""
    if isinstance(raw, bool) or not isinstance(raw, int | float | Decimal | Fraction):
        raise _fail(fact, "a number", "数字")
    if not _is_finite(raw):
        raise _fail(fact, "a finite number", "有限的数字")
    value = Fraction(Decimal(str(raw))) if isinstance(raw, float) else Fraction(raw)
    if integral and value.denominator != 1:
        raise _fail(fact, "a whole number", "整数")
    if value < 0:
        raise _fail(fact, "a non-negative number", "非负数")
    if not in_range(value):
        raise FactError(
            f"{fact}: expected 0 or a number from 1e-100 to 1e100",
            message_zh=f"{fact}：应为0或1e-100至1e100之间的数",
        )
    return value


def _parse_date(raw: Any, fact: str) -> date:
    if not isinstance(raw, str):
        raise _fail(fact, "a date YYYY-MM-DD", "日期 YYYY-MM-DD")
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise _fail(fact, "a date YYYY-MM-DD", "日期 YYYY-MM-DD") from None


def _parse_series(raw: Any, fact: str, *, integral: bool) -> tuple[Fraction | None, ...]:
    if not isinstance(raw, list):
        raise _fail(fact, "a list of numbers (oldest first)", "数字列表（从最早年度起）")
    return tuple(None if item is None else to_number(item, fact, integral=integral) for item in raw)


def _parse_events(raw: Any, spec: FactSpec) -> tuple[Event, ...]:
    if not isinstance(raw, list):
        raise _fail(spec.id, "a list of objects", "对象列表")
    events = []
    for item in raw:
        if not isinstance(item, dict) or item.get("level") not in EVENT_TYPES[spec.type]:
            levels = "|".join(EVENT_TYPES[spec.type])
            raise _fail(spec.id, "objects with level in " + levels, "level 取值为 " + levels + " 的对象")
        year = item.get("year")
        rank = item.get("rank")
        events.append(
            Event(
                level=item["level"],
                year=None if year is None else int(to_number(year, f"{spec.id}.year", integral=True)),
                rank=None if rank is None else int(to_number(rank, f"{spec.id}.rank", integral=True)),
            )
        )
    return tuple(events)


def _parse_strings(raw: Any, fact: str) -> frozenset[str]:
    if not isinstance(raw, list) or not all(isinstance(item, str) for item in raw):
        raise _fail(fact, "a list of strings", "文本列表")
    return frozenset(raw)


def parse_value(spec: FactSpec, raw: Any) -> Value:
    """One raw JSON value of `spec` as the engine's exact value; raises FactError on a wrong type."""
    kind = spec.type
    if kind == "bool":
        if not isinstance(raw, bool):
            raise _fail(spec.id, "true or false", "true 或 false")
        return raw
    if kind in NUMERIC_TYPES:
        value = to_number(raw, spec.id, integral=kind == "count")
        upper = 1 if kind == "share" else spec.maximum
        if upper is not None and value > upper:
            raise _fail(spec.id, f"a number ≤ {upper}", f"不大于 {upper} 的数")
        return value
    if kind == "date":
        return _parse_date(raw, spec.id)
    if kind in SERIES_TYPES:
        return _parse_series(raw, spec.id, integral=kind == "counts")
    if kind in EVENT_TYPES:
        return _parse_events(raw, spec)
    if kind == "enum":
        if raw not in spec.values:
            raise _fail(spec.id, "one of " + "|".join(spec.values), "以下之一：" + "|".join(spec.values))
        return raw
    return _parse_strings(raw, spec.id)


def parse_facts(raw: Any) -> dict[str, Value]:
    """All facts of one enterprise; null is absent; an unknown id or a wrong type raises FactError."""
    if not isinstance(raw, dict):
        raise FactError("facts: expected an object", message_zh="facts：应为对象")
    specs = load_fact_specs()
    facts: dict[str, Value] = {}
    for fact_id, value in raw.items():
        spec = specs.get(fact_id)
        if spec is None:
            raise FactError(f"unknown fact id {fact_id!r}", message_zh=f"未知的事实标识 {fact_id!r}")
        if value is not None:
            facts[fact_id] = parse_value(spec, value)
    return facts


# The batch fast path reads numbers as floats (`expressions.float_facts` of the exact values) without building
# Fractions. Only the common well-formed shapes are read here; anything else goes through `parse_value`, so a
# wrong value raises the same error, for the same fact, as `parse_facts`.
# A float inside FAST_RANGE comes from a number inside 1e-100…1e100; near those ends `parse_value` decides exactly.
FAST_RANGE = (1e-99, 1e99)


def _fast_float(raw: int | Decimal) -> float | None:
    """A non-negative int or Decimal as a float when clearly within range (or 0); None when `parse_value` decides."""
    try:
        value = float(raw)
    except OverflowError:
        return None
    return value if FAST_RANGE[0] <= value <= FAST_RANGE[1] or raw == 0 else None


def _float_number(spec: FactSpec, raw: Any) -> float | None:
    """A well-formed JSON number of a numeric fact as a float; None when the exact parse must decide."""
    kind = type(raw)
    if kind is not int and (kind is not Decimal or spec.type == "count"):
        return None
    upper = 1 if spec.type == "share" else spec.maximum
    if raw < 0 or (upper is not None and raw > upper):
        return None
    return _fast_float(raw)


def _float_series(spec: FactSpec, raw: Any) -> tuple[float | None, ...] | None:
    """A well-formed series as floats (None = a missing year); None when the exact parse must decide."""
    if type(raw) is not list:
        return None
    decimals = spec.type == "amounts"
    values: list[float | None] = []
    for item in raw:
        kind = type(item)
        if item is None:
            values.append(None)
        elif (kind is int or (decimals and kind is Decimal)) and item >= 0:
            try:
                value = float(item)
            except OverflowError:
                return None
            if not (FAST_RANGE[0] <= value <= FAST_RANGE[1] or item == 0):
                return None
            values.append(value)
        else:
            return None
    return tuple(values)


def _as_floats(value: Value) -> Value:
    """An exact number or series as floats, as `expressions.float_facts` converts it."""
    if isinstance(value, Fraction):
        return value.numerator / value.denominator
    if isinstance(value, tuple):
        return tuple(None if v is None else v.numerator / v.denominator for v in value)
    return value


def parse_float_facts(raw: Any) -> dict[str, Value]:
    """`float_facts(parse_facts(raw))` without the Fractions: the same values and the same errors, faster."""
    if not isinstance(raw, dict):
        return parse_facts(raw)  # raises the error
    specs = load_fact_specs()
    facts: dict[str, Value] = {}
    for fact_id, value in raw.items():
        spec = specs.get(fact_id)
        if spec is None:
            return parse_facts(raw)  # raises the error
        if value is None:
            continue
        if spec.type == "bool" and type(value) is bool:
            facts[fact_id] = value
            continue
        if spec.type in NUMERIC_TYPES:
            fast: Value = _float_number(spec, value)
        elif spec.type in SERIES_TYPES:
            fast = _float_series(spec, value)
        else:
            facts[fact_id] = parse_value(spec, value)
            continue
        facts[fact_id] = fast if fast is not None else _as_floats(parse_value(spec, value))
    return facts
