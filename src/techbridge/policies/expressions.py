"""Numeric expressions of the criteria language: facts, series windows, sums, ratios, growth, age and scores.

Each evaluates to an Interval over the enterprise's facts (tiers.md shorthand: `rev[-1]`, `sum(rd[-k:])`,
`mean(main[-3:])`, `ratio(a, b)`, `(a ÷ b)^(1/n) − 1`). Missing years count as missing amounts except in
`sum_last` with a `k = min(...)` window, whose length follows the data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from fractions import Fraction
from typing import Any

from techbridge.policies.intervals import (
    FAST_UNKNOWN_AMOUNT,
    INF,
    UNDEFINED,
    UNKNOWN_AMOUNT,
    FastInterval,
    Interval,
    add,
    divide,
    fast_divide,
    point,
    scale,
    sub,
)


def float_facts(facts: dict[str, Any]) -> dict[str, Any]:
    """The facts with every exact number as a float (series elementwise), for the fast path."""
    result: dict[str, Any] = {}
    for name, value in facts.items():
        if isinstance(value, Fraction):
            result[name] = value.numerator / value.denominator
        elif isinstance(value, tuple) and (not value or not hasattr(value[0], "level")):
            result[name] = tuple(None if v is None else v.numerator / v.denominator for v in value)
        else:
            result[name] = value
    return result


@dataclass
class Env:
    """What one evaluation sees: parsed facts (exact, and as floats), the date, and the policy's score ranges."""

    facts: dict[str, Any]
    as_of: date
    scores: dict[str, Interval] = field(default_factory=dict)
    floats: dict[str, Any] = field(default_factory=dict)
    detail: bool = True

    def __post_init__(self) -> None:
        if not self.floats:
            self.floats = float_facts(self.facts)


class Expr:
    """A numeric expression; `facts` names the facts it reads."""

    facts: tuple[str, ...] = ()

    def evaluate(self, env: Env) -> Interval:
        """The range of values over every possible value of the missing facts."""
        raise NotImplementedError

    def fast(self, env: Env) -> FastInterval:
        """`evaluate` in floats (see intervals.fast_compare)."""
        value = self.evaluate(env)
        lo = -INF if value.lo is None else float(value.lo)
        hi = INF if value.hi is None else float(value.hi)
        return (lo, hi, value.defined, value.missing)

    def threshold_space(self, threshold: Fraction) -> Fraction:
        """A threshold mapped into the space `evaluate` returns (identity except for growth rates)."""
        return threshold


@dataclass
class Const(Expr):
    """A number written in the policy file."""

    value: Fraction

    def __post_init__(self) -> None:
        self.as_float = float(self.value)

    def evaluate(self, env: Env) -> Interval:
        return point(self.value)

    def fast(self, env: Env) -> FastInterval:
        return (self.as_float, self.as_float, True, False)


@dataclass
class FactValue(Expr):
    """A numeric fact: `employees`, `total_assets`."""

    fact: str

    def __post_init__(self) -> None:
        self.facts = (self.fact,)

    def evaluate(self, env: Env) -> Interval:
        value = env.facts.get(self.fact)
        return UNKNOWN_AMOUNT if value is None else point(value)

    def fast(self, env: Env) -> FastInterval:
        value = env.floats.get(self.fact)
        return FAST_UNKNOWN_AMOUNT if value is None else (value, value, True, False)


def fast_item(env: Env, fact: str, index: int) -> FastInterval:
    """`series_item` in floats."""
    series = env.floats.get(fact)
    if series is None or -index > len(series) or series[index] is None:
        return FAST_UNKNOWN_AMOUNT
    value: float = series[index]
    return (value, value, True, False)


def series_item(env: Env, fact: str, index: int) -> Interval:
    """`fact[index]` (negative, from the last year); a year the series lacks is a missing amount."""
    series = env.facts.get(fact)
    if series is None or -index > len(series) or series[index] is None:
        return UNKNOWN_AMOUNT
    return point(series[index])


@dataclass
class Item(Expr):
    """One year of a series: `rev[-1]`."""

    fact: str
    index: int

    def __post_init__(self) -> None:
        self.facts = (self.fact,)

    def evaluate(self, env: Env) -> Interval:
        return series_item(env, self.fact, self.index)

    def fast(self, env: Env) -> FastInterval:
        return fast_item(env, self.fact, self.index)


@dataclass
class SumLast(Expr):
    """`sum(fact[-n:])`; with `min_of`, n = min(years, len of each named series) (tiers.md `k = min(...)`)."""

    fact: str
    years: int
    min_of: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        self.facts = (self.fact, *self.min_of)

    def window(self, env: Env) -> int | None:
        """The window length, None when a series it depends on is missing."""
        if not self.min_of:
            return self.years
        lengths: list[int] = []
        for name in self.min_of:
            series = env.facts.get(name)
            if series is None:
                return None
            lengths.append(len(series))
        return min(self.years, *lengths)

    def evaluate(self, env: Env) -> Interval:
        years = self.window(env)
        if years is None:
            return UNKNOWN_AMOUNT
        total = point(Fraction(0))
        for index in range(-years, 0):
            total = add(total, series_item(env, self.fact, index))
        return total

    def fast(self, env: Env) -> FastInterval:
        years = self.window(env)
        if years is None:
            return FAST_UNKNOWN_AMOUNT
        lo = hi = 0.0
        missing = False
        for index in range(-years, 0):
            item = fast_item(env, self.fact, index)
            lo, hi, missing = lo + item[0], hi + item[1], missing or item[3]
        return (lo, hi, True, missing)


@dataclass
class Mean(Expr):
    """`mean(fact[-n:])`: the sum over n years divided by n, missing years being missing amounts."""

    fact: str
    years: int

    def __post_init__(self) -> None:
        self.facts = (self.fact,)

    def evaluate(self, env: Env) -> Interval:
        return scale(SumLast(self.fact, self.years).evaluate(env), Fraction(1, self.years))

    def fast(self, env: Env) -> FastInterval:
        lo, hi, defined, missing = SumLast(self.fact, self.years).fast(env)
        return (lo / self.years, hi / self.years, defined, missing)


@dataclass
class Binary(Expr):
    """`add`, `sub` or `div` of two expressions."""

    op: str
    left: Expr
    right: Expr

    def __post_init__(self) -> None:
        self.facts = (*self.left.facts, *self.right.facts)

    def evaluate(self, env: Env) -> Interval:
        a = self.left.evaluate(env)
        b = self.right.evaluate(env)
        if self.op == "add":
            return add(a, b)
        if self.op == "sub":
            return sub(a, b)
        return divide(a, b)

    def fast(self, env: Env) -> FastInterval:
        a = self.left.fast(env)
        b = self.right.fast(env)
        defined, missing = a[2] and b[2], a[3] or b[3]
        if self.op == "add":
            return (a[0] + b[0], a[1] + b[1], defined, missing)
        if self.op == "sub":
            return (a[0] - b[1], a[1] - b[0], defined, missing)
        return fast_divide(a, b)


@dataclass
class Growth(Expr):
    """Compound annual growth `(last ÷ first)^(1/years) − 1`, compared exactly as `last ÷ first ≥ (1+t)^years`."""

    last: Expr
    first: Expr
    years: int

    def __post_init__(self) -> None:
        self.facts = (*self.last.facts, *self.first.facts)

    def evaluate(self, env: Env) -> Interval:
        return divide(self.last.evaluate(env), self.first.evaluate(env))

    def fast(self, env: Env) -> FastInterval:
        return fast_divide(self.last.fast(env), self.first.fast(env))

    def threshold_space(self, threshold: Fraction) -> Fraction:
        return (1 + threshold) ** self.years


def completed_years(start: date, end: date) -> int:
    """Whole calendar years from `start` to `end`; a 29 February start has its anniversary on 1 March."""
    years = end.year - start.year
    month, day = start.month, start.day
    if (month, day) == (2, 29) and not _is_leap(end.year):
        month, day = 3, 1
    if (end.month, end.day) < (month, day):
        years -= 1
    return years


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


@dataclass
class Age(Expr):
    """Whole completed years from a date fact to the evaluation date, or whole days (`unit: days`)."""

    fact: str
    unit: str = "years"

    def __post_init__(self) -> None:
        self.facts = (self.fact,)

    def evaluate(self, env: Env) -> Interval:
        start = env.facts.get(self.fact)
        if start is None:
            return Interval(None, None, missing=True)
        if self.unit == "days":
            return point(Fraction((env.as_of - start) // timedelta(days=1)))
        return point(Fraction(completed_years(start, env.as_of)))


@dataclass
class Score(Expr):
    """The policy's total score, or a group's or an indicator's points."""

    part: str

    def evaluate(self, env: Env) -> Interval:
        return env.scores.get(self.part, UNDEFINED)
