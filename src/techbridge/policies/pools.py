"""Stored candidate pools: classify an enterprise's verdicts, name the facts that would decide them, store them.

Each enterprise × policy becomes one entry — eligible, near_miss (exactly one failing top-level criterion and none
unknown), ineligible or unknown — with its score, its closeness (share of top-level criteria passed) and a detail:
the gaps of a near-miss, the failing criteria, or the undecided criteria and the missing facts behind them.
A refresh evaluates each batch of enterprises together on the columnar batch (`columnar.py`).
"""

from __future__ import annotations

import dataclasses
import functools
import json
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.orm import Session

from techbridge.models import Organization
from techbridge.policies import pool_queries
from techbridge.policies.batch import batch_env, evaluate_batch, evaluate_env
from techbridge.policies.columnar import evaluate_columns
from techbridge.policies.criteria import Node
from techbridge.policies.evaluate import evaluate_policy
from techbridge.policies.expressions import Score
from techbridge.policies.facts import parse_facts
from techbridge.policies.loader import shipped_policies
from techbridge.policies.schema import Policy
from techbridge.policies.service import exact_json, registry_facts

POOL_VERDICTS = ("eligible", "near_miss", "ineligible", "unknown")
Row = dict[str, Any]
_CRITERION_FACTS: dict[tuple[str, str], dict[str, frozenset[str]]] = {}


def referenced_facts(item: Any, policy: Policy, found: set[str]) -> set[str]:
    """Every fact id a criterion, expression or score rule reads (a score reference reads the whole sheet)."""
    if isinstance(item, Score) and policy.score is not None:
        referenced_facts(policy.score, policy, found)
    if isinstance(item, list | tuple):
        for part in item:
            referenced_facts(part, policy, found)
    elif dataclasses.is_dataclass(item) and not isinstance(item, type):
        for spec in dataclasses.fields(item):
            value = getattr(item, spec.name)
            if spec.name == "fact" and isinstance(value, str) and value:
                found.add(value)
            elif spec.name == "min_of":
                found.update(value)
            elif not isinstance(value, str | int | float | bool | type(None)):
                referenced_facts(value, policy, found)
    return found


def criterion_facts(policy: Policy) -> dict[str, frozenset[str]]:
    """Top-level criterion id → the facts it reads, per policy version (cached)."""
    key = (policy.id, policy.version)
    if key not in _CRITERION_FACTS:
        children: list[Node] = policy.criteria.children
        _CRITERION_FACTS[key] = {c.id: frozenset(referenced_facts(c, policy, set())) for c in children}
    return _CRITERION_FACTS[key]


def missing_facts(policy: Policy | None, unknown_criteria: list[str], facts: dict[str, Any]) -> list[str]:
    """The facts absent from `facts` that the undecided top-level criteria read (supplying them decides them)."""
    reads = criterion_facts(policy) if policy is not None else {}
    return sorted({f for cid in unknown_criteria for f in reads.get(cid, ()) if f not in facts})


def missing_by_policy(results: list[Row], facts: dict[str, Any], as_of: date) -> dict[str, list[str]]:
    """For each undecided policy of a full evaluation: the facts to supply."""
    by_id = {p.id: p for p in shipped_policies() if p.is_in_force(as_of)}
    missing = {}
    for result in results:
        if result["verdict"] == "unknown" and result["policy"] in by_id:
            unknown = [c["id"] for c in result["criteria"] if c["verdict"] == "unknown"]
            missing[result["policy"]] = missing_facts(by_id[result["policy"]], unknown, facts)
    return missing


def _score(result: Row) -> float | None:
    if "score_range" not in result:
        return None
    score = result["score"] if result.get("score") is not None else result["score_range"][0]
    return None if score is None else float(score)


def classify(result: Row, policy: Policy | None, facts: dict[str, Any]) -> Row:
    """One policy result (trace without detail) as a pool entry: verdict, score, closeness, detail."""
    top = [(c["id"], c["verdict"]) for c in result["criteria"]]
    failing = [cid for cid, verdict in top if verdict == "fail"]
    unknown = [cid for cid, verdict in top if verdict == "unknown"]
    closeness = sum(verdict == "pass" for _, verdict in top) / len(top) if top else 0.0
    entry: Row = {"policy": result["policy"], "version": result["version"], "score": _score(result)}
    if result["verdict"] == "eligible":
        return {**entry, "verdict": "eligible", "closeness": 1.0, "detail": {}}
    if result["verdict"] == "unknown":
        detail = {"unknown_criteria": unknown, "missing_facts": missing_facts(policy, unknown, facts)}
        return {**entry, "verdict": "unknown", "closeness": closeness, "detail": detail}
    if len(failing) == 1 and not unknown:
        return {**entry, "verdict": "near_miss", "closeness": closeness, "detail": {"failing_criterion": failing[0]}}
    return {**entry, "verdict": "ineligible", "closeness": closeness, "detail": {"failing_criteria": failing}}


def pool_rows(facts: dict[str, Any], as_of: date, policies: Sequence[Policy]) -> list[Row]:
    """Every policy's pool entry for parsed facts; a near-miss is re-evaluated in detail for its gaps."""
    return rows_of(evaluate_batch(facts, as_of, policies), facts, lambda: facts, as_of, policies)


def raw_pool_rows(raw: dict[str, Any], as_of: date, policies: Sequence[Policy]) -> list[Row]:
    """`pool_rows` for raw facts (decimals as Decimal) on the batch fast path; FactError as `parse_facts` gives."""
    env = batch_env(raw, as_of)
    return rows_of(evaluate_env(env, policies), env.floats, lambda: parse_facts(raw), as_of, policies)


def rows_of(
    results: list[Row],
    facts: dict[str, Any],
    exact: Callable[[], dict[str, Any]],
    as_of: date,
    policies: Sequence[Policy],
) -> list[Row]:
    """Pool entries of batch results; `exact()` gives the exact facts a near-miss's gaps are computed from."""
    by_id = {p.id: p for p in policies if p.is_in_force(as_of)}
    rows = []
    for result in results:
        policy = by_id.get(result["policy"])
        row = classify(result, policy, facts)
        if row["verdict"] == "near_miss" and policy is not None:
            row["detail"]["gaps"] = evaluate_policy(policy, exact(), as_of)["gaps"]
        rows.append(row)
    return rows


def _facts_key(raw: dict[str, Any]) -> str:
    return json.dumps(raw, sort_keys=True, default=str, ensure_ascii=False)


def column_pool_rows(raws: Sequence[dict[str, Any]], as_of: date, policies: Sequence[Policy]) -> list[list[Row] | str]:
    """`raw_pool_rows` for many enterprises at once on the columnar batch (`columnar.py`): each enterprise's rows,
    or its fact error's message."""
    batch = evaluate_columns(raws, as_of, policies)
    outcomes: list[list[Row] | str] = []
    for index, raw in enumerate(raws):
        error = batch.errors.get(index)
        if error is not None:
            outcomes.append(error.message)
            continue
        exact = functools.partial(parse_facts, raw)
        outcomes.append(rows_of(batch.results(index), batch.columns.rows[index], exact, as_of, policies))
    return outcomes


def pool_outcomes(
    raws: Sequence[dict[str, Any]], as_of: date, cache: dict[str, list[Row] | str]
) -> list[list[Row] | str]:
    """Pool rows (or the fact error's message) for each enterprise's raw facts; identical facts are evaluated once
    per cache, the others together."""
    keys = [_facts_key(raw) for raw in raws]
    todo = {key: raw for key, raw in zip(keys, raws, strict=True) if key not in cache}
    if todo:
        found = column_pool_rows([exact_json(raw) for raw in todo.values()], as_of, shipped_policies())
        cache.update(zip(todo, found, strict=True))
    return [cache[key] for key in keys]


def entries_for(org: Organization, outcome: list[Row] | str, as_of: date) -> tuple[list[Row], Row]:
    """An enterprise's stored entries and state on `as_of`, from its pool rows (or its fact error's message)."""
    clusters = "".join(f"|{name}" for name in (org.extra or {}).get("clusters", [])) + "|"
    now = datetime.now(UTC)
    state: Row = {"organization_id": org.id, "as_of": as_of, "dirty": False, "evaluated_at": now}
    if isinstance(outcome, str):
        return [], {**state, "error": outcome[:512]}
    common = {"organization_id": org.id, "as_of": as_of, "region_code": org.region_code, "clusters": clusters}
    return [{**common, **row} for row in outcome], {**state, "error": ""}


def refresh_enterprises(
    *,
    session: Session,
    organization_ids: Sequence[int],
    as_of: date | None = None,
    cache: dict[str, list[Row] | str] | None = None,
) -> int:
    """Re-evaluate these enterprises on `as_of` (default the stored pools' date, else today) and store the entries."""
    day = as_of or pool_queries.pool_date(session) or date.today()
    orgs = pool_queries.enterprises_by_id(session, organization_ids)
    stored = pool_queries.fact_values(session, [org.id for org in orgs])
    entries: list[Row] = []
    states: list[Row] = []
    memo: dict[str, list[Row] | str] = {} if cache is None else cache
    raws = [{**registry_facts(org), **stored.get(org.id, {})} for org in orgs]
    for org, outcome in zip(orgs, pool_outcomes(raws, day, memo), strict=True):
        rows, state = entries_for(org, outcome, day)
        entries += rows
        states.append(state)
    pool_queries.replace_entries(session, [org.id for org in orgs], entries, states)
    return len(orgs)
