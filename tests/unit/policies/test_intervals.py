"""Exact interval arithmetic and its float fast path."""

from __future__ import annotations

from fractions import Fraction

import pytest

from techbridge.policies.intervals import (
    AMBIGUOUS,
    INF,
    UNKNOWN_AMOUNT,
    Interval,
    add,
    compare,
    divide,
    fast_compare,
    fast_divide,
    point,
    sub,
)

F = Fraction


class TestCompare:
    def test_a_known_lower_bound_decides_ge(self) -> None:
        assert compare(add(point(F(1300)), UNKNOWN_AMOUNT), "ge", point(F(1200))) is True

    def test_an_unbounded_value_cannot_fail_ge(self) -> None:
        assert compare(add(point(F(0)), UNKNOWN_AMOUNT), "ge", point(F(1))) is None

    def test_le_fails_when_the_lower_bound_is_above(self) -> None:
        assert compare(Interval(F(6), None), "le", point(F(5))) is False

    def test_strict_comparisons_exclude_the_bound(self) -> None:
        assert compare(point(F(70)), "gt", point(F(70))) is False
        assert compare(point(F(70)), "lt", point(F(70))) is False
        assert compare(point(F(70)), "ge", point(F(70))) is True

    def test_undefined_is_unknown(self) -> None:
        assert compare(divide(point(F(1)), point(F(0))), "ge", point(F(0))) is None


class TestDivide:
    def test_missing_denominator_is_undefined(self) -> None:
        assert not divide(point(F(5)), UNKNOWN_AMOUNT).defined

    def test_missing_numerator_gives_zero_to_infinity(self) -> None:
        result = divide(UNKNOWN_AMOUNT, point(F(4)))
        assert (result.lo, result.hi, result.missing) == (F(0), None, True)

    def test_negative_numerator_range(self) -> None:
        result = divide(sub(point(F(1)), point(F(3))), Interval(F(2), F(4)))
        assert (result.lo, result.hi) == (F(-1), F(-1, 2))

    def test_range_spanning_zero(self) -> None:
        result = divide(Interval(F(-2), F(4)), Interval(F(2), None))
        assert (result.lo, result.hi) == (F(-1), F(2))


class TestFastPath:
    def test_ties_are_ambiguous_so_the_exact_path_decides(self) -> None:
        third = 1 / 3
        assert fast_compare((third, third, True, False), "ge", (third, third, True, False)) == AMBIGUOUS

    @pytest.mark.parametrize(("op", "expected"), [("ge", True), ("gt", True), ("le", False), ("lt", False)])
    def test_clear_cases_are_decided(self, op: str, expected: bool) -> None:
        assert fast_compare((0.06, 0.06, True, False), op, (0.05, 0.05, True, False)) is expected

    def test_infinite_bounds_are_unknown_not_close(self) -> None:
        assert fast_compare((0.0, INF, True, True), "ge", (1.0, 1.0, True, False)) is None

    def test_fast_divide_matches_exact_definedness(self) -> None:
        assert not fast_divide((1.0, 1.0, True, False), (0.0, INF, True, True))[2]
        assert fast_divide((0.0, INF, True, True), (2.0, 2.0, True, False))[:2] == (0.0, INF)
