"""Many enterprises' float facts as columns (numpy arrays per fact key), and expressions compiled over them.

The columnar batch (`columnar.py`) evaluates each criterion once over all enterprises of a chunk. A range is four
arrays `(lo, hi, defined, missing)`, computed with the same float operations, in the same order, as the closures
of `compiled.py` compute them for one enterprise, so every bound is the same float. An absent number is NaN in its
column; a series is right-aligned (the last year in the last column), NaN for a missing or absent year.
An expression kind that has no columnar form compiles to None, and its policy is evaluated row by row.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import repeat
from typing import Any

import numpy as np
import numpy.typing as npt

from techbridge.policies.expressions import Age, Binary, Const, Expr, FactValue, Growth, Item, Mean, Score, SumLast
from techbridge.policies.expressions import completed_years as completed
from techbridge.policies.intervals import INF, RELATIVE_MARGIN

Floats = npt.NDArray[np.float64]
Flags = npt.NDArray[np.bool_]
Range = tuple[Floats, Floats, Flags, Flags]  # lo, hi, defined, missing
NAN = float("nan")


@dataclass
class Columns:
    """One chunk of enterprises: their float facts (`facts.parse_float_facts`), columns built on first use."""

    rows: Sequence[dict[str, Any]]
    as_of: date
    scores: dict[str, tuple[Floats, Floats]] = field(default_factory=dict)
    _values: dict[str, list[Any]] = field(default_factory=dict)
    _numbers: dict[str, Floats] = field(default_factory=dict)
    _series: dict[str, tuple[Floats, npt.NDArray[np.int64]]] = field(default_factory=dict)

    @property
    def count(self) -> int:
        """How many enterprises."""
        return len(self.rows)

    def values(self, fact: str) -> list[Any]:
        """The fact's float value per enterprise (None when absent)."""
        if fact not in self._values:
            self._values[fact] = list(map(dict.get, self.rows, repeat(fact, self.count)))
        return self._values[fact]

    def number(self, fact: str) -> Floats:
        """A numeric fact as floats, NaN when absent."""
        if fact not in self._numbers:
            self._numbers[fact] = np.array(self.values(fact), np.float64)  # None becomes NaN
        return self._numbers[fact]

    def series(self, fact: str) -> tuple[Floats, npt.NDArray[np.int64]]:
        """A series right-aligned in a (enterprises × longest) array, and each length (-1 when absent)."""
        if fact not in self._series:
            found = self.values(fact)
            width = max((len(s) for s in found if s is not None), default=0)
            grid = [[NAN] * (width - len(s)) + [NAN if v is None else v for v in s] for s in found if s is not None]
            full = np.full((self.count, width), NAN)
            present = np.fromiter((s is not None for s in found), np.bool_, self.count)
            if grid and width:
                full[present] = np.array(grid, dtype=np.float64)
            lengths = np.fromiter((-1 if s is None else len(s) for s in found), np.int64, self.count)
            self._series[fact] = (full, lengths)
        return self._series[fact]

    def nowhere(self) -> Flags:
        """False for every enterprise."""
        return np.zeros(self.count, np.bool_)

    def constant(self, lo: float, hi: float, defined: bool, missing: bool) -> Range:
        """The same range for every enterprise."""
        n = self.count
        return (np.full(n, lo), np.full(n, hi), np.full(n, defined), np.full(n, missing))


ColumnExpr = Callable[[Columns], Range]


def is_near(a: Floats | float, b: Floats | float) -> Flags:
    """Bounds too close to compare in floats (`intervals.fast_compare`); NaN is never near."""
    with np.errstate(invalid="ignore"):
        return np.asarray(np.abs(a - b) <= RELATIVE_MARGIN * (np.abs(a) + np.abs(b)))


def known(values: Floats) -> Range:
    """A column as ranges: a present value is a point, an absent one any amount in [0, +inf)."""
    absent = np.isnan(values)
    return (np.where(absent, 0.0, values), np.where(absent, INF, values), np.ones(len(values), np.bool_), absent)


def column_item(fact: str, index: int) -> ColumnExpr:
    """`fact[index]` (negative: from the last year), as `compiled.compile_item`."""

    def item(columns: Columns) -> Range:
        grid, _ = columns.series(fact)
        if -index > grid.shape[1]:
            return columns.constant(0.0, INF, True, True)
        return known(grid[:, grid.shape[1] + index])

    return item


def window_of(columns: Columns, years: int, peers: tuple[str, ...]) -> tuple[npt.NDArray[np.int64], Flags]:
    """The window length per enterprise (`years`, shortened to the named series' lengths) and where one is absent."""
    window = np.full(columns.count, years, np.int64)
    absent = np.zeros(columns.count, np.bool_)
    for name in peers:
        lengths = columns.series(name)[1]
        absent |= lengths < 0
        window = np.minimum(window, lengths)
    return window, absent


def column_sum(expr: SumLast | Mean) -> ColumnExpr:
    """`compiled.compile_sum`: the years added oldest first, a missing year makes the top unbounded."""
    fact, years = expr.fact, expr.years
    peers = expr.min_of if isinstance(expr, SumLast) else ()
    divisor = years if isinstance(expr, Mean) else 1

    def total(columns: Columns) -> Range:
        window, unknown = window_of(columns, years, peers)
        grid, lengths = columns.series(fact)
        width = grid.shape[1]
        lo = np.zeros(columns.count)
        missing = window > lengths
        for back in range(years, 0, -1):
            included = back <= window
            if back > width:
                continue
            value = grid[:, width - back]
            gap = np.isnan(value)
            lo = lo + np.where(included & ~gap, value, 0.0)
            missing |= included & gap
        hi = np.where(missing, INF, lo)
        absent = lengths < 0
        lo = np.where(absent, 0.0, lo)
        hi = np.where(absent, np.where(window > 0, INF, 0.0), hi)
        missing = np.where(absent, window > 0, missing)
        if divisor != 1:
            lo, hi = lo / divisor, hi / divisor
        return (np.where(unknown, 0.0, lo), np.where(unknown, INF, hi), np.ones_like(unknown), missing | unknown)

    return total


def divide(a: Range, b: Range) -> Range:
    """`intervals.fast_divide` elementwise (the same comparisons, so NaN bounds go the same way)."""
    missing = a[3] | b[3]
    a_lo, a_hi, b_lo, b_hi = a[0], a[1], b[0], b[1]
    with np.errstate(all="ignore"):
        ok = a[2] & b[2] & ~(b_lo <= 0)
        unbounded = b_hi == INF
        over_hi_lo = np.where(unbounded, 0.0, a_lo / b_hi)
        over_hi_hi = np.where(unbounded, 0.0, a_hi / b_hi)
        over_lo_lo, over_lo_hi = a_lo / b_lo, a_hi / b_lo
        positive = a_lo >= 0
        negative = ~positive & (a_hi <= 0)
        lo = np.where(positive, over_hi_lo, over_lo_lo)
        hi = np.where(positive, over_lo_hi, np.where(negative, over_hi_hi, over_lo_hi))
    return (np.where(ok, lo, -INF), np.where(ok, hi, INF), ok, missing)


def column_binary(op: str, left: ColumnExpr, right: ColumnExpr) -> ColumnExpr:
    """`add`, `sub` or `div`, as `compiled.compile_binary`."""

    def binary(columns: Columns) -> Range:
        a, b = left(columns), right(columns)
        if op == "div":
            return divide(a, b)
        with np.errstate(invalid="ignore"):
            if op == "add":
                return (a[0] + b[0], a[1] + b[1], a[2] & b[2], a[3] | b[3])
            return (a[0] - b[1], a[1] - b[0], a[2] & b[2], a[3] | b[3])

    return binary


def column_age(fact: str, unit: str) -> ColumnExpr:
    """`Age` in whole years or days; an absent date is any value."""

    def age(columns: Columns) -> Range:
        as_of = columns.as_of
        starts = columns.values(fact)
        if unit == "days":
            ages = [NAN if s is None else float((as_of - s) // timedelta(days=1)) for s in starts]
        else:
            ages = [NAN if s is None else float(completed(s, as_of)) for s in starts]
        values = np.array(ages, dtype=np.float64)
        absent = np.isnan(values)
        return (np.where(absent, -INF, values), np.where(absent, INF, values), np.ones_like(absent), absent)

    return age


def column_score(part: str) -> ColumnExpr:
    """A score part the sheet computed for the chunk (undefined when the sheet has no such part)."""

    def score(columns: Columns) -> Range:
        found = columns.scores.get(part)
        if found is None:
            return columns.constant(-INF, INF, False, False)
        lo, hi = found
        return (lo, hi, np.ones(len(lo), np.bool_), np.zeros(len(lo), np.bool_))

    return score


def column_expr(expr: Expr) -> ColumnExpr | None:
    """The columnar form of an expression, None for a kind without one."""
    if isinstance(expr, Const):
        value = expr.as_float
        return lambda columns: columns.constant(value, value, True, False)
    if isinstance(expr, FactValue):
        fact = expr.fact
        return lambda columns: known(columns.number(fact))
    if isinstance(expr, Item):
        return column_item(expr.fact, expr.index) if expr.index < 0 else None
    if isinstance(expr, SumLast | Mean):
        return column_sum(expr)
    if isinstance(expr, Binary) and expr.op in ("add", "sub", "div"):
        left, right = column_expr(expr.left), column_expr(expr.right)
        return None if left is None or right is None else column_binary(expr.op, left, right)
    if isinstance(expr, Growth):
        last, first = column_expr(expr.last), column_expr(expr.first)
        return None if last is None or first is None else column_binary("div", last, first)
    if isinstance(expr, Age):
        return column_age(expr.fact, expr.unit)
    if isinstance(expr, Score):
        return column_score(expr.part)
    return None
