"""Pure evaluation: an enterprise's facts × the policy versions in force on a date → verdicts, traces and gaps."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from techbridge.policies.criteria import VERDICT_NAMES, Trace, show
from techbridge.policies.expressions import Env, float_facts
from techbridge.policies.facts import FactError, parse_facts
from techbridge.policies.schema import POLICY_IDS, Policy, PolicyVerdict

POLICY_VERDICTS = {True: PolicyVerdict.ELIGIBLE, False: PolicyVerdict.INELIGIBLE, None: PolicyVerdict.UNKNOWN}
Result = dict[str, Any]


def versions_in_force(policies: Iterable[Policy], as_of: date) -> dict[str, Policy | None]:
    """For every policy id, the version in force on `as_of` (None when none is)."""
    chosen: dict[str, Policy | None] = dict.fromkeys(POLICY_IDS)
    for policy in policies:
        chosen.setdefault(policy.id, None)
        if policy.is_in_force(as_of):
            chosen[policy.id] = policy
    return chosen


def collect_gaps(
    trace: Trace, env: Env, gaps: list[dict[str, Any]], *, relevant: bool, any_of: str | None = None
) -> None:
    """Move each failing leaf's gap out of the trace; keep those whose failure decides a failing ancestor.

    Gaps under an `any` group are alternatives: closing one of them is enough; they carry `any_of` = the group id.
    """
    node = trace.pop("_gap", None)
    failed = trace["verdict"] == "fail"
    if node is not None and relevant and failed:
        gap = node.gap(env)
        gaps.append({**gap, "any_of": any_of} if any_of else gap)
    group = trace["id"] if trace.get("op") == "any" else any_of
    for child in trace.get("children", ()):
        collect_gaps(child, env, gaps, relevant=relevant and failed, any_of=group)


def evaluate_policy(
    policy: Policy, facts: dict[str, Any], as_of: date, *, floats: dict[str, Any] | None = None, detail: bool = True
) -> Result:
    """The verdict of one policy version, per-criterion trace, score (scored policies) and gaps.

    With `detail=False` (batch pools) the trace keeps only ids and verdicts and no gaps are computed.
    """
    env = Env(facts=facts, as_of=as_of, floats=floats or float_facts(facts), detail=detail)
    result: Result = {"policy": policy.id, "version": policy.version, "document": policy.document}
    if policy.score is not None:
        env.scores, indicators = policy.score.evaluate(env)
        total = env.scores["total"]
        result["score"] = show(total.lo) if total.lo == total.hi else None
        result["score_range"] = [show(total.lo), show(total.hi)]
        result["indicators"] = indicators
        result["subtotals"] = {g: [show(env.scores[g].lo), show(env.scores[g].hi)] for g in policy.score.groups}
    verdict, trace = policy.criteria.evaluate(env)
    gaps: list[dict[str, Any]] = []
    if detail:
        collect_gaps(trace, env, gaps, relevant=verdict is False)
    result["verdict"] = POLICY_VERDICTS[verdict].value
    result["criteria"] = trace["children"]
    result["gaps"] = gaps
    return result


def not_in_force(policy_id: str) -> Result:
    """The result for a policy with no version in force on the date: nobody qualifies under it."""
    trace = {"id": "in_force", "verdict": VERDICT_NAMES[False], "op": "in_force", "value": None}
    return {"policy": policy_id, "version": None, "verdict": "ineligible", "criteria": [trace], "gaps": []}


def evaluate_facts(
    facts: dict[str, Any],
    as_of: date,
    policies: Sequence[Policy],
    only: Iterable[str] | None = None,
    *,
    detail: bool = True,
) -> list[Result]:
    """Every policy (or those in `only`) for already parsed facts."""
    wanted = set(only) if only is not None else None
    floats = float_facts(facts)
    results = []
    for policy_id, policy in versions_in_force(policies, as_of).items():
        if wanted is not None and policy_id not in wanted:
            continue
        if policy is None:
            results.append(not_in_force(policy_id))
        else:
            results.append(evaluate_policy(policy, facts, as_of, floats=floats, detail=detail))
    return results


def evaluate_enterprise(
    enterprise: Any, as_of: date, policies: Sequence[Policy], only: Iterable[str] | None = None
) -> Result:
    """`{"id", "facts"}` → `{"id", "results"}`; raises FactError (InvalidDataError) on an unknown id or wrong type."""
    if not isinstance(enterprise, dict) or "id" not in enterprise:
        raise FactError("expected an object with id and facts", message_zh="应为包含 id 和 facts 的对象")
    raw = enterprise.get("facts")
    facts = parse_facts({} if raw is None else raw)  # null or absent: no facts; [] or "" is an error naming facts
    return {"id": enterprise["id"], "results": evaluate_facts(facts, as_of, policies, only)}


def count_failing(result: Result) -> tuple[int, int]:
    """How many top-level criteria fail and how many are unknown (near-miss = exactly one failing, none unknown)."""
    verdicts = [criterion["verdict"] for criterion in result["criteria"]]
    return verdicts.count("fail"), verdicts.count("unknown")


def evaluate_line(
    line: str, line_number: int, as_of: date, policies: Sequence[Policy], only: Iterable[str] | None = None
) -> Result:
    """One JSON Lines record → its result, or `{"line", "id"?, "error", "error_zh"}` when it cannot be read."""
    try:
        enterprise = json.loads(line, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        return {
            "line": line_number,
            "error": f"malformed JSON at column {exc.colno}: {exc.msg}",
            "error_zh": f"JSON 格式错误（第 {exc.colno} 列）",
        }
    try:
        return evaluate_enterprise(enterprise, as_of, policies, only)
    except FactError as exc:
        error: Result = {"line": line_number, "error": exc.message, "error_zh": exc.message_zh or exc.message}
        if isinstance(enterprise, dict) and "id" in enterprise:
            error["id"] = enterprise["id"]
        return error
