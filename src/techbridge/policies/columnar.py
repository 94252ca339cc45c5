"""The columnar batch: many enterprises × every policy, each criterion decided once per chunk over numpy columns.

Results equal `batch.evaluate_raw` (and so `evaluate_facts(detail=False)`) enterprise by enterprise; a test checks
it on synthetic and nudged-to-tie enterprises. Where floats cannot decide (a bound within
`intervals.RELATIVE_MARGIN` of another), that enterprise × policy is evaluated by `batch.py`'s compiled closures,
which fall back to exact Fractions; a policy with a criterion or indicator kind that has no columnar form is
evaluated that way for every enterprise. Verdicts, scores and top-level criteria stay in arrays; per-enterprise
result dicts are built only when asked for (`ColumnResults.results`), so counting verdicts builds none.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np

from techbridge.policies.batch import compiled, has_whole_points, score_parts
from techbridge.policies.column_criteria import (
    CODES,
    FAIL,
    PASS,
    UNKNOWN,
    ColumnCheck,
    Span,
    Verdicts,
    column_check,
    indicator_span,
)
from techbridge.policies.columns import Columns, Floats
from techbridge.policies.compiled import ExactFacts
from techbridge.policies.evaluate import Result, not_in_force, versions_in_force
from techbridge.policies.expressions import Env
from techbridge.policies.facts import FactError, parse_float_facts
from techbridge.policies.schema import Policy

VERDICT_CODES = {FAIL: "fail", UNKNOWN: "unknown", PASS: "pass"}
POLICY_CODES = {FAIL: "ineligible", UNKNOWN: "unknown", PASS: "eligible"}


@dataclass
class ColumnPolicy:
    """A policy version's columnar form: its top-level checks and score indicators (None: row by row)."""

    policy: Policy
    checks: list[tuple[str, ColumnCheck]] | None
    indicators: list[tuple[str, str, Callable[[Columns], Span]]]
    read: frozenset[str]


def build_column_policy(policy: Policy) -> ColumnPolicy:
    """Compile every top-level criterion and indicator; any without a columnar form makes `checks` None."""
    sheet = policy.score
    whole = sheet is None or has_whole_points(sheet)
    checks = [(child.id, column_check(child, whole)) for child in policy.criteria.children]
    spans = [] if sheet is None else [(i.id, i.group, indicator_span(i, False)) for i in sheet.indicators]
    unsupported = not whole or any(c is None for _, c in checks) or any(s is None for _, _, s in spans)
    known = set() if sheet is None else {*sheet.groups, "total", *(i.id for i in sheet.indicators)}
    return ColumnPolicy(
        policy,
        None if unsupported else [(cid, check) for cid, check in checks if check is not None],
        [(iid, group, span) for iid, group, span in spans if span is not None],
        frozenset(score_parts(policy.criteria, set()) & known),
    )


_BUILT: dict[int, ColumnPolicy] = {}


def column_policy(policy: Policy) -> ColumnPolicy:
    """The columnar form of a loaded policy version, built once per process."""
    found = _BUILT.get(id(policy))
    if found is None or found.policy is not policy:
        found = _BUILT[id(policy)] = build_column_policy(policy)
    return found


@dataclass
class PolicyColumns:
    """One policy's outcome for a chunk: verdict codes per enterprise and per top-level criterion, score ranges,
    and the enterprises evaluated row by row (their results as `batch.evaluate_raw` gives them)."""

    policy_id: str
    policy: Policy | None
    verdicts: Verdicts
    criteria: list[tuple[str, Verdicts]] = field(default_factory=list)
    sums: dict[str, tuple[Floats, Floats]] | None = None
    rows: dict[int, Result] = field(default_factory=dict)

    def result(self, index: int) -> Result:
        """The result of enterprise `index`, keyed as `batch.CompiledPolicy.evaluate` keys it."""
        if index in self.rows:
            return self.rows[index]
        if self.policy is None:
            return not_in_force(self.policy_id)
        policy = self.policy
        result: Result = {"policy": policy.id, "version": policy.version, "document": policy.document}
        if self.sums is not None and policy.score is not None:
            lo, hi = (int(bound[index]) for bound in self.sums["total"])
            result["score"] = lo if lo == hi else None
            result["score_range"] = [lo, hi]
            result["indicators"] = []
            result["subtotals"] = {g: [int(b[index]) for b in self.sums[g]] for g in policy.score.groups}
        result["verdict"] = POLICY_CODES[int(self.verdicts[index])]
        result["criteria"] = [{"id": cid, "verdict": VERDICT_CODES[int(v[index])]} for cid, v in self.criteria]
        result["gaps"] = []
        return result


@dataclass
class ColumnResults:
    """Every policy's outcome for a chunk of enterprises, and the fact error of each enterprise that has one."""

    columns: Columns
    policies: list[PolicyColumns]
    errors: dict[int, FactError]

    def results(self, index: int) -> list[Result]:
        """Enterprise `index`'s results, equal to `batch.evaluate_raw`'s; its FactError is raised."""
        if index in self.errors:
            raise self.errors[index]
        return [policy.result(index) for policy in self.policies]

    def verdict_counts(self) -> Counter[str]:
        """How many enterprise × policy verdicts of each kind (enterprises with a fact error left out)."""
        counts: Counter[str] = Counter()
        skipped = np.zeros(self.columns.count, np.bool_)
        skipped[list(self.errors)] = True
        for policy in self.policies:
            if policy.policy is None:
                counts["ineligible"] += int((~skipped).sum())
                continue
            mask = skipped.copy()
            mask[list(policy.rows)] = True
            for code, number in enumerate(np.bincount(policy.verdicts[~mask], minlength=3)):
                counts[POLICY_CODES[code]] += int(number)
            counts.update(r["verdict"] for i, r in policy.rows.items() if i not in self.errors)
        return counts


def evaluate_policy_columns(
    policy: Policy, columns: Columns, raws: Sequence[Any], errors: dict[int, FactError]
) -> PolicyColumns:
    """One policy version over a chunk: vectorised, and row by row where floats cannot decide: the one criterion
    (its compiled closure, exact near the tie) when the policy has no score sheet, else the whole policy."""
    built = column_policy(policy)
    n = columns.count
    outcome = PolicyColumns(policy.id, policy, np.full(n, FAIL, np.int8))
    exact = np.zeros(n, np.bool_)
    skipped = np.zeros(n, np.bool_)
    skipped[list(errors)] = True
    if built.checks is None:
        exact[:] = True
    else:
        columns.scores = {}
        if policy.score is not None:
            outcome.sums, near = sheet_sums(built, columns)
            exact |= near
        combine = np.minimum if policy.criteria.mode == "all" else np.maximum
        outcome.verdicts[:] = PASS if policy.criteria.mode == "all" else FAIL
        for (cid, check), (_, closure) in zip(built.checks, compiled(policy).checks, strict=True):
            verdict, near = check(columns)
            near &= ~skipped
            if policy.score is None:
                for index in np.flatnonzero(near).tolist():
                    verdict[index] = CODES[closure(row_env(columns, raws, index))]
            else:
                exact |= near
            outcome.criteria.append((cid, verdict))
            outcome.verdicts = combine(outcome.verdicts, verdict)
    for index in np.flatnonzero(exact & ~skipped).tolist():
        outcome.rows[index] = compiled(policy).evaluate(row_env(columns, raws, index))
    return outcome


def row_env(columns: Columns, raws: Sequence[Any], index: int) -> Env:
    """What `batch.py`'s closures see for enterprise `index` (exact facts parsed on first use)."""
    return Env(facts=ExactFacts(raws[index]), as_of=columns.as_of, floats=columns.rows[index], detail=False)


def sheet_sums(built: ColumnPolicy, columns: Columns) -> tuple[dict[str, tuple[Floats, Floats]], Any]:
    """Lowest and highest points of the total, every group and every indicator; sets `columns.scores` for the parts
    the criteria read. Points are whole, so float sums are exact."""
    assert built.policy.score is not None
    n = columns.count
    sums = {g: (np.zeros(n), np.zeros(n)) for g in [*built.policy.score.groups, "total"]}
    spans: dict[str, tuple[Floats, Floats]] = {}
    exact = np.zeros(n, np.bool_)
    for indicator_id, group, span in built.indicators:
        lo, hi, near = span(columns)
        spans[indicator_id] = (lo, hi)
        exact |= near
        for name in (group, "total"):
            sums[name] = (sums[name][0] + lo, sums[name][1] + hi)
    for part in built.read:
        columns.scores[part] = sums[part] if part in sums else spans[part]
    return sums, exact


def parse_rows(raws: Sequence[Any]) -> tuple[list[dict[str, Any]], dict[int, FactError]]:
    """Each enterprise's float facts ({} for one with a fact error), and the errors by position."""
    rows: list[dict[str, Any]] = []
    errors: dict[int, FactError] = {}
    for index, raw in enumerate(raws):
        try:
            rows.append(parse_float_facts(raw))
        except FactError as exc:
            errors[index] = exc
            rows.append({})
    return rows, errors


def evaluate_columns(
    raws: Sequence[Any], as_of: date, policies: Sequence[Policy], only: Iterable[str] | None = None
) -> ColumnResults:
    """Every policy in force on `as_of` (or those in `only`) for a chunk of enterprises' raw facts (decimals as
    Decimal, as `tiers evaluate` reads them)."""
    rows, errors = parse_rows(raws)
    columns = Columns(rows, as_of)
    wanted = set(only) if only is not None else None
    outcomes = []
    for policy_id, policy in versions_in_force(policies, as_of).items():
        if wanted is not None and policy_id not in wanted:
            continue
        if policy is None:
            outcomes.append(PolicyColumns(policy_id, None, np.full(len(rows), FAIL, np.int8)))
        else:
            outcomes.append(evaluate_policy_columns(policy, columns, raws, errors))
    return ColumnResults(columns, outcomes, errors)
