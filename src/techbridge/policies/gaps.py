"""Gap to eligibility: for a failing criterion, the smallest change of one input that would pass it, in zh and en.

The change names the input exactly (fact, and for a yearly series its position `index` and fiscal `year`, [-1]
being the year before `as_of`'s) and its new `value`, so that feeding `{fact: {"index", "value"}}` back as a what-if
(`service.apply_changes`) passes the criterion. The amount is that of the input, not of the measured expression: a
mean of n years moves by 1/n of a change to one year, a ratio by 1/denominator, a growth rate through its last year.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from techbridge.i18n.loader import load_catalog, translate
from techbridge.policies.expressions import (
    Age,
    Binary,
    Env,
    Expr,
    FactValue,
    Growth,
    Item,
    Mean,
    Score,
    SumLast,
    series_item,
)
from techbridge.policies.facts import load_fact_specs
from techbridge.policies.intervals import Interval

if TYPE_CHECKING:
    from techbridge.policies.criteria import Compare, Node

Gap = dict[str, Any]
COUNT_TYPES = frozenset({"count", "counts"})
AMOUNT_STEP = Fraction(1, 100)  # amounts change in steps of 0.01 (万元), counts in whole units
MAX_DIGITS = 8  # decimals shown at most when a failing value would otherwise read like its target


@dataclass(frozen=True)
class Input:
    """One input a gap may change: a fact, its year in a series (negative index; None for a single-valued fact),
    and how far the expression moves per unit of the input (1/n for a mean of n years)."""

    fact: str
    index: int | None = None
    weight: Fraction = Fraction(1)


def input_of(expr: Expr) -> Input | None:
    """The input whose change moves `expr` most simply: the fact itself, the year of an item, the last year of a
    sum or mean, the left term of a sum; None when there is no single one (nested ratios, scores, ages)."""
    if isinstance(expr, FactValue):
        return Input(expr.fact)
    if isinstance(expr, Item):
        return Input(expr.fact, expr.index)
    if isinstance(expr, SumLast):
        return Input(expr.fact, -1)
    if isinstance(expr, Mean):
        return Input(expr.fact, -1, Fraction(1, expr.years))
    if isinstance(expr, Binary) and expr.op == "add":
        return input_of(expr.left)
    return None


def year_words(index: int, year: int, lang: str) -> str:
    """A year of a series in words: 「2024 年（前年）」, "in 2024 (the year before last)"."""
    key = f"tiers.gap.year.{-index}"
    return translate(key if key in load_catalog() else "tiers.gap.year.n", lang, year=year)


def input_words(fact: str, index: int | None, year: int | None, lang: str) -> str:
    """An input in words: the fact's name, with its year for a series (「2024 年（前年）研发费用」)."""
    label = _label(fact, lang)
    if index is None or year is None:
        return label
    return translate("tiers.gap.fact_in_year", lang, fact=label, when=year_words(index, year, lang))


def _label(fact: str, lang: str) -> str:
    spec = load_fact_specs()[fact]
    return spec.zh if lang == "zh" else spec.en


def _fmt(value: float | Fraction, unit: str, digits: int) -> str:
    value = float(value)
    if unit == "percent":
        return f"{value * 100:.{digits}f}%"
    if value.is_integer():
        return str(int(value))
    return f"{value:.{digits}f}".rstrip("0").rstrip(".")


def _decimals(value: Fraction, least: int, most: int) -> int:
    """The fewest decimals from `least` to `most` that write `value` exactly (or `most`)."""
    digits = least
    while digits < most and (value * 10**digits).denominator != 1:
        digits += 1
    return digits


def shown_pair(current: float, target: Fraction, unit: str) -> tuple[str, str]:
    """Current and target as text, with enough decimals that a value short of its target never reads as equal
    (4.995% → 5.0%, not 5.0% → 5.0%)."""
    base = 1 if unit == "percent" else 2
    digits = base
    while digits < MAX_DIGITS and current != target and _fmt(current, unit, digits) == _fmt(target, unit, digits):
        digits += 1
    exact = _decimals(target * 100 if unit == "percent" else target, base, digits)
    return _fmt(current, unit, digits), _fmt(float(target), unit, exact)


def _is_whole(fact: str) -> bool:
    return load_fact_specs()[fact].type in COUNT_TYPES


def _unit(fact: str, lang: str) -> str:
    """The unit after an amount in the language of the text (万元, "× 10,000 yuan"); counts go without."""
    spec = load_fact_specs()[fact]
    return f" {spec.unit(lang)}" if spec.type in ("amounts", "number") and spec.unit(lang) else ""


def _needed(leaf: Compare, env: Env, left: Interval, target: Fraction) -> tuple[Input, Fraction, Input | None] | None:
    """The input to change, the exact change of it that reaches the target, and the input held fixed (the
    denominator of a ratio, the first year of a growth rate); None when no single known input can do it."""
    expr = leaf.left
    if isinstance(expr, Growth):
        last, first = expr.last.evaluate(env), expr.first.evaluate(env)
        changed = input_of(expr.last)
        if changed is None or not (last.is_point and first.is_point) or not first.lo:
            return None
        assert last.lo is not None
        return changed, (first.lo * expr.threshold_space(target) - last.lo) / changed.weight, input_of(expr.first)
    if isinstance(expr, Binary) and expr.op == "div":
        num, den = expr.left.evaluate(env), expr.right.evaluate(env)
        changed = input_of(expr.left)
        if changed is None or not (num.is_point and den.is_point):
            return None
        assert num.lo is not None
        assert den.lo is not None
        return changed, (target * den.lo - num.lo) / changed.weight, input_of(expr.right)
    changed = None if expr is None else input_of(expr)
    if changed is None or not left.is_point:
        return None
    assert left.lo is not None
    return changed, (target - left.lo) / changed.weight, None


def round_change(needed: Fraction, *, up: bool, whole: bool, strict: bool) -> Fraction:
    """The smallest change in steps (whole units for counts, 0.01 for amounts) that reaches `needed` (passes it
    for a strict comparison), signed: positive for an increase (`up`), negative for a reduction."""
    step = Fraction(1) if whole else AMOUNT_STEP
    units = max(needed if up else -needed, Fraction(0)) / step
    steps = math.floor(units) + 1 if strict else math.ceil(units)
    return steps * step if up else -steps * step


def _current(env: Env, changed: Input) -> Fraction | None:
    if changed.index is None:
        value = env.facts.get(changed.fact)
        return value if isinstance(value, Fraction) else None
    return series_item(env, changed.fact, changed.index).lo


def _number(value: Fraction) -> int | float:
    return int(value) if value.denominator == 1 else float(value)


def change_of(changed: Input, delta: Fraction, env: Env) -> dict[str, Any]:
    """The change as JSON: fact, delta, the new value of the input and, for a series, its index and year."""
    change: dict[str, Any] = {"fact": changed.fact, "delta": float(delta)}
    if changed.index is not None:
        change.update(index=changed.index, year=_year(env, changed))
    current = _current(env, changed)
    if current is not None:
        change["value"] = _number(current + delta)
    return change


def compare_gap(leaf: Compare, env: Env, left: Interval, right: Interval) -> Gap:
    """The gap of a failing comparison: current value, target, change of one input, and a sentence in zh and en."""
    target = right.hi if right.hi is not None else right.lo
    current = left.hi if leaf.op in ("ge", "gt") else left.lo
    gap: Gap = {"criterion": leaf.id, "label": leaf.label}
    if target is None or current is None:
        return {**gap, "text": _requirement_text(leaf.label)}
    if isinstance(leaf.left, Age):
        gap.update({"current": float(current), "target": float(target)})
        return {**gap, "text": _age_text(leaf, current, target)}
    shown_now = _measured(leaf, current)
    gap.update({"current": shown_now, "target": float(target)})
    now, wanted = shown_pair(shown_now, target, leaf.unit)
    found = None if isinstance(leaf.left, Score) else _needed(leaf, env, left, target)
    if found is None:
        return {**gap, "text": _plain_text(leaf, now, wanted)}
    changed, needed, held = found
    up = leaf.op in ("ge", "gt")
    delta = round_change(needed, up=up, whole=_is_whole(changed.fact), strict=leaf.op in ("gt", "lt"))
    gap["change"] = change_of(changed, delta, env)
    gap["text"] = {lang: _change_text(leaf, (changed, delta, held), env, lang, (now, wanted)) for lang in ("en", "zh")}
    return gap


def _measured(leaf: Compare, current: Fraction) -> float:
    """The value as the criterion states it: a growth rate for a growth criterion (its trace compares ratios)."""
    if isinstance(leaf.left, Growth):
        return math.pow(current, 1 / leaf.left.years) - 1
    return float(current)


def _change_text(
    leaf: Compare, found: tuple[Input, Fraction, Input | None], env: Env, lang: str, shown: tuple[str, str]
) -> str:
    """「R&D ratio 2.9% → 3.0%：2024 年（上年度）研发费用+10 万元（按当前营业收入）」 and its English."""
    changed, delta, held = found
    sign = "+" if delta > 0 else "−"
    amount = f"{sign}{_fmt(float(abs(delta)), 'number', 2)}{_unit(changed.fact, lang)}"
    name = input_words(changed.fact, changed.index, _year(env, changed), lang)
    at = ""
    if held is not None:
        same_year = held.index is None or held.index == changed.index
        if same_year:
            at = translate("tiers.gap.at_this", lang, fact=_label(held.fact, lang))
        else:
            at = translate("tiers.gap.at", lang, fact=_label(held.fact, lang), year=_year(env, held))
    head = f"{leaf.label[lang]} {shown[0]} → {shown[1]}"
    if lang == "zh":
        return f"{head}：{name}{amount}{at}"
    return f"{head}: {amount} {name}{at}"


def _year(env: Env, changed: Input) -> int | None:
    """The fiscal year of a series position: [-1] is the year before `as_of`'s (tiers.md "Year series")."""
    return None if changed.index is None else env.as_of.year + changed.index


def _plain_text(leaf: Compare, now: str, target: str) -> dict[str, str]:
    return {"en": f"{leaf.label['en']} {now} → {target}", "zh": f"{leaf.label['zh']} {now} → {target}"}


def _age_text(leaf: Compare, current: Fraction, target: Fraction) -> dict[str, str]:
    assert isinstance(leaf.left, Age)
    if leaf.op in ("ge", "gt"):
        wait = int(target - current)
        unit_en, unit_zh = ("days", "天") if leaf.left.unit == "days" else ("years", "年")
        return {
            "en": f"{leaf.label['en']}: wait {wait} more {unit_en}",
            "zh": f"{leaf.label['zh']}：还需 {wait} {unit_zh}",
        }
    return {
        "en": f"{leaf.label['en']}: {int(current)} years > {int(target)}, cannot be changed",
        "zh": f"{leaf.label['zh']}：已成立 {int(current)} 年，超过 {int(target)} 年，无法弥补",
    }


def _requirement_text(label: dict[str, str]) -> dict[str, str]:
    return {"en": f"requires: {label['en']}", "zh": f"需满足：{label['zh']}"}


def requirement_gap(leaf: Node) -> Gap:
    """The gap of a failing non-numeric criterion: the requirement itself."""
    return {"criterion": leaf.id, "label": leaf.label, "text": _requirement_text(leaf.label)}
