"""Portal pages: the "describe your need" page (live results), saving a need, and the match fragments
(likely adopters of an achievement, recommended achievements of an enterprise, similar achievements)."""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.orm import Session

from techbridge.errors import InvalidDataError
from techbridge.matching import service
from techbridge.matching.schemas import OWNER_TYPES, MatchFilters
from techbridge.models import AchievementKind
from techbridge.registry.pickers import region_display, region_label, resolve_field, resolve_region
from techbridge.web.deps import MAX_ID, CsrfDep, DbDep, IdPath, LangDep, SettingsDep, SignedInDep, ViewerDep
from techbridge.web.templating import render

router = APIRouter(include_in_schema=False)  # HTML pages: not part of the JSON API's document

RESULTS_PER_LIST = 10
FRAGMENT_SIZE = 8


def _int_or_none(value: str | None, most: int = MAX_ID) -> int | None:
    """An ASCII whole number up to `most` (ids are INTEGER on PostgreSQL), else None: 「²」 is a digit to
    `str.isdigit` but not to `int`."""
    text = (value or "").strip()
    return int(text) if text.isascii() and text.isdigit() and int(text) <= most else None


def parse_filters(request: Request, region: str | None = None, field: str | None = None) -> MatchFilters:
    """The page's filters from the query string (unknown values are ignored); `region` and `field` are resolved."""
    qp = request.query_params
    kind = qp.get("kind") or None
    owner = qp.get("owner_type") or None
    return MatchFilters(
        region=region,
        field=field,
        trl_min=_int_or_none(qp.get("trl_min")),
        trl_max=_int_or_none(qp.get("trl_max")),
        kind=kind if kind in {k.value for k in AchievementKind} else None,
        owner_type=owner if owner in OWNER_TYPES else None,
    )


def _reason_regions(session: Session, matches: service.DemandMatches | None, lang: str) -> dict[str, str]:
    """The regions the matches' reasons name, in the page's language (`match/_hit.html` shows them by name)."""
    if matches is None:
        return {}
    return service.reason_regions(session, [*matches.achievements, *matches.experts], lang)


@router.get("/match", response_class=HTMLResponse)
def match_page(
    request: Request, session: DbDep, settings: SettingsDep, viewer: ViewerDep, lang: LangDep
) -> HTMLResponse:
    """描述您的技术需求: ranked achievements and experts for the typed need (HTMX updates the results); the region
    is typed by name (辽宁, 大连) or picked, and one naming nothing or several answers 422 with the input kept.
    `?demand=<id>` fills the form with a stored demand's text and region (its 供需对接 button)."""
    qp = request.query_params
    q, region_text = qp.get("q", "").strip(), qp.get("region", "").strip()[:100]
    if not q and (demand_id := _int_or_none(qp.get("demand"))) is not None:
        q, code = service.demand_need(session=session, viewer=viewer, demand_id=demand_id)
        region_text = region_label(session, code, lang)
    field_text = qp.get("field", "").strip()[:100]
    error: InvalidDataError | None = None
    region = field = None
    try:
        region = resolve_region(session, region_text, "region") if region_text else None
        field = resolve_field(session, viewer, field_text, "field") if field_text else None
    except InvalidDataError as exc:
        error = exc
    filters = parse_filters(request, region, field)
    matches = None
    if q and error is None:
        matches = service.match_need(
            session=session, settings=settings, viewer=viewer, text=q, filters=filters, limit=RESULTS_PER_LIST
        )
    ctx = {
        "q": q,
        "filters": filters,
        "region_text": region_text,
        "field_text": field_text,
        "error_field": error.location[0] if error and error.location else None,
        "error_text": error.said(lang) if error else None,
        "matches": matches,
        "reason_regions": _reason_regions(session, matches, lang),
        "kinds": [k.value for k in AchievementKind],
        "owner_types": OWNER_TYPES,
        "signed_in": viewer.is_authenticated,
    }
    status = 422 if error else 200
    return render(request, "match/index.html", ctx, status_code=status, partial="match/_results.html")


@router.post("/match/demands", dependencies=[CsrfDep])
def save_need(session: DbDep, viewer: SignedInDep, q: str = Form(""), region: str = Form("")) -> RedirectResponse:
    """Save the typed need as a demand with the region as typed or picked on the form (辽宁, 大连市 [2102]), then
    show it with a confirmation (POST-redirect-GET); a region naming nothing or several is an error, never dropped."""
    code = resolve_region(session, region[:100], "region") if region.strip() else None
    demand = service.save_demand(session=session, viewer=viewer, text=q, region_code=code)
    return RedirectResponse(f"/demands/{demand.id}?done=saved", status_code=303)


@router.get("/match/demands/{demand_id}", response_class=HTMLResponse)
def demand_matches(
    request: Request, demand_id: IdPath, session: DbDep, settings: SettingsDep, viewer: ViewerDep, lang: LangDep
) -> HTMLResponse:
    """Fragment: achievements and experts for a stored demand."""
    matches = service.match_demand(
        session=session, settings=settings, viewer=viewer, demand_id=demand_id, limit=FRAGMENT_SIZE
    )
    ctx = {"matches": matches, "q": matches.query, "reason_regions": _reason_regions(session, matches, lang)}
    return render(request, "match/_results.html", ctx)


@router.get("/match/achievements/{achievement_id}/adopters", response_class=HTMLResponse)
def adopters(
    request: Request,
    achievement_id: IdPath,
    session: DbDep,
    settings: SettingsDep,
    viewer: ViewerDep,
    lang: LangDep,
) -> HTMLResponse:
    """Fragment: enterprises likely to adopt the achievement, with reasons; local ones tagged."""
    hits = service.likely_adopters(
        session=session, settings=settings, viewer=viewer, achievement_id=achievement_id, limit=FRAGMENT_SIZE
    )
    ctx = {
        "hits": hits,
        "list_id": "adopters",
        "note_key": "match.adopters_note",
        "note_region": region_display(session, settings.region_code, lang),
        "empty_key": "match.no_adopters",
        "reason_regions": service.reason_regions(session, hits, lang),
    }
    return render(request, "match/_hits.html", ctx)


@router.get("/match/enterprises/{enterprise_id}/recommended", response_class=HTMLResponse)
def recommended(
    request: Request, enterprise_id: IdPath, session: DbDep, settings: SettingsDep, viewer: ViewerDep, lang: LangDep
) -> HTMLResponse:
    """Fragment: achievements recommended to the enterprise."""
    hits = service.recommended_achievements(
        session=session, settings=settings, viewer=viewer, enterprise_id=enterprise_id, limit=FRAGMENT_SIZE
    )
    ctx = {"hits": hits, "list_id": "recommended", "reason_regions": service.reason_regions(session, hits, lang)}
    return render(request, "match/_hits.html", ctx)


@router.get("/match/achievements/{achievement_id}/similar", response_class=HTMLResponse)
def similar(
    request: Request, achievement_id: IdPath, session: DbDep, settings: SettingsDep, viewer: ViewerDep, lang: LangDep
) -> HTMLResponse:
    """Fragment: achievements on the same subject."""
    hits = service.similar_achievements(
        session=session, settings=settings, viewer=viewer, achievement_id=achievement_id, limit=FRAGMENT_SIZE
    )
    ctx = {"hits": hits, "list_id": "similar", "reason_regions": service.reason_regions(session, hits, lang)}
    return render(request, "match/_hits.html", ctx)
