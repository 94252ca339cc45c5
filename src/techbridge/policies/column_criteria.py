"""Criteria and score indicators compiled over columns (`columns.py`): one vectorised decision per chunk.

A verdict column holds FAIL (0), UNKNOWN (1) or PASS (2), so Kleene `all` is the minimum and `any` the maximum.
Each check also returns where floats cannot decide (a bound within `intervals.RELATIVE_MARGIN` of another, as
`compiled.py` detects it); the caller evaluates those enterprises row by row, exactly. A criterion kind without a
columnar form compiles to None.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

from techbridge.policies.columns import (
    ColumnExpr,
    Columns,
    Flags,
    Floats,
    Range,
    column_expr,
    is_near,
)
from techbridge.policies.compiled import is_whole
from techbridge.policies.criteria import Band, Compare, Exists, FactTest, Group, Node, kleene_any
from techbridge.policies.expressions import Const, Env
from techbridge.policies.intervals import INF
from techbridge.policies.scores import BestOf, ExprLadder, Indicator, RuleLadder

Verdicts = npt.NDArray[np.int8]
FAIL, UNKNOWN, PASS = 0, 1, 2
CODES: dict[bool | None, int] = {False: FAIL, None: UNKNOWN, True: PASS}
ColumnCheck = Callable[[Columns], tuple[Verdicts, Flags]]
Span = tuple[Floats, Floats, Flags]  # lowest points, highest points, undecidable in floats


def verdicts(passes: Flags, fails: Flags) -> Verdicts:
    """PASS where `passes`, else FAIL where `fails`, else UNKNOWN."""
    return np.where(passes, PASS, np.where(fails, FAIL, UNKNOWN)).astype(np.int8)


def compare_ranges(left: Range, op: str, right: Range) -> tuple[Verdicts, Flags]:
    """`intervals.fast_compare` elementwise: verdicts, and where it answers AMBIGUOUS."""
    defined = left[2] & right[2]
    if op in ("le", "lt"):
        left, right = right, left
    with np.errstate(invalid="ignore"):
        low, high = left[0], right[1]
        first = (low != -INF) & (high != INF)
        near_first = first & is_near(low, high)
        passes = first & ~near_first & (low - high > 0)
        low, high = right[0], left[1]
        second = (low != -INF) & (high != INF)
        near_second = ~near_first & ~passes & second & is_near(low, high)
        fails = ~near_first & ~passes & second & ~near_second & (low - high > 0)
    return verdicts(defined & passes, defined & fails), defined & (near_first | near_second)


def constant_check(op: str, left: ColumnExpr, bound: float) -> ColumnCheck:
    """`compiled.compile_constant_compare`: a finite constant bound, undecidable near it."""
    above = op in ("ge", "gt")

    def check(columns: Columns) -> tuple[Verdicts, Flags]:
        lo, hi, defined, _ = left(columns)
        with np.errstate(invalid="ignore"):
            first = lo != -INF
            near_first = first & is_near(lo, bound)
            over = first & ~near_first & (lo > bound)
            second = ~near_first & ~over & (hi != INF)
            near_second = second & is_near(bound, hi)
            under = second & ~near_second & (bound > hi)
        passes, fails = (over, under) if above else (under, over)
        return verdicts(defined & passes, defined & fails), defined & (near_first | near_second)

    return check


def whole_check(op: str, left: ColumnExpr, bound: float) -> ColumnCheck:
    """`compiled.compile_whole_compare`: whole values and bound, so floats decide ties too."""

    def check(columns: Columns) -> tuple[Verdicts, Flags]:
        lo, hi, defined, _ = left(columns)
        with np.errstate(invalid="ignore"):
            if op == "ge":
                passes, fails = lo >= bound, ~(lo >= bound) & (hi < bound)
            elif op == "gt":
                passes, fails = lo > bound, ~(lo > bound) & (hi <= bound)
            elif op == "le":
                passes, fails = hi <= bound, ~(hi <= bound) & (lo > bound)
            else:
                passes, fails = hi < bound, ~(hi < bound) & (lo >= bound)
        return verdicts(defined & passes, defined & fails), columns.nowhere()

    return check


def ladder_points(
    value: Range, rules: list[tuple[str, float, Any]], default: Any, columns: Columns
) -> tuple[Floats, Floats, Flags]:
    """`criteria.fast_ladder_outcomes` as the lowest and highest outcome; undecidable where it returns None.

    An undefined value leaves every rule undecided, as `fast_compare` does."""
    n = columns.count
    least, most = np.full(n, INF), np.full(n, -INF)
    done, exact = np.zeros(n, np.bool_), np.zeros(n, np.bool_)
    for op, edge, outcome in rules:
        verdict, near = compare_ranges(value, op, columns.constant(edge, edge, True, False))
        exact |= ~done & near
        done |= near
        taken = ~done & (verdict != FAIL)
        least = np.where(taken, np.minimum(least, float(outcome)), least)
        most = np.where(taken, np.maximum(most, float(outcome)), most)
        done |= verdict == PASS
    rest = ~done
    least = np.where(rest, np.minimum(least, float(default)), least)
    most = np.where(rest, np.maximum(most, float(default)), most)
    return least, most, exact


def band_threshold(band: Band) -> Callable[[Columns], tuple[Range, Flags]] | None:
    """`compiled.compile_band`: the band's threshold range, and where an edge is too close to call."""
    by = column_expr(band.by)
    if by is None:
        return None
    rules, default = band.fast_rules, band.default

    def threshold(columns: Columns) -> tuple[Range, Flags]:
        least, most, exact = ladder_points(by(columns), rules, default, columns)
        n = columns.count
        return (least, most, np.ones(n, np.bool_), np.zeros(n, np.bool_)), exact

    return threshold


def column_threshold(node: Compare) -> Callable[[Columns], tuple[Range, Flags]] | None:
    """`compiled.compile_threshold`: the right-hand side, and where it cannot be decided in floats; a growth
    rate's constant is mapped into its space once, with the same float power."""
    right, years = node.right, node.growth_years
    if isinstance(right, Band):
        return None if years else band_threshold(right)
    if years:
        if not isinstance(right, Const):
            return None
        value = right.as_float
        mapped = (1 + value) ** years
        return lambda columns: (columns.constant(mapped, mapped, True, False), columns.nowhere())
    expr = None if right is None else column_expr(right)
    if expr is None:
        return None
    return lambda columns: (expr(columns), columns.nowhere())


def general_check(node: Compare) -> ColumnCheck | None:
    """A comparison with a computed right-hand side (an expression, a band, or a growth rate's constant)."""
    assert node.left is not None
    left, right, op = column_expr(node.left), column_threshold(node), node.op
    if left is None or right is None:
        return None

    def check(columns: Columns) -> tuple[Verdicts, Flags]:
        threshold, exact = right(columns)
        verdict, near = compare_ranges(left(columns), op, threshold)
        return verdict, exact | near

    return check


def compare_check(node: Compare, whole_scores: bool) -> ColumnCheck | None:
    """A comparison, dispatched as `compiled.compile_compare` does."""
    assert node.left is not None
    constant = node.constant
    if constant is not None and constant[0] == constant[1] and abs(constant[0]) != INF:
        left = column_expr(node.left)
        if left is None:
            return None
        bound = constant[0]
        if bound.is_integer() and abs(bound) < 2**53 and is_whole(node.left, whole_scores):
            return whole_check(node.op, left, bound)
        return constant_check(node.op, left, bound)
    return general_check(node)


def group_check(node: Group, whole_scores: bool) -> ColumnCheck | None:
    """`all` as the minimum of the children's verdicts, `any` as the maximum."""
    children = [column_check(child, whole_scores) for child in node.children]
    if any(child is None for child in children):
        return None
    combine = np.minimum if node.mode == "all" else np.maximum
    empty = PASS if node.mode == "all" else FAIL

    def check(columns: Columns) -> tuple[Verdicts, Flags]:
        result = np.full(columns.count, empty, np.int8)
        exact = columns.nowhere()
        for child in children:
            assert child is not None
            verdict, near = child(columns)
            result = combine(result, verdict)
            exact |= near
        return result, exact

    return check


def row_check(decide: Callable[[Any, Env], bool | None], fact: str) -> ColumnCheck:
    """A test of a non-numeric fact, decided once per distinct value (every parsed fact value is hashable: bools,
    strings, frozensets, tuples of events); an absent fact is unknown."""

    def code(value: Any, env: Env) -> int:
        return UNKNOWN if value is None else CODES[decide(value, env)]

    def check(columns: Columns) -> tuple[Verdicts, Flags]:
        env = Env(facts={}, as_of=columns.as_of)
        values = columns.values(fact)
        table = {value: code(value, env) for value in set(values)}
        return np.array(list(map(table.__getitem__, values)), np.int8), columns.nowhere()

    return check


def column_check(node: Node, whole_scores: bool = False) -> ColumnCheck | None:
    """A criterion's columnar form (`whole_scores`: every point of the policy is whole), None without one."""
    if isinstance(node, Group):
        return group_check(node, whole_scores)
    if isinstance(node, Compare):
        return compare_check(node, whole_scores)
    if isinstance(node, FactTest):
        test = node.decide
        return row_check(lambda value, _env: test(value), node.fact)
    if isinstance(node, Exists):
        matches = node.matches
        return row_check(lambda events, env: kleene_any([matches(event, env) for event in events]), node.fact)
    return None


def expr_ladder(ladder: ExprLadder) -> Callable[[Columns], Span] | None:
    """`batch.ladder_span` over columns: an undefined value gives every outcome."""
    expr = None if ladder.expr is None else column_expr(ladder.expr)
    if expr is None:
        return None
    every = [*(rule[2] for rule in ladder.rules), ladder.default]
    rules, default = ladder.fast_rules, ladder.default

    def span(columns: Columns) -> Span:
        value = expr(columns)
        least, most, exact = ladder_points(value, rules, default, columns)
        defined = value[2]
        return (
            np.where(defined, least, float(min(every))),
            np.where(defined, most, float(max(every))),
            defined & exact,
        )

    return span


def rule_ladder(ladder: RuleLadder, whole_scores: bool) -> Callable[[Columns], Span] | None:
    """`batch.compile_rule_ladder`: the points of the first passing rule and of every undecided one before it."""
    rules = [(column_check(node, whole_scores), float(points)) for node, points in ladder.rules]
    if any(check is None for check, _ in rules):
        return None
    default = float(ladder.default)

    def span(columns: Columns) -> Span:
        n = columns.count
        least, most = np.full(n, INF), np.full(n, -INF)
        done, exact = np.zeros(n, np.bool_), np.zeros(n, np.bool_)
        for check, points in rules:
            assert check is not None
            verdict, near = check(columns)
            exact |= near
            taken = ~done & (verdict != FAIL)
            least = np.where(taken, np.minimum(least, points), least)
            most = np.where(taken, np.maximum(most, points), most)
            done |= verdict == PASS
        least = np.where(done, least, np.minimum(least, default))
        return least, np.where(done, most, np.maximum(most, default)), exact

    return span


def best_of(best: BestOf) -> Callable[[Columns], Span] | None:
    """`batch.compile_best_of`: options with a missing input are skipped; all skipped gives every outcome."""
    options = [(column_expr(o.expr), expr_ladder(o)) for o in best.options if o.expr is not None]
    if any(expr is None or ladder is None for expr, ladder in options):
        return None
    every = [0, *(points for option in best.options for _, _, points in option.rules)]
    unknown = (float(min(every)), float(max(every)))

    def span(columns: Columns) -> Span:
        n = columns.count
        least, most = np.full(n, -INF), np.full(n, -INF)
        kept, exact = np.zeros(n, np.bool_), np.zeros(n, np.bool_)
        for expr, ladder in options:
            assert expr is not None
            assert ladder is not None
            keep = ~expr(columns)[3]
            lo, hi, near = ladder(columns)
            least = np.where(keep, np.maximum(least, lo), least)
            most = np.where(keep, np.maximum(most, hi), most)
            kept |= keep
            exact |= keep & near
        return np.where(kept, least, unknown[0]), np.where(kept, most, unknown[1]), exact

    return span


def indicator_span(indicator: Indicator, whole_scores: bool) -> Callable[[Columns], Span] | None:
    """An indicator's lowest and highest points per enterprise, None for a kind without a columnar form."""
    if isinstance(indicator, ExprLadder):
        return expr_ladder(indicator)
    if isinstance(indicator, RuleLadder):
        return rule_ladder(indicator, whole_scores)
    if isinstance(indicator, BestOf):
        return best_of(indicator)
    return None
