"""Criteria trees: `all`/`any` groups over a closed set of leaf operators, evaluated in Kleene three-valued logic.

A leaf returns True (pass), False (fail) or None (unknown) and a trace naming the values used and the threshold.
Groups: `all` fails if any child fails, else is unknown if any child is unknown, else passes; `any` dually.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from typing import Any, TypeVar

from techbridge.policies.expressions import Const, Env, Expr, FactValue, Growth
from techbridge.policies.gaps import compare_gap, requirement_gap
from techbridge.policies.intervals import (
    AMBIGUOUS,
    INF,
    FastInterval,
    Interval,
    compare,
    fast_compare,
    point,
)

COMPARISONS = ("ge", "gt", "le", "lt")
OPERATORS = (*COMPARISONS, "is_true", "is_false", "in", "contains", "contains_any", "exists")
VERDICT_NAMES = {True: "pass", False: "fail", None: "unknown"}

Trace = dict[str, Any]
T = TypeVar("T")
Label = dict[str, str]


def kleene_all(verdicts: list[bool | None]) -> bool | None:
    """Fails if any fails, else unknown if any is unknown, else passes."""
    if False in verdicts:
        return False
    return None if None in verdicts else True


def kleene_any(verdicts: list[bool | None]) -> bool | None:
    """Passes if any passes, else unknown if any is unknown, else fails."""
    if True in verdicts:
        return True
    return None if None in verdicts else False


def show(value: Fraction | None) -> int | float | None:
    """A number for JSON output: an int when whole, else a float rounded to 6 places."""
    if value is None:
        return None
    if value.denominator == 1:
        return int(value)
    return round(float(value), 6)


def growth_rate(ratio: float, years: int) -> float:
    """The compound annual growth rate `ratio^(1/years) − 1` of a growth ratio `last ÷ first`."""
    return round(math.pow(ratio, 1 / years) - 1, 6)


def show_interval(value: Interval, expr: Expr | None = None) -> Trace:
    """`value` when known exactly, else `value_range` [lo, hi] (null = unbounded or undefined); a growth criterion
    shows its rate, not the ratio it compares exactly."""
    if not value.defined:
        return {"value": None}
    if isinstance(expr, Growth):
        lo = -INF if value.lo is None else float(value.lo)
        return show_fast((lo, INF if value.hi is None else float(value.hi), True, value.missing), expr)
    if value.is_point:
        return {"value": show(value.lo)}
    return {"value": None, "value_range": [show(value.lo), show(value.hi)]}


def show_float(value: float) -> int | float:
    """A fast-path number for JSON output, as `show` renders it."""
    return int(value) if value.is_integer() else round(value, 6)


def show_fast(value: FastInterval, expr: Expr | None = None) -> Trace:
    """`show_interval` for a float range."""
    lo, hi, defined, _ = value
    if not defined:
        return {"value": None}
    if isinstance(expr, Growth):
        lo = lo if lo == -INF else growth_rate(lo, expr.years)
        hi = hi if hi == INF else growth_rate(hi, expr.years)
    if lo == hi:
        return {"value": show_float(lo)}
    return {
        "value": None,
        "value_range": [None if lo == -INF else show_float(lo), None if hi == INF else show_float(hi)],
    }


@dataclass
class Node:
    """A criterion: a leaf or a group, with an id unique in its policy and zh/en labels."""

    id: str
    label: Label

    def evaluate(self, env: Env) -> tuple[bool | None, Trace]:
        """The verdict and its trace."""
        raise NotImplementedError

    def gap(self, env: Env) -> dict[str, Any]:
        """The smallest change that would pass this failing criterion."""
        return requirement_gap(self)

    def leaf_trace(self, verdict: bool | None, op: str, env: Env) -> Trace:
        """The trace head of a leaf; a failing leaf carries itself under `_gap` for `collect_gaps`."""
        if not env.detail:
            return {"id": self.id, "verdict": VERDICT_NAMES[verdict]}
        trace: Trace = {"id": self.id, "label": self.label, "verdict": VERDICT_NAMES[verdict], "op": op}
        if verdict is False:
            trace["_gap"] = self
        return trace


@dataclass
class Group(Node):
    """`all` or `any` over child criteria."""

    mode: str = "all"
    children: list[Node] = field(default_factory=list)

    def evaluate(self, env: Env) -> tuple[bool | None, Trace]:
        verdicts: list[bool | None] = []
        traces: list[Trace] = []
        for child in self.children:
            verdict, child_trace = child.evaluate(env)
            verdicts.append(verdict)
            traces.append(child_trace)
        result = kleene_all(verdicts) if self.mode == "all" else kleene_any(verdicts)
        if not env.detail:
            return result, {"id": self.id, "verdict": VERDICT_NAMES[result], "children": traces}
        trace: Trace = {"id": self.id, "label": self.label, "verdict": VERDICT_NAMES[result], "op": self.mode}
        trace["children"] = traces
        return result, trace


@dataclass
class Band:
    """A threshold that depends on a value: first rule whose `op bound` holds gives the threshold (else `default`)."""

    by: Expr
    rules: list[tuple[str, Fraction, Fraction]]
    default: Fraction

    def __post_init__(self) -> None:
        self.fast_rules = float_rules(self.rules)

    def evaluate(self, env: Env) -> Interval:
        """The range of thresholds possible for the range of `by`."""
        options = ladder_outcomes(self.by.evaluate(env), self.rules, self.default)
        return Interval(min(options), max(options))

    def fast(self, env: Env) -> FastInterval | None:
        """`evaluate` in floats; None when a band edge is too close to call."""
        options = fast_ladder_outcomes(self.by.fast(env), self.fast_rules, self.default)
        if options is None:
            return None
        return (float(min(options)), float(max(options)), True, False)


def fast_ladder_outcomes(value: FastInterval, rules: list[tuple[str, float, T]], default: T) -> list[T] | None:
    """`ladder_outcomes` over a float range and float band edges; None when a bound is too close to an edge."""
    outcomes: list[T] = []
    for op, edge, outcome in rules:
        verdict = fast_compare(value, op, (edge, edge, True, False))
        if verdict is AMBIGUOUS:
            return None
        if verdict is True:
            outcomes.append(outcome)
            return outcomes
        if verdict is None:
            outcomes.append(outcome)
    outcomes.append(default)
    return outcomes


def ladder_outcomes(value: Interval, rules: list[tuple[str, Fraction, T]], default: T) -> list[T]:
    """Every outcome a first-match ladder of `(op, bound, outcome)` rules can give for a value in `value`."""
    outcomes: list[T] = []
    for op, bound, outcome in rules:
        verdict = compare(value, op, point(bound))
        if verdict is True:
            outcomes.append(outcome)
            return outcomes
        if verdict is None:
            outcomes.append(outcome)
    outcomes.append(default)
    return outcomes


def float_rules(rules: list[tuple[str, Fraction, T]]) -> list[tuple[str, float, T]]:
    """Band rules with their edges as floats, computed once at load time for the fast path."""
    return [(op, float(bound), outcome) for op, bound, outcome in rules]


@dataclass
class Compare(Node):
    """`left op right` where right is a number, an expression or a band; exact over the ranges of both sides."""

    left: Expr | None = None
    op: str = "ge"
    right: Expr | Band | None = None
    unit: str = "number"

    def __post_init__(self) -> None:
        self.growth_years = self.left.years if isinstance(self.left, Growth) else 0
        self.constant: FastInterval | None = None
        if isinstance(self.right, Const) and not self.growth_years:
            self.constant = self.right.fast(Env(facts={}, as_of=date.min))

    def threshold(self, env: Env) -> Interval:
        """The right-hand side as a range, mapped into the left side's space."""
        assert self.left is not None
        assert self.right is not None
        right = self.right.evaluate(env)
        if not isinstance(self.left, Growth) or not right.defined:
            return right
        lo = None if right.lo is None else self.left.threshold_space(right.lo)
        hi = None if right.hi is None else self.left.threshold_space(right.hi)
        return Interval(lo, hi)

    def fast_threshold(self, env: Env) -> FastInterval | None:
        """The right-hand side in floats, mapped into the left side's space; None when it needs exact arithmetic."""
        if self.constant is not None:
            return self.constant
        assert self.right is not None
        right = self.right.fast(env)
        if right is None or not self.growth_years or not right[2]:
            return right
        years = self.growth_years
        lo = right[0] if right[0] == -INF else (1 + right[0]) ** years
        return (lo, (1 + right[1]) ** years if right[1] != INF else INF, True, right[3])

    def evaluate(self, env: Env) -> tuple[bool | None, Trace]:
        assert self.left is not None
        assert self.right is not None
        left = self.left.fast(env)
        right = self.fast_threshold(env)
        verdict = AMBIGUOUS if right is None else fast_compare(left, self.op, right)
        if verdict is AMBIGUOUS or isinstance(verdict, str):
            return self.evaluate_exact(env)
        trace = self.leaf_trace(verdict, self.op, env)
        if env.detail:
            self.name_fact(trace)
            trace.update(show_fast(left, self.left))
            raw = self.right.fast(env)
            assert raw is not None
            trace["threshold"] = show_fast(raw)["value"] if raw[0] == raw[1] else show_fast(raw)
        return verdict, trace

    def evaluate_exact(self, env: Env) -> tuple[bool | None, Trace]:
        """The same comparison in exact arithmetic (used near ties)."""
        assert self.left is not None
        assert self.right is not None
        left = self.left.evaluate(env)
        verdict = compare(left, self.op, self.threshold(env))
        trace = self.leaf_trace(verdict, self.op, env)
        if env.detail:
            self.name_fact(trace)
            trace.update(show_interval(left, self.left))
            raw_right = self.right.evaluate(env)
            trace["threshold"] = show_interval(raw_right)["value"] if raw_right.is_point else show_interval(raw_right)
        return verdict, trace

    def name_fact(self, trace: Trace) -> None:
        """Name the fact of a comparison on a single fact (the portal marks missing judged facts)."""
        if isinstance(self.left, FactValue):
            trace["fact"] = self.left.fact

    def gap(self, env: Env) -> dict[str, Any]:
        assert self.left is not None
        assert self.right is not None
        return compare_gap(self, env, self.left.evaluate(env), self.right.evaluate(env))


@dataclass
class FactTest(Node):
    """A test of a non-numeric fact: is_true / is_false (bool), in (enum), contains / contains_any (strings)."""

    fact: str = ""
    op: str = "is_true"
    values: tuple[str, ...] = ()

    def decide(self, value: Any) -> bool:
        """The verdict for a present value."""
        if self.op == "is_true":
            return value is True
        if self.op == "is_false":
            return value is False
        if self.op == "in":
            return value in self.values
        if self.op == "contains":
            return self.values[0] in value
        return bool(value & set(self.values))

    def evaluate(self, env: Env) -> tuple[bool | None, Trace]:
        value = env.facts.get(self.fact)
        verdict = None if value is None else self.decide(value)
        trace = self.leaf_trace(verdict, self.op, env)
        if env.detail:
            trace["fact"] = self.fact
            trace["value"] = sorted(value) if isinstance(value, frozenset) else value
            if self.values:
                trace["threshold"] = list(self.values)
        return verdict, trace


@dataclass
class Exists(Node):
    """An award or a led standard at one of `levels`, within the last `within_years` years, with rank ≤ `rank_le`."""

    fact: str = ""
    levels: tuple[str, ...] = ()
    within_years: int = 0
    rank_le: int | None = None

    def matches(self, event: Any, env: Env) -> bool | None:
        """Whether one event qualifies; None when its year or rank is missing."""
        verdicts: list[bool | None] = [event.level in self.levels]
        year = event.year
        verdicts.append(None if year is None else env.as_of.year - self.within_years <= year <= env.as_of.year)
        if self.rank_le is not None:
            verdicts.append(None if event.rank is None else event.rank <= self.rank_le)
        return kleene_all(verdicts)

    def evaluate(self, env: Env) -> tuple[bool | None, Trace]:
        events = env.facts.get(self.fact)
        verdict = None if events is None else kleene_any([self.matches(event, env) for event in events])
        trace = self.leaf_trace(verdict, "exists", env)
        if env.detail:
            trace["fact"] = self.fact
            trace["value"] = None if events is None else len(events)
            trace["threshold"] = {
                "levels": list(self.levels),
                "within_years": self.within_years,
                "rank_le": self.rank_le,
            }
        return verdict, trace
