"""Tier use cases over the registry: evaluate an enterprise (and what-if), edit facts, candidate pools, export."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from techbridge.access import Viewer
from techbridge.errors import InvalidDataError, PermissionDeniedError
from techbridge.models import EnterpriseFact, Organization
from techbridge.policies import pool_queries, queries
from techbridge.policies.evaluate import count_failing, evaluate_facts
from techbridge.policies.facts import SERIES_TYPES, FactError, load_fact_specs, parse_facts, parse_value
from techbridge.policies.loader import shipped_policies
from techbridge.policies.schema import POLICY_IDS

ORG_FALLBACKS = ("founded_on", "employees")
MAX_YEARS_BACK = 50  # how far back a what-if may change one year of a series


def exact_json(value: Any) -> Any:
    """A JSON-native value re-read with decimals as Decimal (so 0.6 stays exactly 0.6)."""
    return json.loads(json.dumps(value, default=str), parse_float=Decimal)


def registry_facts(org: Organization) -> dict[str, Any]:
    """The facts the registry itself holds: founding date and employees (a stored fact of the same id wins)."""
    raw: dict[str, Any] = {}
    if org.founded_on is not None:
        raw["founded_on"] = org.founded_on.isoformat()
    if org.employees is not None:
        raw["employees"] = org.employees
    return raw


def stored_facts(org: Organization, rows: list[EnterpriseFact]) -> dict[str, Any]:
    """The raw facts of an enterprise: its stored facts, with founding date and employees from the registry."""
    return {**registry_facts(org), **{row.fact: row.value for row in rows}}


def describe(org: Organization) -> dict[str, Any]:
    """The enterprise as pools and pages show it."""
    return {"id": org.id, "name": org.name, "credit_code": org.credit_code, "region_code": org.region_code}


def evaluate_organization(
    *, session: Session, organization_id: int, as_of: date, changes: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Every policy for one registry enterprise; `changes` (see `apply_changes`) are a what-if, never saved."""
    org = queries.get_enterprise(session, organization_id)
    raw = stored_facts(org, queries.facts_by_enterprise(session, [org.id]).get(org.id, []))
    raw = apply_changes(raw, changes or {}, as_of)
    facts = parse_facts(exact_json(raw))
    results = evaluate_facts(facts, as_of, shipped_policies())
    return {"enterprise": describe(org), "as_of": as_of.isoformat(), "facts": raw, "results": results}


def can_edit_facts(viewer: Viewer, organization_id: int) -> bool:
    """The enterprise's own users, officers and admins may change its facts."""
    return viewer.is_privileged or (viewer.is_authenticated and viewer.organization_id == organization_id)


def save_fact(
    *,
    session: Session,
    viewer: Viewer,
    organization_id: int,
    fact: str,
    value: Any,
    year: int | None = None,
    source: str = "",
    entered_by: str = "",
) -> EnterpriseFact:
    """Set one fact (validated against its type); only the enterprise's users and officers may."""
    queries.get_enterprise(session, organization_id)
    if not can_edit_facts(viewer, organization_id):
        raise PermissionDeniedError(
            "only the enterprise's users and officers may edit its facts", message_zh="仅本企业用户和主管部门可修改"
        )
    spec = load_fact_specs().get(fact)
    if spec is None:
        raise FactError(f"unknown fact id {fact!r}", message_zh=f"未知的事实标识 {fact!r}")
    if value is not None:
        parse_value(spec, exact_json(value))
    row = queries.get_fact(session, organization_id, fact)
    if row is None:
        row = EnterpriseFact(organization_id=organization_id, fact=fact)
        session.add(row)
    row.value, row.year, row.source = value, year, source
    row.entered_by, row.entered_by_id = entered_by, viewer.user_id or None
    pool_queries.mark_dirty(session, [organization_id])
    session.flush()
    return row


def _classify(result: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    """Which pool a result goes to (eligible / near_miss / unknown / None) and what to show with it."""
    if result["verdict"] == "eligible":
        return "eligible", {}
    if result["verdict"] == "unknown":
        unknown = [c["id"] for c in result["criteria"] if c["verdict"] == "unknown"]
        return "unknown", {"unknown_criteria": unknown}
    failing, unknown_count = count_failing(result)
    if failing == 1 and unknown_count == 0:
        failed = next(c["id"] for c in result["criteria"] if c["verdict"] == "fail")
        return "near_miss", {"failing_criterion": failed, "gaps": result["gaps"]}
    return None, {}


def build_pools(
    *,
    session: Session,
    as_of: date,
    policy_id: str | None = None,
    region_prefix: str | None = None,
    cluster: str | None = None,
) -> dict[str, Any]:
    """Candidate pools evaluated on the fly (every enterprise × policy per call): the benchmark baseline of the
    stored pools (`policies.pools`, `policies.pool_reads`), which the pages, API and CLI read instead."""
    if policy_id and policy_id not in {p.id for p in shipped_policies()}:
        raise InvalidDataError(f"unknown policy {policy_id!r}", message_zh=f"未知的政策 {policy_id!r}")
    enterprises = queries.list_enterprises(session, region_prefix=region_prefix)
    if cluster:
        enterprises = [org for org in enterprises if cluster in (org.extra or {}).get("clusters", [])]
    stored = queries.facts_by_enterprise(session)
    only = [policy_id] if policy_id else None
    pools: dict[str, dict[str, Any]] = {}
    errors: list[dict[str, Any]] = []
    for org in enterprises:
        try:
            facts = parse_facts(exact_json(stored_facts(org, stored.get(org.id, []))))
        except FactError as exc:
            errors.append({**describe(org), "error": exc.message, "error_zh": exc.message_zh})
            continue
        for result in evaluate_facts(facts, as_of, shipped_policies(), only):
            pool = pools.setdefault(
                result["policy"],
                {
                    "policy": result["policy"],
                    "version": result["version"],
                    "eligible": [],
                    "near_miss": [],
                    "unknown": [],
                },
            )
            name, extra = _classify(result)
            if name is not None:
                pool[name].append({**describe(org), **extra})
    ordered = [pools[p] for p in POLICY_IDS if p in pools]
    return {"as_of": as_of.isoformat(), "enterprises": len(enterprises), "pools": ordered, "errors": errors}


def apply_changes(raw: dict[str, Any], changes: dict[str, Any], as_of: date | None = None) -> dict[str, Any]:
    """What-if changes over raw facts: null removes a fact; for a yearly series, a list replaces it, a single number
    replaces its last year, and `{"index": -2, "value": v}` (or `{"year": 2024, "value": v}`, [-1] being the year
    before `as_of`'s) replaces one year, padding the series with missing years when it is shorter (a gap's `change`
    names its input this way)."""
    specs = load_fact_specs()
    result = dict(raw)
    for fact, value in changes.items():
        spec = specs.get(fact)
        if spec is None:
            raise FactError(f"unknown fact id {fact!r}", message_zh=f"未知的事实标识 {fact!r}")
        if value is None:
            result.pop(fact, None)
        elif spec.type in SERIES_TYPES and not isinstance(value, list):
            index, year_value = series_position(fact, value, as_of)
            result[fact] = set_year(list(result.get(fact) or []), index, year_value)
        else:
            result[fact] = value
    return result


def series_position(fact: str, value: Any, as_of: date | None) -> tuple[int, Any]:
    """(index, value) of a one-year change: a bare value is the last year's; else `{index | year, value}`."""
    if not isinstance(value, dict):
        return -1, value
    keys = set(value) - {"value"}
    if "value" not in value or keys not in ({"index"}, {"year"}):
        raise _position_error(fact, "{index or year, value}", "{index 或 year, value}")
    if "year" in value:
        if as_of is None or not is_whole(value["year"]):
            raise _position_error(fact, "a year as a whole number", "整数年份")
        index = value["year"] - as_of.year
    else:
        index = value["index"]
    if not is_whole(index) or not -MAX_YEARS_BACK <= index <= -1:
        raise _position_error(fact, f"a year from 1 to {MAX_YEARS_BACK} years before as_of", "评价日期之前的年度")
    return index, value["value"]


def is_whole(value: Any) -> bool:
    """An int that is not a bool."""
    return isinstance(value, int) and not isinstance(value, bool)


def _position_error(fact: str, expected: str, expected_zh: str) -> FactError:
    return FactError(f"{fact}: expected {expected}", message_zh=f"{fact}：应为{expected_zh}")


def set_year(series: list[Any], index: int, value: Any) -> list[Any]:
    """`series` with `series[index] = value`, missing years (None) prepended when it is shorter."""
    padded = [None] * max(0, -index - len(series)) + series
    padded[index] = value
    return padded


def policy_catalog(as_of: date) -> list[dict[str, Any]]:
    """Every shipped policy version with its ladder, in force or not on `as_of`, in ladder order."""
    rows = [
        {
            "id": p.id,
            "version": p.version,
            "title": p.title,
            "issuer": p.issuer,
            "document": p.document,
            "source_url": p.source_url,
            "effective_from": p.effective_from.isoformat(),
            "effective_to": p.effective_to.isoformat() if p.effective_to else None,
            "ladder": p.ladder.name,
            "rank": p.ladder.rank,
            "verify": p.verify,
            "in_force": p.is_in_force(as_of),
        }
        for p in shipped_policies()
    ]
    return sorted(rows, key=lambda r: (r["ladder"] != "main", r["ladder"], r["rank"], r["effective_from"]))


def require_fact_access(viewer: Viewer, organization_id: int) -> None:
    """Raise unless the viewer may see and change this enterprise's facts."""
    if not can_edit_facts(viewer, organization_id):
        raise PermissionDeniedError(
            "only the enterprise's users and officers", message_zh="仅本企业用户和主管部门可查看"
        )
