"""Portal pages: 我的订阅 (subscriptions and e-mail settings), notifications, the bell fragment, unsubscribe."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from techbridge.access import Viewer
from techbridge.connect import service as connect
from techbridge.errors import TechbridgeError
from techbridge.matching.schemas import OWNER_TYPES, MatchFilters
from techbridge.models import AchievementKind, DigestFrequency, SubscriptionKind
from techbridge.notifications import service
from techbridge.notifications.digest import read_unsubscribe_token
from techbridge.notifications.schemas import AlertSettingUpdate, SearchForm, SubscriptionCreate
from techbridge.notifications.service import RECORD_PATHS
from techbridge.registry.pickers import region_display
from techbridge.web.deps import MAX_ID, CsrfDep, DbDep, IdPath, LangDep, SettingsDep, SignedInDep, ViewerDep
from techbridge.web.pagination import (
    MAX_PAGE,
    clamp_page,
    page_of_list,
    page_of_total,
    query_without_page,
    read_page_number,
)
from techbridge.web.templating import render

router = APIRouter()
PAGE = 50
CLIENT_MATCHES = 1000  # newest client matches read for the broker's list


def _done(request: Request, key: str, path: str) -> RedirectResponse:
    return RedirectResponse(f"{path}?done={key}", status_code=303)


def _page(request: Request, session: Any, viewer: Viewer, lang: str, **extra: Any) -> HTMLResponse:
    subscriptions = service.list_subscriptions(session=session, viewer=viewer)
    shown = page_of_list(subscriptions, read_page_number(request.query_params.get("page", "")), PAGE)
    saved = {s.id: MatchFilters.from_saved(s.filters) for s in shown.items}
    regions = {f.region for f in saved.values() if f.region}
    context = {
        "subscriptions": shown.items,
        "page": shown,
        "base_query": query_without_page(request),
        "saved": saved,
        "search_links": {s.id: "/match?" + urlencode({"q": s.query, **saved[s.id].saved()}) for s in shown.items},
        "region_shown": {code: region_display(session, code, lang) for code in regions},
        "setting": service.get_alert_setting(session=session, viewer=viewer),
        "frequencies": list(DigestFrequency),
        "kinds": [k.value for k in AchievementKind],
        "owner_types": OWNER_TYPES,
        "form": SearchForm().model_dump(),
        "error": None,
        **extra,
    }
    return render(request, "alerts/subscriptions.html", context, status_code=422 if extra.get("error") else 200)


@router.get("/subscriptions", response_class=HTMLResponse, include_in_schema=False)
def subscriptions_page(request: Request, session: DbDep, viewer: SignedInDep, lang: LangDep) -> HTMLResponse:
    """The viewer's subscriptions with pause / resume / delete, a saved-search form and the e-mail settings."""
    return _page(request, session, viewer, lang)


@router.post("/subscriptions", include_in_schema=False, dependencies=[CsrfDep])
def create_search(
    request: Request, session: DbDep, viewer: SignedInDep, lang: LangDep, form: Annotated[SearchForm, Form()]
) -> Response:
    """Save a search as a subscription with the filters of the need page it was saved from (region and field typed
    by name or picked; TRL range, kind, owner type); an error stays on the form with the input kept."""
    try:
        data = service.search_subscription(session=session, form=form)
        service.create_subscription(session=session, viewer=viewer, data=data)
    except TechbridgeError as exc:
        session.rollback()
        return _page(request, session, viewer, lang, error=exc.localized(lang), form=form.model_dump())
    return _done(request, "subscription_saved", "/subscriptions")


@router.post("/subscriptions/record", include_in_schema=False, dependencies=[CsrfDep])
def subscribe_record(
    request: Request,
    session: DbDep,
    viewer: SignedInDep,
    kind: Annotated[SubscriptionKind, Form()],
    record_id: Annotated[int, Form(ge=1, le=MAX_ID)],
) -> Response:
    """Subscribe to new matches of one of the viewer's demands, or new demands fitting their achievement."""
    field = "demand_id" if kind is SubscriptionKind.DEMAND else "achievement_id"
    service.create_subscription(
        session=session, viewer=viewer, data=SubscriptionCreate(kind=kind, **{field: record_id})
    )
    return _done(request, "subscribed", "/subscriptions")


@router.post("/subscriptions/{subscription_id}/{action}", include_in_schema=False, dependencies=[CsrfDep])
def change_subscription(
    request: Request, session: DbDep, viewer: SignedInDep, subscription_id: IdPath, action: str
) -> Response:
    """Pause, resume or delete one of the viewer's subscriptions."""
    if action == "delete":
        service.delete_subscription(session=session, viewer=viewer, subscription_id=subscription_id)
        return _done(request, "subscription_deleted", "/subscriptions")
    if action not in ("pause", "resume"):
        return Response(status_code=404)
    service.set_subscription_active(
        session=session, viewer=viewer, subscription_id=subscription_id, active=action == "resume"
    )
    return _done(request, "subscription_paused" if action == "pause" else "subscription_resumed", "/subscriptions")


@router.post("/subscriptions-email", include_in_schema=False, dependencies=[CsrfDep])
def save_email(
    request: Request,
    session: DbDep,
    viewer: SignedInDep,
    lang: LangDep,
    email: Annotated[str, Form()] = "",
    frequency: Annotated[str, Form()] = "daily",
) -> Response:
    """Save the e-mail address and digest frequency; an invalid address stays on the form."""
    try:
        data = AlertSettingUpdate(email=email.strip(), frequency=DigestFrequency(frequency))
    except ValueError:
        message = "请输入有效的电子邮箱地址" if lang == "zh" else "Enter a valid e-mail address"
        return _page(request, session, viewer, lang, error=message, email_input=email)
    service.update_alert_setting(session=session, viewer=viewer, data=data)
    return _done(request, "email_saved", "/subscriptions")


@router.get("/notifications", response_class=HTMLResponse, include_in_schema=False)
def notifications_page(
    request: Request, session: DbDep, viewer: SignedInDep, page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1
) -> HTMLResponse:
    """The viewer's notifications with reasons, newest first, 50 a page."""
    total = service.count_notifications(session=session, viewer=viewer)
    number = clamp_page(page, total, PAGE)
    items = service.list_notifications(session=session, viewer=viewer, limit=PAGE, offset=(number - 1) * PAGE)
    context = {
        "items": items,
        "page": page_of_total(items, number, PAGE, total),
        "base_query": query_without_page(request),
        "total": total,
        "paths": RECORD_PATHS,
    }
    return render(request, "alerts/notifications.html", context)


@router.post("/notifications/{notification_id}/read", include_in_schema=False, dependencies=[CsrfDep])
def read_one(request: Request, session: DbDep, viewer: SignedInDep, notification_id: IdPath) -> Response:
    """Mark one notification read and open its record."""
    item = service.mark_read(session=session, viewer=viewer, notification_id=notification_id)
    return RedirectResponse(f"/{RECORD_PATHS[item.entity]}/{item.record_id}", status_code=303)


@router.post("/notifications/read-all", include_in_schema=False, dependencies=[CsrfDep])
def read_all(request: Request, session: DbDep, viewer: SignedInDep) -> Response:
    """Mark every notification read."""
    service.mark_all_read(session=session, viewer=viewer)
    return _done(request, "all_read", "/notifications")


@router.get("/notifications/bell", response_class=HTMLResponse, include_in_schema=False)
def bell(request: Request, session: DbDep, viewer: ViewerDep) -> HTMLResponse:
    """The bell of the top bar: unread notifications plus open 对接 requests waiting for the viewer."""
    unread = service.unread_count(session=session, viewer=viewer)
    waiting = connect.open_incoming(session=session, viewer=viewer)
    return render(request, "alerts/_bell.html", {"unread": unread, "waiting": waiting})


@router.get("/clients/matches", response_class=HTMLResponse, include_in_schema=False)
def client_matches_page(request: Request, session: DbDep, viewer: SignedInDep) -> HTMLResponse:
    """A broker's (officer's) new matches across the demands of their clients (the newest CLIENT_MATCHES readable
    ones, PAGE a page), each one click from a case."""
    items = service.client_matches(session=session, viewer=viewer, limit=CLIENT_MATCHES)
    shown = page_of_list(items, read_page_number(request.query_params.get("page", "")), PAGE)
    context = {"items": shown.items, "page": shown, "base_query": query_without_page(request), "paths": RECORD_PATHS}
    return render(request, "alerts/client_matches.html", context)


@router.post("/clients/matches/{notification_id}/case", include_in_schema=False, dependencies=[CsrfDep])
def case_from_match(request: Request, session: DbDep, viewer: SignedInDep, notification_id: IdPath) -> Response:
    """Open a transfer case from one client match and go to it."""
    case_id = service.case_from_match(session=session, viewer=viewer, notification_id=notification_id)
    return RedirectResponse(f"/transfers/cases/{case_id}", status_code=303)


@router.get("/unsubscribe", response_class=HTMLResponse, include_in_schema=False)
def unsubscribe(request: Request, session: DbDep, settings: SettingsDep, token: str = "") -> HTMLResponse:
    """Stop e-mails from a signed link, without signing in."""
    service.unsubscribe_user(session=session, user_id=read_unsubscribe_token(settings, token[:512]))
    return render(request, "alerts/unsubscribed.html", {})
