"""JSON API: matching use cases (need → achievements/experts, adopters, recommendations, similar) and saving a need."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from techbridge.access import Viewer
from techbridge.matching import service
from techbridge.matching.schemas import MatchFilters, OwnerType
from techbridge.models import AchievementKind
from techbridge.registry.pickers import resolve_field, resolve_region
from techbridge.web.deps import CsrfDep, DbDep, IdPath, LangDep, SettingsDep, SignedInDep, ViewerDep

router = APIRouter(prefix="/match", tags=["match"])

API_LIMIT = 20


class NeedCreate(BaseModel):
    """A need typed by the user, to be saved as a demand."""

    text: str = Field(min_length=2, max_length=20_000)
    region_code: str | None = Field(None, max_length=12)


RegionQuery = Annotated[
    str | None, Query(max_length=100, description="province or city: code (2102) or name (大连, 辽宁); 422 if none")
]
FieldQuery = Annotated[str | None, Query(max_length=100, description="a field tag some visible record carries")]
TrlQuery = Annotated[int | None, Query(ge=1, le=9, description="technology readiness level, 1–9")]


def _filters(
    session: Session, viewer: Viewer, region: str | None, field: str | None, rest: dict[str, Any]
) -> MatchFilters:
    """The API's filters, region and field resolved as the portal resolves them (an unknown one is a 422 naming it)."""
    code = resolve_region(session, region, "region") if region and region.strip() else None
    tag = resolve_field(session, viewer, field, "field") if field and field.strip() else None
    return MatchFilters(region=code, field=tag, **rest)


@router.get("")
def match(
    session: DbDep,
    settings: SettingsDep,
    viewer: ViewerDep,
    lang: LangDep,
    q: str = "",
    limit: int = API_LIMIT,
    region: RegionQuery = None,
    field: FieldQuery = None,
    trl_min: TrlQuery = None,
    trl_max: TrlQuery = None,
    kind: AchievementKind | None = None,
    owner_type: OwnerType | None = None,
) -> dict[str, Any]:
    """Need text → achievements and experts, with filters region, field, trl_min, trl_max, kind, owner_type."""
    rest = {"trl_min": trl_min, "trl_max": trl_max, "kind": kind, "owner_type": owner_type}
    matches = service.match_need(
        session=session,
        settings=settings,
        viewer=viewer,
        text=q,
        filters=_filters(session, viewer, region, field, rest),
        limit=max(1, min(limit, 100)),
    )
    return matches.as_dict(session, lang)


@router.get("/demands/{demand_id}")
def demand(
    demand_id: IdPath, session: DbDep, settings: SettingsDep, viewer: ViewerDep, lang: LangDep
) -> dict[str, Any]:
    """A stored demand → achievements and experts."""
    matches = service.match_demand(session=session, settings=settings, viewer=viewer, demand_id=demand_id)
    return matches.as_dict(session, lang)


@router.post("/demands", status_code=201, dependencies=[CsrfDep])
def save_need(body: NeedCreate, session: DbDep, viewer: SignedInDep) -> dict[str, Any]:
    """Save a need as a demand owned by the signed-in user."""
    created = service.save_demand(session=session, viewer=viewer, text=body.text, region_code=body.region_code)
    return {"id": created.id, "title": created.title}


@router.get("/achievements/{achievement_id}/adopters")
def adopters(
    achievement_id: IdPath, session: DbDep, settings: SettingsDep, viewer: ViewerDep, lang: LangDep
) -> dict[str, Any]:
    """Achievement → likely adopting enterprises."""
    hits = service.likely_adopters(session=session, settings=settings, viewer=viewer, achievement_id=achievement_id)
    return {"achievement_id": achievement_id, "hits": service.hits_json(session, hits, lang)}


@router.get("/achievements/{achievement_id}/similar")
def similar(
    achievement_id: IdPath, session: DbDep, settings: SettingsDep, viewer: ViewerDep, lang: LangDep
) -> dict[str, Any]:
    """Achievement → similar achievements."""
    hits = service.similar_achievements(
        session=session, settings=settings, viewer=viewer, achievement_id=achievement_id
    )
    return {"achievement_id": achievement_id, "hits": service.hits_json(session, hits, lang)}


@router.get("/enterprises/{enterprise_id}/recommended")
def recommended(
    enterprise_id: IdPath, session: DbDep, settings: SettingsDep, viewer: ViewerDep, lang: LangDep
) -> dict[str, Any]:
    """Enterprise → recommended achievements."""
    hits = service.recommended_achievements(
        session=session, settings=settings, viewer=viewer, enterprise_id=enterprise_id
    )
    return {"enterprise_id": enterprise_id, "hits": service.hits_json(session, hits, lang)}
