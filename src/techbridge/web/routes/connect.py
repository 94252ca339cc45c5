"""Portal pages of 对接 requests: my requests (in / out), a new request on a record, the thread with accept/decline."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from techbridge.connect import service
from techbridge.errors import TechbridgeError
from techbridge.models import ConnectMode
from techbridge.notifications.service import RECORD_PATHS, record_title
from techbridge.registry.queries import get_visible
from techbridge.web.deps import MAX_ID, CsrfDep, DbDep, IdPath, LangDep, OfficerDep, SettingsDep, SignedInDep
from techbridge.web.pagination import MAX_PAGE, clamp_page, page_of_total, query_without_page
from techbridge.web.templating import render

router = APIRouter()
PAGE_SIZE = 50


@router.get("/connect", response_class=HTMLResponse, include_in_schema=False)
def my_requests(
    request: Request,
    session: DbDep,
    viewer: SignedInDep,
    box: str = "in",
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
) -> HTMLResponse:
    """Requests to me (to answer) or from me, PAGE_SIZE a page."""
    box = box if box in ("in", "out") else "in"
    total = service.count_requests(session=session, viewer=viewer, box=box)
    number = clamp_page(page, total, PAGE_SIZE)
    offset = (number - 1) * PAGE_SIZE
    items = service.list_requests(session=session, viewer=viewer, box=box, limit=PAGE_SIZE, offset=offset)
    context = {
        "items": items,
        "titles": service.shown_titles(session, viewer, items),
        "page": page_of_total(items, number, PAGE_SIZE, total),
        "base_query": query_without_page(request),
        "box": box,
        "paths": RECORD_PATHS,
    }
    return render(request, "connect/list.html", context)


def _new_form(
    request: Request, session: Any, viewer: Any, entity: str, record_id: int, *, error: str | None = None,
    message: str = "", mode: str = "license",
) -> HTMLResponse:  # fmt: skip
    model = service.ENTITY_MODELS.get(entity)
    if model is None:
        return render(request, "error.html", {"message": "404"}, status_code=404)
    record = get_visible(session, viewer, model, record_id)
    context = {
        "entity": entity,
        "record": record,
        "title": record_title(entity, record),
        "path": RECORD_PATHS[entity],
        "modes": list(ConnectMode),
        "error": error,
        "message": message,
        "mode": mode,
    }
    return render(request, "connect/new.html", context, status_code=422 if error else 200)


@router.get("/connect/new", response_class=HTMLResponse, include_in_schema=False)
def new_request(
    request: Request, session: DbDep, viewer: SignedInDep, entity: str = "achievement", record_id: int = 0
) -> HTMLResponse:
    """The request form for one record the viewer may see."""
    return _new_form(request, session, viewer, entity, max(0, min(record_id, MAX_ID)))


@router.post("/connect/new", include_in_schema=False, dependencies=[CsrfDep])
def send(
    request: Request,
    session: DbDep,
    settings: SettingsDep,
    viewer: SignedInDep,
    lang: LangDep,
    entity: Annotated[str, Form()],
    record_id: Annotated[int, Form(ge=1, le=MAX_ID)],
    mode: Annotated[str, Form()] = "license",
    message: Annotated[str, Form()] = "",
) -> Response:
    """Send the request; an error (empty message, daily limit, already asked) stays on the form with the input."""
    try:
        data = service.ConnectCreate(entity=entity, record_id=record_id, message=message, mode=ConnectMode(mode))
        created = service.send_request(session=session, settings=settings, viewer=viewer, data=data)
    except (TechbridgeError, ValueError) as exc:
        session.rollback()
        text = exc.localized(lang) if isinstance(exc, TechbridgeError) else str(exc)
        return _new_form(request, session, viewer, entity, record_id, error=text, message=message, mode=mode)
    return RedirectResponse(f"/connect/{created.id}?done=request_sent", status_code=303)


@router.get("/dashboard/connect", response_class=HTMLResponse, include_in_schema=False)
def dashboard_panel(request: Request, session: DbDep, _: OfficerDep) -> HTMLResponse:
    """The officer's 对接 figures: sent, answered, accepted, median days to a first answer, overdue (卡点) ones."""
    context = {
        "stats": service.connect_stats(session=session),
        "overdue": service.overdue_requests(session=session),
        "paths": RECORD_PATHS,
    }
    return render(request, "connect/_stats.html", context)


@router.get("/connect/{request_id}", response_class=HTMLResponse, include_in_schema=False)
def thread(request: Request, session: DbDep, viewer: SignedInDep, request_id: IdPath) -> HTMLResponse:
    """One request: the record, the thread, the owner's contact details once accepted, the answer forms."""
    item = service.get_request(session=session, viewer=viewer, request_id=request_id)
    context = {
        "item": item,
        "title": service.shown_titles(session, viewer, [item])[item.id],
        "messages": service.thread_view(session=session, request=item),
        "contact": service.contact_details(session=session, viewer=viewer, request=item),
        "can_answer": service.is_answerer(item, viewer),
        "path": RECORD_PATHS[item.entity],
    }
    return render(request, "connect/thread.html", context)


@router.post("/connect/{request_id}/{action}", include_in_schema=False, dependencies=[CsrfDep])
def answer(
    request: Request,
    session: DbDep,
    viewer: SignedInDep,
    request_id: IdPath,
    action: str,
    body: Annotated[str, Form()] = "",
) -> Response:
    """Reply, accept (opens the transfer case) or decline (the text is the reason)."""
    if action == "reply":
        service.reply(session=session, viewer=viewer, request_id=request_id, body=body)
        return RedirectResponse(f"/connect/{request_id}?done=reply_sent", status_code=303)
    if action == "accept":
        service.accept(session=session, viewer=viewer, request_id=request_id)
        return RedirectResponse(f"/connect/{request_id}?done=request_accepted", status_code=303)
    if action == "decline":
        service.decline(session=session, viewer=viewer, request_id=request_id, reason=body)
        return RedirectResponse(f"/connect/{request_id}?done=request_declined", status_code=303)
    return Response(status_code=404)
