"""JSON API: tiers — evaluate posted facts, an enterprise's tiers, what-if, candidate pools."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from techbridge.errors import InvalidDataError
from techbridge.policies.evaluate import evaluate_enterprise
from techbridge.policies.loader import shipped_policies
from techbridge.policies.pool_reads import PER_PAGE, make_filter, read_pools
from techbridge.policies.service import evaluate_organization, exact_json, require_fact_access
from techbridge.web.deps import CsrfDep, DbDep, IdPath, OfficerDep, ViewerDep

router = APIRouter(prefix="/tiers", tags=["tiers"])


class EnterpriseIn(BaseModel):
    """One enterprise: an id and its facts (ids of tiers.md)."""

    id: str | int
    name: str | None = None
    facts: dict[str, Any] = Field(default_factory=dict)


class EvaluateIn(BaseModel):
    """Enterprises to evaluate on a date (default today), optionally for some policies only."""

    as_of: date | None = None
    policies: list[str] | None = None
    enterprises: list[EnterpriseIn]


class WhatIfIn(BaseModel):
    """Fact changes to try on a registry enterprise (null removes a fact); nothing is saved."""

    as_of: date | None = None
    changes: dict[str, Any] = Field(default_factory=dict)


@router.post("/evaluate", dependencies=[CsrfDep])
def evaluate(body: EvaluateIn) -> dict[str, Any]:
    """Verdicts, criteria, scores and gaps for every posted enterprise; input errors are reported per enterprise."""
    day = body.as_of or date.today()
    results: list[dict[str, Any]] = []
    for index, enterprise in enumerate(body.enterprises):
        raw = exact_json(enterprise.model_dump())
        try:
            results.append(evaluate_enterprise(raw, day, shipped_policies(), body.policies))
        except InvalidDataError as exc:
            results.append({"index": index, "id": enterprise.id, "error": exc.message, "error_zh": exc.message_zh})
    return {"as_of": day.isoformat(), "results": results}


@router.get("/enterprises/{org_id}")
def enterprise(org_id: IdPath, session: DbDep, viewer: ViewerDep, as_of: date | None = None) -> dict[str, Any]:
    """A registry enterprise's tiers (its own users and officers only)."""
    require_fact_access(viewer, org_id)
    return evaluate_organization(session=session, organization_id=org_id, as_of=as_of or date.today())


@router.post("/enterprises/{org_id}/what-if", dependencies=[CsrfDep])
def what_if(org_id: IdPath, body: WhatIfIn, session: DbDep, viewer: ViewerDep) -> dict[str, Any]:
    """The enterprise's tiers with changed facts; nothing is saved."""
    require_fact_access(viewer, org_id)
    day = body.as_of or date.today()
    return evaluate_organization(session=session, organization_id=org_id, as_of=day, changes=body.changes)


@router.get("/pools")
def pools(
    session: DbDep,
    viewer: OfficerDep,
    policy: str | None = None,
    verdict: str | None = None,
    city: str | None = None,
    cluster: str | None = None,
    sort: str = "closeness",
    page: int = 1,
    per_page: int = PER_PAGE,
    as_of: date | None = None,
) -> dict[str, Any]:
    """Officers: one page of the stored pools, filtered and sorted, with the total and the count per verdict."""
    flt = make_filter(session=session, policy=policy, verdict=verdict, region=city, cluster=cluster, as_of=as_of)
    return read_pools(session=session, flt=flt, sort=sort, page=page, per_page=per_page)
