"""JSON API: registry reads (list + get per entity type), demand and achievement writes, and API sign-in.

Authentication for API clients: `POST /api/auth/login` with a JSON body sets the same session cookie the portal
uses and returns the session's CSRF token; every unsafe request then sends the cookie and `X-CSRF-Token`.
The login itself needs no token: it only accepts `application/json`, which a cross-site form cannot send
without a CORS preflight (and no CORS is allowed), so login CSRF is not possible.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.orm import Session

from techbridge.access import Viewer
from techbridge.accounts.throttle import sign_in, throttle_rule
from techbridge.i18n.loader import translate
from techbridge.models import Achievement, Demand, Expert, OrgKind
from techbridge.registry import detail_queries, list_queries, queries, service
from techbridge.registry.detail_queries import achievement_read, demand_reads
from techbridge.registry.list_queries import ListParams, Page
from techbridge.registry.queries import INSTITUTION_KINDS
from techbridge.registry.schemas import (
    AchievementCreate,
    AchievementRead,
    AchievementUpdate,
    DemandCreate,
    DemandRead,
    DemandUpdate,
    ExpertRead,
    OrganizationRead,
    PageRead,
    RegionRead,
)
from techbridge.web.csrf import HEADER, csrf_token
from techbridge.web.deps import (
    CsrfDep,
    DbDep,
    IdPath,
    IdQuery,
    LangDep,
    SettingsDep,
    SignedInDep,
    ViewerDep,
    client_address,
)
from techbridge.web.routes.api.errors import ErrorRead

router = APIRouter()


ERRORS: dict[int | str, dict[str, Any]] = {
    403: {"model": ErrorRead, "description": "not signed in, missing/invalid X-CSRF-Token, or not the owner"},
    404: {"model": ErrorRead, "description": "no such record, or the caller may not read it"},
}
WRITE_ERRORS: dict[int | str, dict[str, Any]] = {
    **ERRORS,
    422: {"model": ErrorRead, "description": "invalid input: `location` (and `detail[].loc`) names the field"},
}


def csrf_header(
    x_csrf_token: Annotated[
        str | None, Header(alias=HEADER, description="the token `POST /api/auth/login` returned")
    ] = None,
) -> None:
    """Declares the CSRF header in OpenAPI; `CsrfDep` does the checking."""


WRITE_DEPS = [CsrfDep, Depends(csrf_header)]


MAX_PAGE = 1_000_000  # page x size stays far inside a 64-bit OFFSET


class PageQuery(BaseModel):
    """Paging, keyword and sort parameters shared by every list."""

    q: str = ""
    sort: str = ""
    page: int = 1
    size: int = 20


def page_query(
    q: Annotated[str, Query(max_length=100, description="name/title contains")] = "",
    sort: Annotated[str, Query(max_length=32, description="column, '-' prefix for descending")] = "",
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    size: Annotated[int, Query(ge=1, le=list_queries.MAX_PAGE_SIZE)] = 20,
) -> PageQuery:
    """The shared list parameters."""
    return PageQuery(q=q, sort=sort, page=page, size=size)


PageDep = Annotated[PageQuery, Depends(page_query)]


def _list(session: Session, viewer: Viewer, entity: str, query: PageQuery, filters: Mapping[str, object]) -> Page[Any]:
    kept = {name: str(value) for name, value in filters.items() if value not in (None, "")}
    params = ListParams(q=query.q, sort=query.sort, page=query.page, size=query.size, filters=kept)
    return list_queries.list_entities(session, viewer, entity, params)


def _page_read(page: Page[Any], items: list[Any]) -> dict[str, Any]:
    return {
        "number": page.number,
        "pages": page.pages,
        "total": page.total,
        "size": page.size,
        "capped": page.capped,
        "items": items,
    }


def _orgs(page: Page[Any]) -> PageRead[OrganizationRead]:
    items = [OrganizationRead.model_validate(o) for o in page.items]
    return PageRead[OrganizationRead].model_validate(_page_read(page, items))


def expert_read(expert: Expert, viewer: Viewer, affiliation: detail_queries.Affiliation) -> ExpertRead:
    """An expert as the viewer may see it: contact details only when `contact_visibility` allows, the affiliation
    as `detail_queries.shown_affiliations` gives it."""
    contact = detail_queries.contact_of(expert, viewer)
    hidden = {"email": None, "phone": None, "affiliation_id": affiliation.id, "affiliation_name": affiliation.name}
    read = ExpertRead.model_validate(expert).model_copy(update=hidden)
    if contact is None:
        return read
    return read.model_copy(update={"email": contact.email, "phone": contact.phone, "contact_visible": True})


RegionFilter = Annotated[str | None, Query(pattern=r"^\d{2,12}$", description="region code prefix (21, 2101 …)")]


@router.get("/enterprises", response_model=PageRead[OrganizationRead], tags=["registry"])
def list_enterprises(
    session: DbDep, viewer: ViewerDep, query: PageDep, region: RegionFilter = None, listed: bool = False
) -> PageRead[OrganizationRead]:
    """Enterprises the caller may read; sort by name, founded or id."""
    return _orgs(_list(session, viewer, "enterprise", query, {"region": region, "listed": "1" if listed else ""}))


@router.get("/enterprises/{org_id}", response_model=OrganizationRead, responses=ERRORS, tags=["registry"])
def get_enterprise(session: DbDep, viewer: ViewerDep, org_id: IdPath) -> OrganizationRead:
    """One enterprise."""
    return OrganizationRead.model_validate(queries.get_organization(session, viewer, org_id, (OrgKind.ENTERPRISE,)))


@router.get("/institutions", response_model=PageRead[OrganizationRead], tags=["registry"])
def list_institutions(
    session: DbDep, viewer: ViewerDep, query: PageDep, region: RegionFilter = None, kind: OrgKind | None = None
) -> PageRead[OrganizationRead]:
    """Universities and institutes; `kind` narrows to one of them."""
    return _orgs(_list(session, viewer, "institution", query, {"region": region, "kind": kind}))


@router.get("/institutions/{org_id}", response_model=OrganizationRead, responses=ERRORS, tags=["registry"])
def get_institution(session: DbDep, viewer: ViewerDep, org_id: IdPath) -> OrganizationRead:
    """One university or institute."""
    return OrganizationRead.model_validate(queries.get_organization(session, viewer, org_id, INSTITUTION_KINDS))


@router.get("/carriers", response_model=PageRead[OrganizationRead], tags=["registry"])
def list_carriers(
    session: DbDep, viewer: ViewerDep, query: PageDep, region: RegionFilter = None, carrier_type: str | None = None
) -> PageRead[OrganizationRead]:
    """Carriers: science parks, incubators, maker spaces, pilot bases, service centres."""
    return _orgs(_list(session, viewer, "carrier", query, {"region": region, "carrier_type": carrier_type}))


@router.get("/carriers/{org_id}", response_model=OrganizationRead, responses=ERRORS, tags=["registry"])
def get_carrier(session: DbDep, viewer: ViewerDep, org_id: IdPath) -> OrganizationRead:
    """One carrier."""
    return OrganizationRead.model_validate(queries.get_organization(session, viewer, org_id, (OrgKind.CARRIER,)))


@router.get("/experts", response_model=PageRead[ExpertRead], tags=["registry"])
def list_experts(
    session: DbDep, viewer: ViewerDep, query: PageDep, affiliation: IdQuery = None
) -> PageRead[ExpertRead]:
    """Experts; contact details only where `contact_visibility` lets the caller see them."""
    page = _list(session, viewer, "expert", query, {"affiliation": affiliation})
    shown = detail_queries.shown_affiliations(session, viewer, page.items)
    items = [expert_read(e, viewer, shown[e.id]) for e in page.items]
    return PageRead[ExpertRead].model_validate(_page_read(page, items))


@router.get("/experts/{expert_id}", response_model=ExpertRead, responses=ERRORS, tags=["registry"])
def get_expert(session: DbDep, viewer: ViewerDep, expert_id: IdPath) -> ExpertRead:
    """One expert."""
    expert = queries.get_visible(session, viewer, Expert, expert_id)
    return expert_read(expert, viewer, detail_queries.shown_affiliations(session, viewer, [expert])[expert.id])


@router.get("/achievements", response_model=PageRead[AchievementRead], tags=["registry"])
def list_achievements(
    session: DbDep,
    viewer: ViewerDep,
    query: PageDep,
    kind: str | None = None,
    year: Annotated[int | None, Query(ge=1, le=9999)] = None,
    trl_min: Annotated[int | None, Query(ge=1, le=9)] = None,
    region: RegionFilter = None,
) -> PageRead[AchievementRead]:
    """Achievements; sort by year, title, trl or id (default: newest first)."""
    filters = {"kind": kind, "year": year, "trl_min": trl_min, "region": region}
    page = _list(session, viewer, "achievement", query, filters)
    items = [AchievementRead.model_validate(a) for a in page.items]
    return PageRead[AchievementRead].model_validate(_page_read(page, items))


@router.get("/achievements/{achievement_id}", response_model=AchievementRead, responses=ERRORS, tags=["registry"])
def get_achievement(session: DbDep, viewer: ViewerDep, achievement_id: IdPath) -> AchievementRead:
    """One achievement with its owners."""
    return achievement_read(session, viewer, queries.get_visible(session, viewer, Achievement, achievement_id))


@router.post(
    "/achievements",
    response_model=AchievementRead,
    status_code=201,
    responses=WRITE_ERRORS,
    dependencies=WRITE_DEPS,
    tags=["registry"],
)
def create_achievement(session: DbDep, viewer: SignedInDep, data: AchievementCreate) -> AchievementRead:
    """Register an achievement owned by the caller (signed-in session + `X-CSRF-Token`)."""
    achievement = service.create_achievement(session=session, viewer=viewer, data=data)
    return achievement_read(session, viewer, achievement)


@router.patch(
    "/achievements/{achievement_id}",
    response_model=AchievementRead,
    responses=WRITE_ERRORS,
    dependencies=WRITE_DEPS,
    tags=["registry"],
)
def update_achievement(
    session: DbDep, viewer: SignedInDep, achievement_id: IdPath, data: AchievementUpdate
) -> AchievementRead:
    """Change an achievement the caller owns (officers: any)."""
    achievement = service.update_achievement(session=session, viewer=viewer, achievement_id=achievement_id, data=data)
    return achievement_read(session, viewer, achievement)


@router.get("/demands", response_model=PageRead[DemandRead], tags=["registry"])
def list_demands(
    session: DbDep,
    viewer: ViewerDep,
    query: PageDep,
    status: str | None = None,
    region: RegionFilter = None,
    enterprise: IdQuery = None,
) -> PageRead[DemandRead]:
    """Demands; sort by deadline, budget, title or id (default: newest first)."""
    page = _list(session, viewer, "demand", query, {"status": status, "region": region, "enterprise": enterprise})
    return PageRead[DemandRead].model_validate(_page_read(page, demand_reads(session, viewer, page.items)))


@router.get("/demands/{demand_id}", response_model=DemandRead, responses=ERRORS, tags=["registry"])
def get_demand(session: DbDep, viewer: ViewerDep, demand_id: IdPath) -> DemandRead:
    """One demand."""
    return demand_reads(session, viewer, [queries.get_visible(session, viewer, Demand, demand_id)])[0]


@router.post(
    "/demands",
    response_model=DemandRead,
    status_code=201,
    responses=WRITE_ERRORS,
    dependencies=WRITE_DEPS,
    tags=["registry"],
)
def create_demand(session: DbDep, viewer: SignedInDep, data: DemandCreate) -> DemandRead:
    """Publish a demand owned by the caller (signed-in session + `X-CSRF-Token`)."""
    return demand_reads(session, viewer, [service.create_demand(session=session, viewer=viewer, data=data)])[0]


@router.patch(
    "/demands/{demand_id}",
    response_model=DemandRead,
    responses=WRITE_ERRORS,
    dependencies=WRITE_DEPS,
    tags=["registry"],
)
def update_demand(session: DbDep, viewer: SignedInDep, demand_id: IdPath, data: DemandUpdate) -> DemandRead:
    """Change a demand the caller owns (officers: any)."""
    return demand_reads(
        session, viewer, [service.update_demand(session=session, viewer=viewer, demand_id=demand_id, data=data)]
    )[0]


@router.get("/regions", response_model=PageRead[RegionRead], tags=["registry"])
def list_regions(
    session: DbDep, viewer: ViewerDep, query: PageDep, level: str | None = None, parent: str | None = None
) -> PageRead[RegionRead]:
    """Administrative divisions; `parent=21` lists Liaoning's cities."""
    page = _list(session, viewer, "region", query, {"level": level, "parent": parent})
    items = [RegionRead.model_validate(r) for r in page.items]
    return PageRead[RegionRead].model_validate(_page_read(page, items))


@router.get("/regions/{code}", response_model=RegionRead, responses=ERRORS, tags=["registry"])
def get_region(session: DbDep, code: str) -> RegionRead:
    """One region by its official code."""
    return RegionRead.model_validate(queries.get_region(session, code))


class LoginRequest(BaseModel):
    """Credentials of an API client."""

    username: str
    password: str


class LoginRead(BaseModel):
    """Who signed in, and the CSRF token to send as `X-CSRF-Token` on every POST/PATCH."""

    user_id: int
    username: str
    role: str
    csrf_token: str
    csrf_header: str = HEADER


@router.post(
    "/auth/login",
    response_model=LoginRead,
    responses={
        401: {"model": ErrorRead, "description": "wrong username or password"},
        429: {"model": ErrorRead, "description": "too many failed attempts for this name or address"},
    },
    tags=["auth"],
)
def api_login(request: Request, session: DbDep, settings: SettingsDep, lang: LangDep, body: LoginRequest) -> Any:
    """Sign in with JSON credentials: sets the `techbridge_session` cookie and returns the CSRF token.

    API clients keep the cookie and send `X-CSRF-Token: <csrf_token>` on every unsafe request. Failed attempts
    are throttled per name and per address (429 with the minutes to wait).
    """
    result = sign_in(
        session=session,
        rule=throttle_rule(settings),
        username=body.username,
        password=body.password,
        address=client_address(request),
    )
    user = result.user
    if result.retry_minutes:
        message = translate("auth.locked", lang, minutes=result.retry_minutes)
        headers = {"Retry-After": str(result.retry_minutes * 60)}
        return JSONResponse({"error": "locked", "message": message, "location": []}, status_code=429, headers=headers)
    if user is None:
        message = translate("auth.failed", lang)
        return JSONResponse({"error": "unauthenticated", "message": message, "location": []}, status_code=401)
    request.session.clear()
    request.session.update({"uid": user.id, "username": user.display_name or user.username, "role": user.role})
    return LoginRead(user_id=user.id, username=user.username, role=user.role, csrf_token=csrf_token(request))


@router.post("/auth/logout", status_code=204, responses=ERRORS, dependencies=WRITE_DEPS, tags=["auth"])
def api_logout(request: Request) -> None:
    """Forget the session (needs `X-CSRF-Token`)."""
    request.session.clear()
