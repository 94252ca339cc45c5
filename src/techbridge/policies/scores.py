"""Scored policies: indicators whose points come from bands, and the lowest/highest possible totals.

An indicator's points are every outcome its first-match ladder can give for the ranges of its inputs; the total
and each group's sub-total are the sums of the lowest and of the highest points (tiers.md "score_range").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from techbridge.policies.criteria import Node, fast_ladder_outcomes, float_rules, ladder_outcomes, show
from techbridge.policies.expressions import Env, Expr
from techbridge.policies.intervals import Interval

Points = int | Fraction


def as_points(value: Fraction) -> Points:
    """Points as a plain int when whole (sums of ints are much cheaper than of Fractions)."""
    return int(value) if value.denominator == 1 else value


@dataclass
class Indicator:
    """One scored indicator in a group (tech_sme: staff, R&D, achievements)."""

    id: str
    group: str

    def outcomes(self, env: Env) -> list[Points] | None:
        """Every possible number of points; None when its inputs are missing (only for `best_of` options)."""
        raise NotImplementedError


@dataclass
class ExprLadder(Indicator):
    """Points by bands of one expression: `≥6% 50 · ≥5% 40 · … · else 0`."""

    expr: Expr | None = None
    rules: list[tuple[str, Fraction, Points]] = field(default_factory=list)
    default: Points = 0

    def __post_init__(self) -> None:
        self.fast_rules = float_rules(self.rules)

    def outcomes(self, env: Env) -> list[Points] | None:
        assert self.expr is not None
        fast = self.expr.fast(env)
        if not fast[2]:
            return [*(rule[2] for rule in self.rules), self.default]
        found = fast_ladder_outcomes(fast, self.fast_rules, self.default)
        if found is not None:
            return found
        return ladder_outcomes(self.expr.evaluate(env), self.rules, self.default)

    def is_missing(self, env: Env) -> bool:
        """Whether a missing input makes the value uncertain (tiers.md: such a `best_of` option is skipped)."""
        assert self.expr is not None
        return self.expr.fast(env)[3]


@dataclass
class RuleLadder(Indicator):
    """Points by the first criterion that passes: `ip_class1 ≥ 1` 30 · else `ip_class2 ≥ 4` 24 · …"""

    rules: list[tuple[Node, Points]] = field(default_factory=list)
    default: Points = 0

    def outcomes(self, env: Env) -> list[Points] | None:
        found: list[Points] = []
        for node, points in self.rules:
            verdict, _ = node.evaluate(env)
            if verdict is True:
                return [*found, points]
            if verdict is None:
                found.append(points)
        return [*found, self.default]


@dataclass
class BestOf(Indicator):
    """The higher of several ladders; an option whose inputs are missing is skipped; all missing → unknown."""

    options: list[ExprLadder] = field(default_factory=list)

    def outcomes(self, env: Env) -> list[Points] | None:
        kept = [option for option in self.options if not option.is_missing(env)]
        if not kept:
            return [0, *(points for option in self.options for _, _, points in option.rules)]
        ranges = []
        for option in kept:
            points = option.outcomes(env) or [0]
            ranges.append((min(points), max(points)))
        return [max(lo for lo, _ in ranges), max(hi for _, hi in ranges)]


@dataclass
class ScoreSheet:
    """A scored policy's indicators and groups."""

    indicators: list[Indicator]
    groups: list[str]

    def evaluate(self, env: Env) -> tuple[dict[str, Interval], list[dict[str, Any]]]:
        """Ranges for `total`, every group and every indicator, and the per-indicator trace."""
        ranges: dict[str, Interval] = {}
        trace: list[dict[str, Any]] = []
        sums: dict[str, list[Points]] = {group: [0, 0] for group in [*self.groups, "total"]}
        for indicator in self.indicators:
            outcomes = indicator.outcomes(env) or [0]
            lo, hi = min(outcomes), max(outcomes)
            ranges[indicator.id] = Interval(Fraction(lo), Fraction(hi))
            for group in (indicator.group, "total"):
                sums[group][0] += lo
                sums[group][1] += hi
            if env.detail:
                points = show(Fraction(lo)) if lo == hi else None
                entry: dict[str, Any] = {"id": indicator.id, "group": indicator.group, "points": points}
                entry["points_range"] = [show(Fraction(lo)), show(Fraction(hi))]
                trace.append(entry)
        for group, (lo, hi) in sums.items():
            ranges[group] = Interval(Fraction(lo), Fraction(hi))
        return ranges, trace
