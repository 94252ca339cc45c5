"""JSON API: matching use cases (need → achievements/experts, adopters, recommendations, similar) and saving a need."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from techbridge.matching import service
from techbridge.matching.schemas import MatchFilters, MatchHit
from techbridge.registry.pickers import resolve_field, resolve_region
from techbridge.web.deps import CsrfDep, DbDep, IdPath, SettingsDep, SignedInDep, ViewerDep
from techbridge.web.routes.match import parse_filters

router = APIRouter(prefix="/match", tags=["match"])

API_LIMIT = 20


class NeedCreate(BaseModel):
    """A need typed by the user, to be saved as a demand."""

    text: str = Field(min_length=2, max_length=20_000)
    region_code: str | None = Field(None, max_length=12)


def _hits(hits: list[MatchHit]) -> list[dict[str, Any]]:
    return [h.as_dict() for h in hits]


def _filters(request: Request, session: DbDep, viewer: ViewerDep) -> MatchFilters:
    """The page's filters, region and field resolved as the page resolves them (a code or a name: 21, 辽宁, 大连);
    one naming nothing or several is a 422, never silently dropped."""
    qp = request.query_params
    region_text, field_text = qp.get("region", "").strip()[:100], qp.get("field", "").strip()[:100]
    region = resolve_region(session, region_text, "region") if region_text else None
    field = resolve_field(session, viewer, field_text, "field") if field_text else None
    return parse_filters(request, region, field)


@router.get("")
def match(
    request: Request, session: DbDep, settings: SettingsDep, viewer: ViewerDep, q: str = "", limit: int = API_LIMIT
) -> dict[str, Any]:
    """Need text → achievements and experts, with filters region, field, trl_min, trl_max, kind, owner_type."""
    matches = service.match_need(
        session=session,
        settings=settings,
        viewer=viewer,
        text=q,
        filters=_filters(request, session, viewer),
        limit=max(1, min(limit, 100)),
    )
    return {"query": q, "achievements": _hits(matches.achievements), "experts": _hits(matches.experts)}


@router.get("/demands/{demand_id}")
def demand(demand_id: IdPath, session: DbDep, settings: SettingsDep, viewer: ViewerDep) -> dict[str, Any]:
    """A stored demand → achievements and experts."""
    matches = service.match_demand(session=session, settings=settings, viewer=viewer, demand_id=demand_id)
    return {"query": matches.query, "achievements": _hits(matches.achievements), "experts": _hits(matches.experts)}


@router.post("/demands", status_code=201, dependencies=[CsrfDep])
def save_need(body: NeedCreate, session: DbDep, viewer: SignedInDep) -> dict[str, Any]:
    """Save a need as a demand owned by the signed-in user."""
    created = service.save_demand(session=session, viewer=viewer, text=body.text, region_code=body.region_code)
    return {"id": created.id, "title": created.title}


@router.get("/achievements/{achievement_id}/adopters")
def adopters(achievement_id: IdPath, session: DbDep, settings: SettingsDep, viewer: ViewerDep) -> dict[str, Any]:
    """Achievement → likely adopting enterprises."""
    hits = service.likely_adopters(session=session, settings=settings, viewer=viewer, achievement_id=achievement_id)
    return {"achievement_id": achievement_id, "hits": _hits(hits)}


@router.get("/achievements/{achievement_id}/similar")
def similar(achievement_id: IdPath, session: DbDep, settings: SettingsDep, viewer: ViewerDep) -> dict[str, Any]:
    """Achievement → similar achievements."""
    hits = service.similar_achievements(
        session=session, settings=settings, viewer=viewer, achievement_id=achievement_id
    )
    return {"achievement_id": achievement_id, "hits": _hits(hits)}


@router.get("/enterprises/{enterprise_id}/recommended")
def recommended(enterprise_id: IdPath, session: DbDep, settings: SettingsDep, viewer: ViewerDep) -> dict[str, Any]:
    """Enterprise → recommended achievements."""
    hits = service.recommended_achievements(
        session=session, settings=settings, viewer=viewer, enterprise_id=enterprise_id
    )
    return {"enterprise_id": enterprise_id, "hits": _hits(hits)}
