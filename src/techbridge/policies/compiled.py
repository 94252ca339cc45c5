"""Criteria and expressions compiled once into closures over float facts, for the batch fast path (`batch.py`).

Each closure computes what the object's `fast`/`evaluate` computes, reading `Env.floats`; wherever the original
falls back to exact Fractions (a bound within `intervals.RELATIVE_MARGIN` of another), the closure calls the same
exact method on `env`, which parses the exact facts on first use only. Groups stop at the first child that
decides them, which Kleene logic allows because evaluation is pure.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from techbridge.policies.criteria import Band, Compare, Exists, FactTest, Group, Node, fast_ladder_outcomes, kleene_any
from techbridge.policies.expressions import (
    Age,
    Binary,
    Const,
    Env,
    Expr,
    FactValue,
    Growth,
    Item,
    Mean,
    Score,
    SumLast,
    completed_years,
)
from techbridge.policies.facts import load_fact_specs, parse_value
from techbridge.policies.intervals import (
    FAST_UNKNOWN_AMOUNT,
    INF,
    RELATIVE_MARGIN,
    FastInterval,
    fast_compare,
    fast_divide,
)

Verdict = bool | None
UNKNOWN_DATE: FastInterval = (-INF, INF, True, True)


class ExactFacts(dict[str, Any]):
    """An enterprise's exact facts, each parsed from its raw (already validated) value when first read.

    Near a tie only the facts of the one comparison are turned into Fractions. The engine reads facts with `get`.
    """

    def __init__(self, raw: dict[str, Any]) -> None:
        super().__init__()
        self.raw = raw

    def get(self, key: str, default: Any = None) -> Any:
        """The exact value of fact `key`, or `default` when absent."""
        if key in self:
            return self[key]
        value = self.raw.get(key)
        if value is None:
            return default
        parsed = self[key] = parse_value(load_fact_specs()[key], value)
        return parsed


Check = Callable[[Env], Verdict]
FastExpr = Callable[[Env], FastInterval]
Threshold = Callable[[Env], FastInterval | None]


def compile_sum(expr: SumLast | Mean) -> FastExpr:
    """`SumLast.fast` (`Mean.fast` divides by the years); a `min_of` window follows the named series' lengths."""
    fact, years = expr.fact, expr.years
    peers = expr.min_of if isinstance(expr, SumLast) else ()
    divisor = years if isinstance(expr, Mean) else 1

    def total(env: Env) -> FastInterval:
        window = years
        for name in peers:
            peer = env.floats.get(name)
            if peer is None:
                return FAST_UNKNOWN_AMOUNT
            window = min(window, len(peer))
        series = env.floats.get(fact)
        if series is None:
            return (0.0, INF, True, True) if window else (0.0, 0.0, True, False)
        lo = 0.0
        missing = False
        for value in series[-window:] if window else ():
            if value is None:
                missing = True
            else:
                lo += value
        missing = missing or window > len(series)
        hi = INF if missing else lo
        return (lo / divisor, hi / divisor, True, missing) if divisor != 1 else (lo, hi, True, missing)

    return total


def compile_fact(fact: str) -> FastExpr:
    """A numeric fact, as `FactValue.fast`."""

    def value_of(env: Env) -> FastInterval:
        value = env.floats.get(fact)
        return FAST_UNKNOWN_AMOUNT if value is None else (value, value, True, False)

    return value_of


def compile_binary(op: str, left: FastExpr, right: FastExpr) -> FastExpr:
    """`add`, `sub` or `div`, as `Binary.fast`."""

    def add(env: Env) -> FastInterval:
        a, b = left(env), right(env)
        return (a[0] + b[0], a[1] + b[1], a[2] and b[2], a[3] or b[3])

    def sub(env: Env) -> FastInterval:
        a, b = left(env), right(env)
        return (a[0] - b[1], a[1] - b[0], a[2] and b[2], a[3] or b[3])

    def div(env: Env) -> FastInterval:
        return fast_divide(left(env), right(env))

    return add if op == "add" else sub if op == "sub" else div


def compile_item(fact: str, index: int) -> FastExpr:
    """One year of a series, as `expressions.fast_item`."""

    def item(env: Env) -> FastInterval:
        series = env.floats.get(fact)
        if series is None or -index > len(series):
            return FAST_UNKNOWN_AMOUNT
        value = series[index]
        return FAST_UNKNOWN_AMOUNT if value is None else (value, value, True, False)

    return item


def compile_age(fact: str, unit: str) -> FastExpr:
    """`Age.evaluate` in floats (a date fact is the same in the float facts)."""

    def age(env: Env) -> FastInterval:
        start = env.floats.get(fact)
        if start is None:
            return UNKNOWN_DATE
        assert isinstance(start, date)
        if unit == "days":
            value = float((env.as_of - start) // timedelta(days=1))
        else:
            value = float(completed_years(start, env.as_of))
        return (value, value, True, False)

    return age


def compile_expr(expr: Expr) -> FastExpr:
    """A closure computing `expr.fast(env)`; an unknown kind calls it on the exact facts."""
    if isinstance(expr, Const):
        constant = (expr.as_float, expr.as_float, True, False)
        return lambda env: constant
    if isinstance(expr, FactValue):
        return compile_fact(expr.fact)
    if isinstance(expr, Item):
        return compile_item(expr.fact, expr.index)
    if isinstance(expr, SumLast | Mean):
        return compile_sum(expr)
    if isinstance(expr, Binary):
        return compile_binary(expr.op, compile_expr(expr.left), compile_expr(expr.right))
    if isinstance(expr, Growth):
        last, first = compile_expr(expr.last), compile_expr(expr.first)
        return lambda env: fast_divide(last(env), first(env))
    if isinstance(expr, Age):
        return compile_age(expr.fact, expr.unit)
    if isinstance(expr, Score):
        return expr.fast  # reads only env.scores
    return lambda env: expr.fast(env)


def compile_band(band: Band) -> Threshold:
    """`Band.fast`: None when a band edge is too close to call."""
    by, rules, default = compile_expr(band.by), band.fast_rules, band.default

    def threshold(env: Env) -> FastInterval | None:
        options = fast_ladder_outcomes(by(env), rules, default)
        if options is None:
            return None
        return (float(min(options)), float(max(options)), True, False)

    return threshold


def compile_threshold(node: Compare) -> Threshold:
    """`Compare.fast_threshold`: the right-hand side mapped into a growth rate's space."""
    assert node.right is not None
    raw: Threshold = compile_band(node.right) if isinstance(node.right, Band) else compile_expr(node.right)
    years = node.growth_years
    if not years:
        return raw

    def mapped(env: Env) -> FastInterval | None:
        right = raw(env)
        if right is None or not right[2]:
            return right
        lo = right[0] if right[0] == -INF else (1 + right[0]) ** years
        return (lo, (1 + right[1]) ** years if right[1] != INF else INF, True, right[3])

    return mapped


def is_near(a: float, b: float) -> bool:
    """Whether two finite bounds are too close to compare in floats (as `intervals.fast_compare` decides)."""
    return abs(a - b) <= RELATIVE_MARGIN * (abs(a) + abs(b))


def compile_constant_compare(node: Compare, left: FastExpr, bound: float) -> Check:
    """`left op bound` for a finite constant bound: `intervals.fast_compare` specialised, exact near a tie."""
    above = node.op in ("ge", "gt")

    def check(env: Env) -> Verdict:
        lo, hi, defined, _ = left(env)
        if not defined:
            return None
        if lo != -INF:  # the lowest value is above the bound: passes `ge`, fails `le`
            if is_near(lo, bound):
                return node.evaluate_exact(env)[0]
            if lo > bound:
                return above
        if hi != INF:  # the highest value is below the bound: fails `ge`, passes `le`
            if is_near(bound, hi):
                return node.evaluate_exact(env)[0]
            if bound > hi:
                return not above
        return None

    return check


def is_whole(expr: Expr, whole_scores: bool) -> bool:
    """Whether `expr` is always a whole number (or an unbounded end), so its floats are exact below 2**53.

    Counts are validated whole and non-negative, ages are whole years or days, sums of them stay whole; scores are
    whole when every point of the sheet is.
    """
    if isinstance(expr, FactValue | Item | SumLast):
        return load_fact_specs()[expr.fact].type in ("count", "counts")
    if isinstance(expr, Age):
        return True
    if isinstance(expr, Score):
        return whole_scores
    if isinstance(expr, Binary):
        return expr.op == "add" and is_whole(expr.left, whole_scores) and is_whole(expr.right, whole_scores)
    return False


def compile_whole_compare(op: str, left: FastExpr, bound: float) -> Check:
    """`left op bound` for a whole left side and a whole bound below 2**53: the float comparison is exact, ties too."""

    def check(env: Env) -> Verdict:
        lo, hi, defined, _ = left(env)
        if not defined:
            return None
        if op == "ge":
            return True if lo >= bound else False if hi < bound else None
        if op == "gt":
            return True if lo > bound else False if hi <= bound else None
        if op == "le":
            return True if hi <= bound else False if lo > bound else None
        return True if hi < bound else False if lo >= bound else None

    return check


def compile_compare(node: Compare, whole_scores: bool = False) -> Check:
    """A comparison decided in floats, exactly near a tie (as `Compare.evaluate`)."""
    assert node.left is not None
    left, op, constant = compile_expr(node.left), node.op, node.constant
    if constant is not None and constant[0] == constant[1] and abs(constant[0]) != INF:
        bound = constant[0]
        if bound.is_integer() and abs(bound) < 2**53 and is_whole(node.left, whole_scores):
            return compile_whole_compare(op, left, bound)
        return compile_constant_compare(node, left, bound)
    threshold = compile_threshold(node)

    def check(env: Env) -> Verdict:
        right = threshold(env)
        verdict = "exact" if right is None else fast_compare(left(env), op, right)
        if isinstance(verdict, str):
            return node.evaluate_exact(env)[0]
        return verdict

    return check


def compile_group(node: Group, whole_scores: bool) -> Check:
    """`all` / `any` in Kleene logic, stopping at the first child that decides the group."""
    checks = tuple(compile_node(child, whole_scores) for child in node.children)
    decisive = node.mode != "all"

    def check(env: Env) -> Verdict:
        unknown = False
        for child in checks:
            verdict = child(env)
            if verdict is decisive:
                return decisive
            if verdict is None:
                unknown = True
        return None if unknown else not decisive

    return check


def compile_node(node: Node, whole_scores: bool = False) -> Check:
    """A criterion as a closure giving its verdict (`whole_scores`: the policy's points are all whole)."""
    if isinstance(node, Group):
        return compile_group(node, whole_scores)
    if isinstance(node, Compare):
        return compile_compare(node, whole_scores)
    if isinstance(node, FactTest):
        fact, test = node.fact, node.decide
        return lambda env: None if (value := env.floats.get(fact)) is None else test(value)
    if isinstance(node, Exists):
        fact, matches = node.fact, node.matches
        return lambda env: (
            None if (events := env.floats.get(fact)) is None else kleene_any([matches(event, env) for event in events])
        )
    return lambda env: node.evaluate(env)[0]
