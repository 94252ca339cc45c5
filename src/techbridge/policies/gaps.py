"""Gap to eligibility: for a failing criterion, the smallest change of one input that would pass it, in zh and en."""

from __future__ import annotations

import math
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from techbridge.policies.expressions import Age, Binary, Env, Expr, FactValue, Growth, Item, Mean, Score, SumLast
from techbridge.policies.facts import load_fact_specs
from techbridge.policies.intervals import Interval

if TYPE_CHECKING:
    from techbridge.policies.criteria import Compare, Node

Gap = dict[str, Any]
COUNT_TYPES = frozenset({"count", "counts"})


def _fmt(value: Fraction, unit: str) -> str:
    if unit == "percent":
        return f"{float(value) * 100:.1f}%"
    if value.denominator == 1:
        return str(int(value))
    return f"{float(value):.2f}".rstrip("0").rstrip(".")


def _round_up(value: Fraction, *, whole: bool) -> Fraction:
    """The change rounded up so that it really passes: whole units for counts, 0.01 for amounts."""
    if whole:
        return Fraction(math.ceil(value))
    return Fraction(math.ceil(value * 100), 100)


def _fact_of(expr: Expr) -> str | None:
    if isinstance(expr, FactValue | Item | SumLast | Mean):
        return expr.fact
    if isinstance(expr, Binary) and expr.op == "add":
        return _fact_of(expr.left)
    return None


def _label(fact: str | None, lang: str) -> str:
    if fact is None:
        return ""
    spec = load_fact_specs()[fact]
    return spec.zh if lang == "zh" else spec.en


def _unit_of(fact: str | None) -> tuple[str, bool]:
    """Display unit and whether the fact is whole-numbered."""
    if fact is None:
        return "", False
    kind = load_fact_specs()[fact].type
    if kind in COUNT_TYPES:
        return "", True
    return (" 万元", False) if kind in ("amounts", "number") else ("", False)


def _needed(leaf: Compare, current: Fraction, target: Fraction) -> Fraction:
    """How far `current` must move (positive) to satisfy `current op target`."""
    return target - current if leaf.op in ("ge", "gt") else current - target


def _change(leaf: Compare, env: Env, left: Interval, target: Fraction) -> tuple[str | None, Fraction | None, str]:
    """The input to change, by how much, and the denominator fact the change is computed at."""
    expr = leaf.left
    if isinstance(expr, Growth):
        last, first = expr.last.evaluate(env), expr.first.evaluate(env)
        if last.is_point and first.is_point and first.lo and last.lo is not None:
            return _fact_of(expr.last), first.lo * (1 + target) ** expr.years - last.lo, _fact_of(expr.first) or ""
        return None, None, ""
    if isinstance(expr, Binary) and expr.op == "div":
        num, den = expr.left.evaluate(env), expr.right.evaluate(env)
        if num.is_point and den.is_point and num.lo is not None and den.lo is not None:
            return _fact_of(expr.left), _needed(leaf, num.lo, target * den.lo), _fact_of(expr.right) or ""
        return None, None, ""
    if expr is not None and left.is_point and left.lo is not None:
        return _fact_of(expr), _needed(leaf, left.lo, target), ""
    return None, None, ""


def compare_gap(leaf: Compare, env: Env, left: Interval, right: Interval) -> Gap:
    """The gap of a failing comparison: current value, target, change of one input, and a sentence in zh and en."""
    target = right.hi if right.hi is not None else right.lo
    current = left.hi if leaf.op in ("ge", "gt") else left.lo
    gap: Gap = {"criterion": leaf.id, "label": leaf.label}
    if target is None or current is None:
        return {**gap, "text": _requirement_text(leaf.label)}
    shown_now, shown_target = _fmt(current, leaf.unit), _fmt(target, leaf.unit)
    gap.update({"current": float(current), "target": float(target)})
    if isinstance(leaf.left, Age):
        return {**gap, "text": _age_text(leaf, current, target)}
    fact, delta, per = _change(leaf, env, left, target)
    if isinstance(leaf.left, Score) or fact is None or delta is None:
        return {**gap, "text": _plain_text(leaf, shown_now, shown_target)}
    unit, whole = _unit_of(fact)
    strict = leaf.op in ("gt", "lt")
    delta = _round_up(delta + (1 if strict and whole else 0), whole=whole)
    if strict and not whole:
        delta += Fraction(1, 100)
    sign = "+" if leaf.op in ("ge", "gt") else "−"
    gap["change"] = {"fact": fact, "delta": float(delta if sign == "+" else -delta)}
    at_en = f" at this {_label(per, 'en')}" if per else ""
    at_zh = f"（按当前{_label(per, 'zh')}）" if per else ""
    amount = _fmt(delta, "number")
    gap["text"] = {
        "en": f"{leaf.label['en']} {shown_now} → {shown_target}: {sign}{amount}{unit} {_label(fact, 'en')}{at_en}",
        "zh": f"{leaf.label['zh']} {shown_now} → {shown_target}：{_label(fact, 'zh')}{sign}{amount}{unit}{at_zh}",
    }
    return gap


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
