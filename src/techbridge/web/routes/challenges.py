"""Portal pages: the public 揭榜挂帅 board, publishing, applying, the ranked applicants, choosing and milestones."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from techbridge.access import Viewer
from techbridge.challenges import queries
from techbridge.challenges.service import (
    PUBLISHERS,
    ApplicationCreate,
    ChallengeCreate,
    apply_to_challenge,
    choose_application,
    decide_milestone,
    get_challenge,
    may_report_milestones,
    own_applications,
    publish_challenge,
    ranked_applications,
    submit_milestone,
)
from techbridge.config import Settings
from techbridge.errors import ConflictError, InvalidDataError, TechbridgeError
from techbridge.models import ApplicationStatus, Challenge, ChallengeApplication, ChallengeStatus
from techbridge.registry.pickers import resolve_pick
from techbridge.web.deps import CsrfDep, DbDep, IdPath, LangDep, SettingsDep, SignedInDep, ViewerDep, request_settings
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
PICKS = 5
"""Picker inputs per kind on the apply form (achievement_1 … achievement_5, expert_1 … expert_5)."""
PICK_FIELDS = {kind: [f"{kind}_{n}" for n in range(1, PICKS + 1)] for kind in ("achievement", "expert")}
APPLY_FIELDS = ("team_name", "plan", *PICK_FIELDS["achievement"], *PICK_FIELDS["expert"])
PUBLISH_FIELDS = ("title", "goal", "indicators", "budget", "deadline", "field", "chain_link", "publisher_name")


async def _form(request: Request) -> FormData:
    """The posted form (parsed once; the CSRF check reads the same cached form)."""
    return await request.form()


FormDep = Annotated[FormData, Depends(_form)]


def _day(text: str, name: str) -> date | None:
    text = text.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise InvalidDataError(f"{text!r} is not a date", location=(name,), message_zh=f"“{text}”不是日期") from exc


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _is_manager(challenge: Challenge, viewer: Viewer) -> bool:
    return viewer.is_privileged or (viewer.is_authenticated and challenge.publisher_id == viewer.user_id)


SearchText = Annotated[str, Query(max_length=200)]
StatusText = Annotated[str, Query(max_length=16)]
PageNumber = Annotated[int, Query(ge=1, le=MAX_PAGE)]


@router.get("/challenges", response_class=HTMLResponse, include_in_schema=False)
def board(
    request: Request,
    session: DbDep,
    viewer: ViewerDep,
    settings: SettingsDep,
    q: SearchText = "",
    status: StatusText = "",
    page: PageNumber = 1,
) -> HTMLResponse:
    """The public board of challenges: searched by title, field or publisher, filtered by status, paginated with
    links that keep the filters."""
    return _board(request, session, viewer, settings, q=q, status=status, page=page)


def _board(
    request: Request,
    session: Session,
    viewer: Viewer,
    settings: Settings,
    *,
    q: str = "",
    status: str = "",
    page: int = 1,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> HTMLResponse:
    chosen = ChallengeStatus(status) if status in ChallengeStatus.__members__.values() else None
    size = settings.page_size
    total = queries.count_challenges(session, status=chosen, text=q.strip())
    number = clamp_page(page, total, size)
    rows = queries.list_challenges(session, status=chosen, text=q.strip(), offset=(number - 1) * size, limit=size)
    context = {
        "challenges": page_of_total(rows, number, size, total),
        "filters": {"q": q, "status": status},
        "statuses": list(ChallengeStatus),
        "base_query": query_without_page(request),
        "may_publish": viewer.role in PUBLISHERS,
        "form": form or {},
        "errors": errors or {},
    }
    if errors:
        return render(request, "challenges/board.html", context, status_code=422)
    return render(request, "challenges/board.html", context, partial="challenges/_board_table.html")


@router.post("/challenges", include_in_schema=False, dependencies=[CsrfDep])
def publish(
    request: Request, session: DbDep, viewer: SignedInDep, settings: SettingsDep, form: FormDep, lang: LangDep
) -> Response:
    """Publish a challenge (officers, chain-leader enterprises); a missing title or goal, a budget that is no
    number or a deadline that is no date re-renders the board with the input kept and the message beside the field
    (422); success opens the challenge with a confirmation."""
    values = {name: str(form.get(name) or "") for name in PUBLISH_FIELDS}
    try:
        data = ChallengeCreate(
            title=values["title"],
            goal=values["goal"],
            indicators=_lines(values["indicators"]),
            budget=_amount(values["budget"]),
            deadline=_day(values["deadline"], "deadline"),
            field=values["field"].strip(),
            chain_link=values["chain_link"].strip(),
            publisher_name=values["publisher_name"].strip(),
        )
        challenge = publish_challenge(session=session, viewer=viewer, data=data)
    except InvalidDataError as exc:
        session.rollback()
        location = str(exc.location[0]) if exc.location else ""
        errors = {location if location in PUBLISH_FIELDS else "form": _message(exc, lang)}
        return _board(request, session, viewer, settings, form=values, errors=errors)
    return RedirectResponse(f"/challenges/{challenge.id}?done=published", status_code=303)


def _amount(text: str) -> Decimal | None:
    """A budget in 万元 as typed: blank is none; anything but a finite number is an error on the field."""
    try:
        amount = Decimal(text.strip()) if text.strip() else None
    except InvalidOperation:
        amount = Decimal("NaN")
    if amount is not None and not amount.is_finite():
        raise InvalidDataError(
            f"{text.strip()!r} is not a number", location=("budget",), message_zh=f"“{text.strip()}”不是数字"
        )
    return amount


@router.get("/challenges/{challenge_id}", response_class=HTMLResponse, include_in_schema=False)
def detail(request: Request, challenge_id: IdPath, session: DbDep, viewer: ViewerDep) -> HTMLResponse:
    """A challenge; its publisher and officers also see the ranked applicants with reasons and the milestones; an
    applicant sees their own application instead of the form."""
    return _detail(request, session, viewer, challenge_id)


def _detail(
    request: Request,
    session: Session,
    viewer: Viewer,
    challenge_id: int,
    *,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> HTMLResponse:
    challenge = get_challenge(session, challenge_id)
    manager = _is_manager(challenge, viewer)
    ranked = ranked_applications(session=session, viewer=viewer, challenge_id=challenge.id) if manager else []
    params = request.query_params
    shown = _filter_applications(ranked, params.get("q", ""), params.get("status", ""))
    context = {
        "c": challenge,
        "manager": manager,
        "applications": ranked,
        "shown": page_of_list(shown, read_page_number(params.get("page", "")), request_settings(request).page_size),
        "app_filters": {"q": params.get("q", ""), "status": params.get("status", "")},
        "app_statuses": list(ApplicationStatus),
        "base_query": query_without_page(request),
        "application_count": queries.count_applications(session, challenge.id),
        "milestones": queries.list_milestones(session, challenge.id),
        "may_report": may_report_milestones(session, viewer, challenge),
        "may_apply": viewer.is_authenticated and challenge.status == "open",
        "mine": own_applications(session=session, viewer=viewer, challenge_id=challenge.id),
        "pick_fields": PICK_FIELDS,
        "form": form or {},
        "errors": errors or {},
    }
    return render(request, "challenges/detail.html", context, status_code=422 if errors else 200)


@router.post("/challenges/{challenge_id}/apply", include_in_schema=False, dependencies=[CsrfDep])
def apply(
    request: Request, challenge_id: IdPath, session: DbDep, viewer: SignedInDep, form: FormDep, lang: LangDep
) -> Response:
    """Apply (揭榜) with achievements and experts picked by name; an input that names nothing visible (or not the
    team's own), a second application or a missing team name re-renders the form with the input kept and the
    message beside the field (422); success redirects to the page with a confirmation."""
    values = {name: str(form.get(name) or "") for name in APPLY_FIELDS}
    picked: dict[tuple[str, int], str] = {}
    try:
        ids = {kind: _resolve_picks(session, viewer, kind, values, picked) for kind in PICK_FIELDS}
        data = ApplicationCreate(
            team_name=values["team_name"],
            plan=values["plan"],
            achievement_ids=ids["achievement"],
            expert_ids=ids["expert"],
        )
        apply_to_challenge(session=session, viewer=viewer, challenge_id=challenge_id, data=data)
    except (InvalidDataError, ConflictError) as exc:
        session.rollback()
        errors = {_error_field(exc, picked): _message(exc, lang)}
        return _detail(request, session, viewer, challenge_id, form=values, errors=errors)
    return RedirectResponse(f"/challenges/{challenge_id}?done=applied#mine", status_code=303)


def _filter_applications(ranked: list[ChallengeApplication], text: str, status: str) -> list[ChallengeApplication]:
    """The ranked applications whose team name or plan holds `text` and whose status is `status` (blank: any)."""
    needle = text.strip()[:200]
    return [
        a
        for a in ranked
        if (not needle or needle in a.team_name or needle in a.plan) and (not status or a.status == status)
    ]


def _resolve_picks(
    session: Session, viewer: Viewer, kind: str, values: dict[str, str], picked: dict[tuple[str, int], str]
) -> list[int]:
    """The ids the filled picker inputs of `kind` name (each resolved as visible to the viewer), noting which
    input named which id so a later error on an id is shown beside its input."""
    ids = []
    for name in PICK_FIELDS[kind]:
        if values[name].strip():
            record_id = resolve_pick(session, viewer, kind, values[name], name)
            picked.setdefault((f"{kind}_ids", record_id), name)
            ids.append(record_id)
    return ids


def _error_field(exc: TechbridgeError, picked: dict[tuple[str, int], str]) -> str:
    """The form field an error belongs to ("form": above the form)."""
    location = exc.location or ()
    if len(location) >= 2 and (str(location[0]), location[1]) in picked:
        return picked[(str(location[0]), int(location[1]))]
    return str(location[0]) if location and str(location[0]) in APPLY_FIELDS else "form"


def _message(exc: TechbridgeError, lang: str) -> str:
    """The error's message in `lang`, without its location (it is shown beside the field)."""
    return exc.message_zh if lang.startswith("zh") and exc.message_zh else exc.message


@router.post("/challenges/applications/{application_id}/choose", include_in_schema=False, dependencies=[CsrfDep])
def choose(
    request: Request,
    application_id: IdPath,
    session: DbDep,
    viewer: SignedInDep,
    lang: LangDep,
    milestones: Annotated[str, Form()] = "",
) -> Response:
    """Choose a team; milestones one per line as `title` or `title@YYYY-MM-DD`. A refused choice (a date that is no
    date, no milestone, applications still open) re-renders the challenge with the milestones as typed and the
    message beside that team's form (422); success confirms."""
    try:
        plans = [_milestone(line) for line in _lines(milestones)]
        application = choose_application(
            session=session, viewer=viewer, application_id=application_id, milestones=plans
        )
    except (InvalidDataError, ConflictError) as exc:
        session.rollback()
        challenge_id = queries.challenge_of_application(session, application_id)
        if challenge_id is None or not _is_manager(get_challenge(session, challenge_id), viewer):
            raise  # only the challenge's managers get its page back (others learn nothing about the application)
        form = {"milestones": milestones, "choose": str(application_id)}
        return _detail(request, session, viewer, challenge_id, form=form, errors={"choose": _message(exc, lang)})
    return RedirectResponse(f"/challenges/{application.challenge_id}?done=team_chosen", status_code=303)


def _milestone(line: str) -> tuple[str, date | None]:
    """(title, due date) of one typed milestone line, `title` or `title@YYYY-MM-DD`."""
    title, _, due = line.partition("@")
    return title.strip(), _day(due, "milestones")


@router.post("/challenges/milestones/{milestone_id}/submit", include_in_schema=False, dependencies=[CsrfDep])
def submit(milestone_id: IdPath, session: DbDep, viewer: SignedInDep, note: Annotated[str, Form()] = "") -> Response:
    """The chosen team reports a milestone done; the page confirms."""
    milestone = submit_milestone(session=session, viewer=viewer, milestone_id=milestone_id, note=note)
    return RedirectResponse(f"/challenges/{milestone.challenge_id}?done=milestone_submitted", status_code=303)


@router.post("/challenges/milestones/{milestone_id}/decide", include_in_schema=False, dependencies=[CsrfDep])
def decide(
    milestone_id: IdPath,
    session: DbDep,
    viewer: SignedInDep,
    accept: Annotated[str, Form()] = "1",
    note: Annotated[str, Form()] = "",
) -> Response:
    """Accept (验收) or reject a submitted milestone; the page confirms which."""
    accepted = accept == "1"
    milestone = decide_milestone(session=session, viewer=viewer, milestone_id=milestone_id, accept=accepted, note=note)
    done = "milestone_accepted" if accepted else "milestone_rejected"
    return RedirectResponse(f"/challenges/{milestone.challenge_id}?done={done}", status_code=303)
