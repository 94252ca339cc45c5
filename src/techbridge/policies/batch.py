"""The batch fast path: verdicts, scores and top-level criterion verdicts of every policy, without traces.

Used one enterprise at a time where nothing else is needed, and by the columnar batch (`columnar.py`, which the
stored pools use) for the enterprises floats cannot decide. Each policy version is compiled once into
closures (`compiled.py`, score sheets here); facts are read as floats (`facts.parse_float_facts`) and the exact facts
are parsed only if a bound lies within `intervals.RELATIVE_MARGIN` of another, so verdicts and scores equal
`evaluate.evaluate_facts(..., detail=False)` (which a test checks on thousands of synthetic enterprises).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import Any

from techbridge.policies.compiled import Check, ExactFacts, Verdict, compile_expr, compile_node
from techbridge.policies.criteria import (
    VERDICT_NAMES,
    Group,
    kleene_all,
    kleene_any,
    ladder_outcomes,
    show,
)
from techbridge.policies.evaluate import POLICY_VERDICTS, Result, not_in_force, versions_in_force
from techbridge.policies.expressions import Env, Score, float_facts
from techbridge.policies.facts import parse_float_facts
from techbridge.policies.intervals import INF, RELATIVE_MARGIN, FastInterval, Interval
from techbridge.policies.schema import Policy
from techbridge.policies.scores import BestOf, ExprLadder, Indicator, Points, RuleLadder, ScoreSheet

Span = tuple[Points, Points]


Rule = tuple[bool, float, Points]  # (op is ge/gt, band edge, points)


def rule_verdict(lo: float, hi: float, above: bool, edge: float) -> Verdict | str:
    """`intervals.fast_compare` of the range [lo, hi] with one band edge, in its order of checks."""
    a, b, c, d = (lo, edge, edge, hi) if above else (edge, hi, lo, edge)
    if a != -INF and b != INF:  # passes when a (the lowest left) is above b (the highest right)
        if abs(a - b) <= RELATIVE_MARGIN * (abs(a) + abs(b)):
            return "exact"
        if a > b:
            return True
    if c != -INF and d != INF:  # fails when c (the lowest right) is above d (the highest left)
        if abs(c - d) <= RELATIVE_MARGIN * (abs(c) + abs(d)):
            return "exact"
        if c > d:
            return False
    return None


def float_span(value: FastInterval, rules: tuple[Rule, ...], default: Points) -> Span | None:
    """`fast_ladder_outcomes` as the lowest and highest points; None when a bound is too close to an edge."""
    lo, hi = value[0], value[1]
    least: Points | None = None
    most: Points | None = None
    for above, edge, points in rules:
        verdict = rule_verdict(lo, hi, above, edge)
        if verdict == "exact":
            return None
        if verdict is not False:
            least = points if least is None or points < least else least
            most = points if most is None or points > most else most
            if verdict is True:
                return least, most
    least = default if least is None or default < least else least
    most = default if most is None or default > most else most
    return least, most


def ladder_span(ladder: ExprLadder, rules: tuple[Rule, ...], fast: FastInterval, env: Env) -> Span:
    """Lowest and highest points of a band ladder for its value in floats (exact near a band edge)."""
    if not fast[2]:
        outcomes = [*(rule[2] for rule in ladder.rules), ladder.default]
        return min(outcomes), max(outcomes)
    found = float_span(fast, rules, ladder.default)
    if found is not None:
        return found
    assert ladder.expr is not None
    exact = ladder_outcomes(ladder.expr.evaluate(env), ladder.rules, ladder.default)
    return min(exact), max(exact)


def edge_rules(ladder: ExprLadder) -> tuple[Rule, ...]:
    """A ladder's rules with their edges as floats and their operators as a direction."""
    return tuple((op in ("ge", "gt"), edge, points) for op, edge, points in ladder.fast_rules)


def compile_expr_ladder(ladder: ExprLadder) -> Callable[[Env], Span]:
    """`ExprLadder.outcomes` as a span."""
    assert ladder.expr is not None
    expr, rules = compile_expr(ladder.expr), edge_rules(ladder)
    return lambda env: ladder_span(ladder, rules, expr(env), env)


def compile_rule_ladder(ladder: RuleLadder) -> Callable[[Env], Span]:
    """`RuleLadder.outcomes` as a span: points of the first passing rule, and of every undecided one before it."""
    rules = tuple((compile_node(node), points) for node, points in ladder.rules)

    def span(env: Env) -> Span:
        found: list[Points] = []
        for check, points in rules:
            verdict = check(env)
            if verdict is True:
                found.append(points)
                return min(found), max(found)
            if verdict is None:
                found.append(points)
        found.append(ladder.default)
        return min(found), max(found)

    return span


def compile_best_of(best: BestOf) -> Callable[[Env], Span]:
    """`BestOf.outcomes` as a span: options with a missing input are skipped, all skipped = every outcome."""
    options = tuple(
        (option, edge_rules(option), compile_expr(option.expr)) for option in best.options if option.expr is not None
    )
    every = [0, *(points for option in best.options for _, _, points in option.rules)]
    unknown = (min(every), max(every))

    def span(env: Env) -> Span:
        spans = [ladder_span(option, rules, fast, env) for option, rules, expr in options if not (fast := expr(env))[3]]
        if not spans:
            return unknown
        return max(lo for lo, _ in spans), max(hi for _, hi in spans)

    return span


def compile_indicator(indicator: Indicator) -> Callable[[Env], Span]:
    """An indicator's lowest and highest points."""
    if isinstance(indicator, ExprLadder):
        return compile_expr_ladder(indicator)
    if isinstance(indicator, RuleLadder):
        return compile_rule_ladder(indicator)
    if isinstance(indicator, BestOf):
        return compile_best_of(indicator)

    def span(env: Env) -> Span:
        outcomes = indicator.outcomes(env) or [0]
        return min(outcomes), max(outcomes)

    return span


def score_parts(item: Any, found: set[str]) -> set[str]:
    """The score parts (`total`, groups, indicators) that criteria read through `{score: part}`."""
    if isinstance(item, Score):
        found.add(item.part)
    elif isinstance(item, list | tuple):
        for part in item:
            score_parts(part, found)
    elif dataclasses.is_dataclass(item) and not isinstance(item, type):
        for spec in dataclasses.fields(item):
            value = getattr(item, spec.name)
            if not isinstance(value, str | int | bool | Fraction | type(None)):
                score_parts(value, found)
    return found


@dataclass
class CompiledSheet:
    """A score sheet compiled: indicator spans summed per group, and the parts the criteria read."""

    sheet: ScoreSheet
    indicators: tuple[tuple[str, str, Callable[[Env], Span]], ...]
    read: frozenset[str]

    def evaluate(self, env: Env) -> dict[str, list[Points]]:
        """`[lowest, highest]` of the total and every group; sets `env.scores` for the parts criteria read."""
        sums: dict[str, list[Points]] = {group: [0, 0] for group in [*self.sheet.groups, "total"]}
        spans: dict[str, Span] = {}
        for indicator_id, group, span in self.indicators:
            lo, hi = spans[indicator_id] = span(env)
            for name in (group, "total"):
                sums[name][0] += lo
                sums[name][1] += hi
        env.scores = {}
        for part in self.read:
            lo, hi = sums[part] if part in sums else spans[part]
            env.scores[part] = Interval(Fraction(lo), Fraction(hi))
        return sums


def compile_sheet(sheet: ScoreSheet, criteria: Group) -> CompiledSheet:
    """Compile every indicator once; the criteria's score references name the ranges to keep exact."""
    indicators = tuple((i.id, i.group, compile_indicator(i)) for i in sheet.indicators)
    known = {*sheet.groups, "total", *(i.id for i in sheet.indicators)}
    return CompiledSheet(sheet, indicators, frozenset(score_parts(criteria, set()) & known))


def sheet_points(indicator: Indicator) -> list[Points]:
    """Every number of points an indicator's rules can give."""
    if isinstance(indicator, ExprLadder):
        return [*(rule[2] for rule in indicator.rules), indicator.default]
    if isinstance(indicator, RuleLadder):
        return [*(points for _, points in indicator.rules), indicator.default]
    if isinstance(indicator, BestOf):
        return [points for option in indicator.options for points in sheet_points(option)]
    return [Fraction(1, 3)]  # unknown kind: not known to be whole


def has_whole_points(sheet: ScoreSheet) -> bool:
    """Whether every score, sub-total and indicator of the sheet is a whole number."""
    return all(isinstance(p, int) for indicator in sheet.indicators for p in sheet_points(indicator))


def show_points(value: Points) -> int | float | None:
    """Points as `criteria.show` renders them."""
    return show(value) if isinstance(value, Fraction) else value


@dataclass
class CompiledPolicy:
    """One policy version with its top-level criteria compiled."""

    policy: Policy
    checks: tuple[tuple[str, Check], ...]
    sheet: CompiledSheet | None

    def evaluate(self, env: Env) -> Result:
        """Verdict, score and top-level criterion verdicts; the keys of `evaluate_policy(detail=False)`."""
        policy = self.policy
        result: Result = {"policy": policy.id, "version": policy.version, "document": policy.document}
        env.scores = {}
        if self.sheet is not None:
            sums = self.sheet.evaluate(env)
            lo, hi = sums["total"]
            result["score"] = show_points(lo) if lo == hi else None
            result["score_range"] = [show_points(lo), show_points(hi)]
            result["indicators"] = []
            result["subtotals"] = {
                g: [show_points(sums[g][0]), show_points(sums[g][1])] for g in self.sheet.sheet.groups
            }
        verdicts = [check(env) for _, check in self.checks]
        verdict = kleene_all(verdicts) if policy.criteria.mode == "all" else kleene_any(verdicts)
        result["verdict"] = POLICY_VERDICTS[verdict].value
        result["criteria"] = [
            {"id": cid, "verdict": VERDICT_NAMES[v]} for (cid, _), v in zip(self.checks, verdicts, strict=True)
        ]
        result["gaps"] = []
        return result


_COMPILED: dict[int, CompiledPolicy] = {}


def compiled(policy: Policy) -> CompiledPolicy:
    """The compiled form of a loaded policy version, built once per process."""
    found = _COMPILED.get(id(policy))
    if found is None or found.policy is not policy:
        whole = policy.score is None or has_whole_points(policy.score)
        checks = tuple((child.id, compile_node(child, whole)) for child in policy.criteria.children)
        sheet = None if policy.score is None else compile_sheet(policy.score, policy.criteria)
        found = _COMPILED[id(policy)] = CompiledPolicy(policy, checks, sheet)
    return found


def evaluate_env(env: Env, policies: Sequence[Policy], only: Iterable[str] | None = None) -> list[Result]:
    """Every policy in force on `env.as_of` (or those in `only`)."""
    wanted = set(only) if only is not None else None
    results = []
    for policy_id, policy in versions_in_force(policies, env.as_of).items():
        if wanted is not None and policy_id not in wanted:
            continue
        results.append(not_in_force(policy_id) if policy is None else compiled(policy).evaluate(env))
    return results


def batch_env(raw: Any, as_of: date) -> Env:
    """One enterprise's raw facts (decimals as Decimal) ready for the fast path; FactError as `parse_facts` gives."""
    floats = parse_float_facts(raw)
    return Env(facts=ExactFacts(raw), as_of=as_of, floats=floats, detail=False)


def evaluate_batch(
    facts: dict[str, Any], as_of: date, policies: Sequence[Policy], only: Iterable[str] | None = None
) -> list[Result]:
    """`evaluate_facts(..., detail=False)` for already parsed exact facts, on the fast path (top-level criteria)."""
    return evaluate_env(Env(facts=facts, as_of=as_of, floats=float_facts(facts), detail=False), policies, only)


def evaluate_raw(raw: Any, as_of: date, policies: Sequence[Policy], only: Iterable[str] | None = None) -> list[Result]:
    """The same for raw facts: numbers read as floats, exact Fractions only near a tie."""
    return evaluate_env(batch_env(raw, as_of), policies, only)
