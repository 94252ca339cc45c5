"""Scored policies: indicators whose points come from bands, and the lowest/highest possible totals.

An indicator's points are every outcome its first-match ladder can give for the ranges of its inputs; the total
and each group's sub-total are the sums of the lowest and of the highest points (tiers.md "score_range").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from techbridge.policies.criteria import Node, fast_ladder_outcomes, ladder_outcomes, show
from techbridge.policies.expressions import Env, Expr
from techbridge.policies.intervals import Interval


@dataclass
class Indicator:
    """One scored indicator in a group (tech_sme: staff, R&D, achievements)."""

    id: str
    group: str

    def outcomes(self, env: Env) -> list[Fraction] | None:
        """Every possible number of points; None when its inputs are missing (only for `best_of` options)."""
        raise NotImplementedError


@dataclass
class ExprLadder(Indicator):
    """Points by bands of one expression: `≥6% 50 · ≥5% 40 · … · else 0`."""

    expr: Expr | None = None
    rules: list[tuple[str, Fraction, Fraction]] = field(default_factory=list)
    default: Fraction = Fraction(0)

    def outcomes(self, env: Env) -> list[Fraction] | None:
        assert self.expr is not None
        fast = self.expr.fast(env)
        if not fast[2]:
            return [*(rule[2] for rule in self.rules), self.default]
        found = fast_ladder_outcomes(fast, self.rules, self.default)
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

    rules: list[tuple[Node, Fraction]] = field(default_factory=list)
    default: Fraction = Fraction(0)

    def outcomes(self, env: Env) -> list[Fraction] | None:
        found: list[Fraction] = []
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

    def outcomes(self, env: Env) -> list[Fraction] | None:
        kept = [option for option in self.options if not option.is_missing(env)]
        if not kept:
            return [Fraction(0), *(points for option in self.options for _, _, points in option.rules)]
        ranges = []
        for option in kept:
            points = option.outcomes(env) or [Fraction(0)]
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
        for indicator in self.indicators:
            outcomes = indicator.outcomes(env) or [Fraction(0)]
            lo, hi = min(outcomes), max(outcomes)
            ranges[indicator.id] = Interval(lo, hi)
            entry: dict[str, Any] = {
                "id": indicator.id,
                "group": indicator.group,
                "points": show(lo) if lo == hi else None,
            }
            entry["points_range"] = [show(lo), show(hi)]
            trace.append(entry)
        for group in [*self.groups, "total"]:
            members = [ranges[i.id] for i in self.indicators if group in ("total", i.group)]
            lo = sum((member.lo or Fraction(0) for member in members), Fraction(0))
            hi = sum((member.hi or Fraction(0) for member in members), Fraction(0))
            ranges[group] = Interval(lo, hi)
        return ranges, trace
