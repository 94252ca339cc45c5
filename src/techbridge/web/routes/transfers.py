"""Portal pages: the broker workspace (cases, overdue, next actions), case pages with stage changes, bottlenecks,
and the candidate pilot bases fragment embedded by the achievement page."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from techbridge.access import Viewer
from techbridge.errors import ConflictError, InvalidDataError, TechbridgeError
from techbridge.models import OPEN_STAGES, Stage
from techbridge.registry.pickers import region_label, resolve_pick, resolve_region, visible_title
from techbridge.transfers.analytics import DIMENSIONS
from techbridge.transfers.dashboard import funnel_scope
from techbridge.transfers.pipeline import (
    CaseCreate,
    add_note,
    advance_case,
    case_city,
    close_case,
    closing_reasons,
    create_case,
    next_action,
    parse_stage,
)
from techbridge.transfers.service import (
    CaseFilter,
    case_history,
    list_case_views,
    load_bottlenecks,
    propose_pilot_bases,
)
from techbridge.web.deps import CsrfDep, DbDep, IdPath, LangDep, OfficerDep, SettingsDep, SignedInDep, ViewerDep
from techbridge.web.pagination import MAX_PAGE, page_of_list
from techbridge.web.routes.dashboard import read_filter
from techbridge.web.templating import render

router = APIRouter()


def _actor(request: Request) -> str:
    name = request.session.get("username")
    return str(name) if name else ""


SearchText = Annotated[str, Query(max_length=200)]
STALLED = {"yes": True, "no": False}
DEMO = {"real": False, "demo": True}


@router.get("/transfers", response_class=HTMLResponse, include_in_schema=False)
def workspace(
    request: Request,
    session: DbDep,
    viewer: SignedInDep,
    lang: LangDep,
    settings: SettingsDep,
    overdue: bool = False,
    q: SearchText = "",
    stage: Annotated[str, Query(max_length=16)] = "",
    region: Annotated[str, Query(max_length=64)] = "",
    stalled: Annotated[str, Query(max_length=8)] = "",
    data: Annotated[str, Query(max_length=8)] = "",
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
) -> HTMLResponse:
    """The broker's cases (officers: all), overdue first, with days in stage and the next action; searched by case,
    enterprise or achievement title, filtered by stage, city or province (`region`, by name), stalled or not and
    demo or real; paginated with links that keep the filters."""
    filters = {"q": q, "stage": stage, "region": region, "stalled": "yes" if overdue else stalled, "data": data}
    return _workspace(request, session, viewer, lang, filters=filters, page=page, size=settings.page_size)


def _case_filter(session: Session, filters: Mapping[str, str]) -> tuple[CaseFilter, TechbridgeError | None]:
    """The filter the query string asks for; a city that names no region filters nothing and says why."""
    city_code, error = "", None
    if filters.get("region", "").strip():
        try:
            code = resolve_region(session, filters["region"], "region")
            city_code = case_city(code) or ""  # a case is filed under its city: 和平区 finds 沈阳's cases
        except TechbridgeError as exc:
            error = exc
    stage = filters.get("stage", "")
    flt = CaseFilter(
        text=filters.get("q", ""),
        stage=Stage(stage) if stage in Stage.__members__.values() else None,
        city_prefix=city_code,
        stalled=STALLED.get(filters.get("stalled", "")),
        demo=DEMO.get(filters.get("data", "")),
    )
    return flt, error


def _workspace(
    request: Request,
    session: Session,
    viewer: Viewer,
    lang: str,
    *,
    filters: Mapping[str, str] | None = None,
    page: int = 1,
    size: int = 20,
    form: dict[str, str] | None = None,
    error: TechbridgeError | None = None,
) -> HTMLResponse:
    chosen = dict(filters or {})
    flt, filter_error = _case_filter(session, chosen)
    views = list_case_views(session=session, viewer=viewer, lang=lang, flt=flt)
    context = {
        "views": page_of_list(views, page, size),
        "filters": chosen,
        "stages": list(Stage),
        "base_query": urlencode({key: value for key, value in chosen.items() if value}),
        "overdue_count": sum(1 for v in views if v.overdue),
        "filter_error": filter_error.localized(lang) if filter_error else None,
        "form": form or {},
        "form_error": error.localized(lang) if error else None,
        "error_field": (error.location or [""])[0] if error else None,
    }
    status = 422 if error else 200
    return render(request, "transfers/workspace.html", context, status_code=status, partial="transfers/_cases.html")


@router.post("/transfers/cases", include_in_schema=False, dependencies=[CsrfDep])
def create(
    request: Request,
    session: DbDep,
    viewer: SignedInDep,
    title: Annotated[str, Form()],
    counterpart_name: Annotated[str, Form()] = "",
    achievement: Annotated[str, Form()] = "",
    field: Annotated[str, Form()] = "",
    city: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
    lang: LangDep = "zh",
) -> Response:
    """Open a case (POST-redirect-GET to its page); the achievement and the city are picked by name, and an input
    that names nothing (or several) stays on the form with the message beside it."""
    form = {"title": title, "counterpart_name": counterpart_name, "achievement": achievement, "city": city,
            "field": field, "note": note}  # fmt: skip
    try:
        data = CaseCreate(
            title=title,
            counterpart_name=counterpart_name,
            achievement_id=resolve_pick(session, viewer, "achievement", achievement, "achievement")
            if achievement.strip()
            else None,
            field=field.strip(),
            city_code=resolve_region(session, city, "city") if city.strip() else None,
            note=note,
        )
        case = create_case(session=session, data=data, viewer=viewer, actor_name=_actor(request))
    except TechbridgeError as exc:
        session.rollback()
        return _workspace(request, session, viewer, lang, form=form, error=exc)
    return RedirectResponse(f"/transfers/cases/{case.id}?done=created", status_code=303)


@router.get("/transfers/cases/{case_id}", response_class=HTMLResponse, include_in_schema=False)
def case_page(request: Request, case_id: IdPath, session: DbDep, viewer: SignedInDep, lang: LangDep) -> HTMLResponse:
    """A case with its history and the forms to advance, skip, close or annotate it."""
    return _case_page(request, session, viewer, lang, case_id)


def _case_page(
    request: Request,
    session: Session,
    viewer: Viewer,
    lang: str,
    case_id: int,
    *,
    form: dict[str, str] | None = None,
    error: tuple[str, TechbridgeError] | None = None,
) -> HTMLResponse:
    """The case page; `error` (the form it belongs to, the error) re-renders it with the input kept, 422."""
    case, events = case_history(session=session, case_id=case_id, viewer=viewer)
    later = (
        [s for s in OPEN_STAGES if OPEN_STAGES.index(s) > OPEN_STAGES.index(case.stage)]
        if case.stage in OPEN_STAGES
        else []
    )
    context = {
        "case": case,
        "events": events,
        "later_stages": later,
        "reasons": closing_reasons(),
        "next_action": next_action(case, lang),
        "achievement_title": visible_title(session, viewer, case.achievement_id),
        "city_label": region_label(session, case.city_code, lang),
        "form": form or {},
        "error_form": error[0] if error else "",
        "error_field": str((error[1].location or [""])[0]) if error else "",
        "error_text": error[1].said(lang) if error else "",
    }
    return render(request, "transfers/case.html", context, status_code=422 if error else 200)


@router.post("/transfers/cases/{case_id}/advance", include_in_schema=False, dependencies=[CsrfDep])
def advance(
    request: Request,
    case_id: IdPath,
    session: DbDep,
    viewer: SignedInDep,
    lang: LangDep,
    to: Annotated[str, Form()] = "",
    skip: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
) -> Response:
    """Move the case on (a skip needs the box ticked and a reason); an illegal move stays on the form with the
    input kept and the message beside it (422); success confirms."""
    form = {"to": to, "skip": skip, "reason": reason, "note": note}
    try:
        target = parse_stage(to)
        advance_case(
            session=session,
            case_id=case_id,
            viewer=viewer,
            to=target,
            skip=bool(skip),
            reason=reason,
            note=note,
            actor_name=_actor(request),
        )
    except (InvalidDataError, ConflictError) as exc:
        session.rollback()
        return _case_page(request, session, viewer, lang, case_id, form=form, error=("advance", exc))
    return RedirectResponse(f"/transfers/cases/{case_id}?done=case_advanced", status_code=303)


@router.post("/transfers/cases/{case_id}/close", include_in_schema=False, dependencies=[CsrfDep])
def close(
    request: Request,
    case_id: IdPath,
    session: DbDep,
    viewer: SignedInDep,
    lang: LangDep,
    reason: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
) -> Response:
    """Close the case with a reason; an unknown reason stays on the form (422); success confirms."""
    try:
        close_case(
            session=session, case_id=case_id, viewer=viewer, reason=reason, note=note, actor_name=_actor(request)
        )
    except (InvalidDataError, ConflictError) as exc:
        session.rollback()
        form = {"close_reason": reason, "close_note": note}
        return _case_page(request, session, viewer, lang, case_id, form=form, error=("close", exc))
    return RedirectResponse(f"/transfers/cases/{case_id}?done=case_closed", status_code=303)


@router.post("/transfers/cases/{case_id}/note", include_in_schema=False, dependencies=[CsrfDep])
def note(
    request: Request,
    case_id: IdPath,
    session: DbDep,
    viewer: SignedInDep,
    lang: LangDep,
    text: Annotated[str, Form()] = "",
) -> Response:
    """Add a note; an empty one stays on the form (422); success confirms."""
    try:
        add_note(session=session, case_id=case_id, viewer=viewer, note=text, actor_name=_actor(request))
    except InvalidDataError as exc:
        session.rollback()
        return _case_page(request, session, viewer, lang, case_id, form={"text": text}, error=("note", exc))
    return RedirectResponse(f"/transfers/cases/{case_id}?done=note_added", status_code=303)


@router.get("/transfers/bottlenecks", response_class=HTMLResponse, include_in_schema=False)
def bottlenecks(
    request: Request,
    session: DbDep,
    settings: SettingsDep,
    lang: LangDep,
    _: OfficerDep,
    by: str = "field",
    demo: bool = False,
) -> HTMLResponse:
    """Funnel, conversion, days in stage and closing reasons per field, city, owner type or broker, under the
    dashboard's filters (seller kinds → owner type, region, quarter range, `data=demo`) so its 「查看卡点」 link
    shows the cases it counted."""
    flt, error = read_filter(request, session, settings)
    dimension = by if by in DIMENSIONS else "field"
    is_demo = demo or flt.data == "demo"
    groups = load_bottlenecks(session=session, by=dimension, demo=is_demo, scope=funnel_scope(flt))
    kept = [(key, value) for key, value in request.query_params.multi_items() if key not in ("by", "demo", "data")]
    context = {
        "groups": groups,
        "by": dimension,
        "dimensions": DIMENSIONS,
        "demo": is_demo,
        "stages": OPEN_STAGES,
        "kept": kept,
        "filter_error": error.localized(lang) if error else None,
    }
    return render(request, "transfers/bottlenecks.html", context)


@router.get(
    "/transfers/achievements/{achievement_id}/pilot-bases", response_class=HTMLResponse, include_in_schema=False
)
def pilot_bases(
    request: Request, achievement_id: IdPath, session: DbDep, settings: SettingsDep, viewer: ViewerDep
) -> HTMLResponse:
    """Fragment: candidate pilot bases (中试基地) the viewer may see for an achievement at TRL 4–7."""
    proposal = propose_pilot_bases(
        session=session, viewer=viewer, achievement_id=achievement_id, home_region=settings.region_code
    )
    return render(request, "transfers/_pilot_bases.html", {"p": proposal, "candidates": proposal.candidates})
