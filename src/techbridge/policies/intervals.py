"""Exact interval arithmetic over non-negative facts: the bounds a value can take when some inputs are missing.

A missing amount or count is any value in [0, +inf) (tiers.md "Decided despite missing facts"). `lo`/`hi` are exact
Fractions, None standing for -inf / +inf. `defined` is False when a denominator is or may be 0; `missing` records
whether a missing input contributed (the tech_sme R&D option rule skips such options).
"""

from __future__ import annotations

from fractions import Fraction

Bound = Fraction | None


class Interval:
    """The closed range [lo, hi] of a numeric expression."""

    __slots__ = ("defined", "hi", "lo", "missing")

    def __init__(self, lo: Bound, hi: Bound, *, defined: bool = True, missing: bool = False) -> None:
        self.lo = lo
        self.hi = hi
        self.defined = defined
        self.missing = missing

    @property
    def is_point(self) -> bool:
        """Known exactly."""
        return self.defined and self.lo is not None and self.lo == self.hi

    def __repr__(self) -> str:
        return f"Interval({self.lo}, {self.hi}, defined={self.defined}, missing={self.missing})"


UNKNOWN_AMOUNT = Interval(Fraction(0), None, missing=True)
UNDEFINED = Interval(None, None, defined=False)


def point(value: Fraction) -> Interval:
    """A known value."""
    return Interval(value, value)


def _add_bound(a: Bound, b: Bound) -> Bound:
    return None if a is None or b is None else a + b


def add(a: Interval, b: Interval) -> Interval:
    """a + b."""
    return Interval(
        _add_bound(a.lo, b.lo),
        _add_bound(a.hi, b.hi),
        defined=a.defined and b.defined,
        missing=a.missing or b.missing,
    )


def negate(a: Interval) -> Interval:
    """-a."""
    return Interval(
        None if a.hi is None else -a.hi,
        None if a.lo is None else -a.lo,
        defined=a.defined,
        missing=a.missing,
    )


def sub(a: Interval, b: Interval) -> Interval:
    """a - b."""
    return add(a, negate(b))


def _div_bound(x: Bound, y: Bound) -> Bound:
    """x / y for a strictly positive y; None for x is an infinity, None for y is +inf."""
    if x is None:
        return None
    if y is None:
        return Fraction(0)
    return x / y


def divide(a: Interval, b: Interval) -> Interval:
    """a / b; undefined unless b is known to be strictly positive."""
    missing = a.missing or b.missing
    if not (a.defined and b.defined) or b.lo is None or b.lo <= 0:
        return Interval(None, None, defined=False, missing=missing)
    if a.lo is not None and a.lo >= 0:
        lo = _div_bound(a.lo, b.hi)
        hi = _div_bound(a.hi, b.lo)
    elif a.hi is not None and a.hi <= 0:
        lo = _div_bound(a.lo, b.lo)
        hi = _div_bound(a.hi, b.hi)
    else:
        lo = _div_bound(a.lo, b.lo)
        hi = _div_bound(a.hi, b.lo)
    return Interval(lo, hi, missing=missing)


def scale(a: Interval, factor: Fraction) -> Interval:
    """a × a positive constant."""
    return Interval(
        None if a.lo is None else a.lo * factor,
        None if a.hi is None else a.hi * factor,
        defined=a.defined,
        missing=a.missing,
    )


def compare(left: Interval, op: str, right: Interval) -> bool | None:
    """Three-valued `left op right` for every value in both ranges: True, False, or None (undecided)."""
    if not (left.defined and right.defined):
        return None
    if op in ("le", "lt"):
        return compare(right, "ge" if op == "le" else "gt", left)
    strict = op == "gt"
    if _holds(left.lo, right.hi, strict=strict):
        return True
    if _holds(right.lo, left.hi, strict=not strict):
        return False
    return None


def _holds(low: Bound, high: Bound, *, strict: bool) -> bool:
    """low (a lower bound) > / >= high (an upper bound); unbounded ends never hold."""
    if low is None or high is None:
        return False
    return low > high if strict else low >= high


# Fast path: the same ranges in binary floats (inf for unbounded). A float decision is used only when no compared
# bound lies within RELATIVE_MARGIN of another; otherwise the caller recomputes exactly with Fractions, so verdicts
# stay exact (a tie such as a CAGR of exactly 20% is always decided by the exact path).
INF = float("inf")
RELATIVE_MARGIN = 1e-9
FastInterval = tuple[float, float, bool, bool]  # lo, hi, defined, missing
FAST_UNKNOWN_AMOUNT: FastInterval = (0.0, INF, True, True)
AMBIGUOUS = "ambiguous"


def fast_divide(a: FastInterval, b: FastInterval) -> FastInterval:
    """a / b in floats; undefined unless b's lower bound is strictly positive."""
    missing = a[3] or b[3]
    if not (a[2] and b[2]) or b[0] <= 0:
        return (-INF, INF, False, missing)
    a_lo, a_hi, b_lo, b_hi = a[0], a[1], b[0], b[1]
    if a_lo >= 0:
        return (a_lo / b_hi if b_hi != INF else 0.0, a_hi / b_lo, True, missing)
    if a_hi <= 0:
        return (a_lo / b_lo, a_hi / b_hi if b_hi != INF else 0.0, True, missing)
    return (a_lo / b_lo, a_hi / b_lo, True, missing)


def fast_compare(left: FastInterval, op: str, right: FastInterval) -> bool | str | None:
    """`compare` in floats, or AMBIGUOUS when a bound is too close to call without exact arithmetic."""
    if not (left[2] and right[2]):
        return None
    if op in ("le", "lt"):
        left, right = right, left
    low, high = left[0], right[1]  # passes when the lowest left is above the highest right
    if low != -INF and high != INF:
        gap = low - high
        if abs(gap) <= RELATIVE_MARGIN * (abs(low) + abs(high)):
            return AMBIGUOUS
        if gap > 0:
            return True
    low, high = right[0], left[1]  # fails when the lowest right is above the highest left
    if low != -INF and high != INF:
        gap = low - high
        if abs(gap) <= RELATIVE_MARGIN * (abs(low) + abs(high)):
            return AMBIGUOUS
        if gap > 0:
            return False
    return None
