"""Portal pages: the public 揭榜挂帅 board, publishing, applying, the ranked applicants, choosing and milestones."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

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
    publish_challenge,
    ranked_applications,
    submit_milestone,
)
from techbridge.errors import InvalidDataError
from techbridge.models import Challenge
from techbridge.web.deps import CsrfDep, DbDep, IdPath, SignedInDep, ViewerDep
from techbridge.web.templating import render

router = APIRouter()


def _day(text: str, name: str) -> date | None:
    text = text.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise InvalidDataError(f"{text!r} is not a date", location=(name,), message_zh=f"“{text}”不是日期") from exc


def _ids(text: str, name: str) -> list[int]:
    """Comma-separated ids; anything else is an error naming the field and the part."""
    parts = [part.strip() for part in text.replace("，", ",").split(",") if part.strip()]
    for part in parts:
        if not part.isdecimal() or len(part) > 18:
            raise InvalidDataError(f"{part!r} is not an id", location=(name, part), message_zh=f"“{part}”不是编号")
    return [int(part) for part in parts]


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _is_manager(challenge: Challenge, viewer: Viewer) -> bool:
    return viewer.is_privileged or (viewer.is_authenticated and challenge.publisher_id == viewer.user_id)


@router.get("/challenges", response_class=HTMLResponse, include_in_schema=False)
def board(request: Request, session: DbDep, viewer: ViewerDep) -> HTMLResponse:
    """The public board of challenges."""
    context = {"challenges": queries.list_challenges(session), "may_publish": viewer.role in PUBLISHERS}
    return render(request, "challenges/board.html", context)


@router.post("/challenges", include_in_schema=False, dependencies=[CsrfDep])
def publish(
    request: Request,
    session: DbDep,
    viewer: SignedInDep,
    title: Annotated[str, Form()],
    goal: Annotated[str, Form()],
    indicators: Annotated[str, Form()] = "",
    budget: Annotated[str, Form()] = "",
    deadline: Annotated[str, Form()] = "",
    field: Annotated[str, Form()] = "",
    chain_link: Annotated[str, Form()] = "",
    publisher_name: Annotated[str, Form()] = "",
) -> Response:
    """Publish a challenge (officers, chain-leader enterprises)."""
    try:
        amount = Decimal(budget) if budget.strip() else None
    except InvalidOperation as exc:
        raise InvalidDataError("budget is not a number", location=("budget",), message_zh="经费不是数字") from exc
    data = ChallengeCreate(
        title=title,
        goal=goal,
        indicators=_lines(indicators),
        budget=amount,
        deadline=_day(deadline, "deadline"),
        field=field.strip(),
        chain_link=chain_link.strip(),
        publisher_name=publisher_name.strip(),
    )
    challenge = publish_challenge(session=session, viewer=viewer, data=data)
    return RedirectResponse(f"/challenges/{challenge.id}", status_code=303)


@router.get("/challenges/{challenge_id}", response_class=HTMLResponse, include_in_schema=False)
def detail(request: Request, challenge_id: IdPath, session: DbDep, viewer: ViewerDep) -> HTMLResponse:
    """A challenge; its publisher and officers also see the ranked applicants with reasons and the milestones."""
    challenge = get_challenge(session, challenge_id)
    manager = _is_manager(challenge, viewer)
    applications = ranked_applications(session=session, viewer=viewer, challenge_id=challenge.id) if manager else []
    context = {
        "c": challenge,
        "manager": manager,
        "applications": applications,
        "application_count": len(queries.list_applications(session, challenge.id)),
        "milestones": queries.list_milestones(session, challenge.id),
        "may_apply": viewer.is_authenticated and challenge.status == "open",
    }
    return render(request, "challenges/detail.html", context)


@router.post("/challenges/{challenge_id}/apply", include_in_schema=False, dependencies=[CsrfDep])
def apply(
    challenge_id: IdPath,
    session: DbDep,
    viewer: SignedInDep,
    team_name: Annotated[str, Form()],
    plan: Annotated[str, Form()] = "",
    achievement_ids: Annotated[str, Form()] = "",
    expert_ids: Annotated[str, Form()] = "",
) -> Response:
    """Apply (揭榜) with achievements and experts (ids, comma-separated)."""
    data = ApplicationCreate(
        team_name=team_name,
        plan=plan,
        achievement_ids=_ids(achievement_ids, "achievement_ids"),
        expert_ids=_ids(expert_ids, "expert_ids"),
    )
    apply_to_challenge(session=session, viewer=viewer, challenge_id=challenge_id, data=data)
    return RedirectResponse(f"/challenges/{challenge_id}?applied=1", status_code=303)


@router.post("/challenges/applications/{application_id}/choose", include_in_schema=False, dependencies=[CsrfDep])
def choose(application_id: IdPath, session: DbDep, viewer: SignedInDep, milestones: Annotated[str, Form()]) -> Response:
    """Choose a team; milestones one per line as `title` or `title@YYYY-MM-DD`."""
    plans = []
    for line in _lines(milestones):
        title, _, due = line.partition("@")
        plans.append((title.strip(), _day(due, "milestones")))
    application = choose_application(session=session, viewer=viewer, application_id=application_id, milestones=plans)
    return RedirectResponse(f"/challenges/{application.challenge_id}", status_code=303)


@router.post("/challenges/milestones/{milestone_id}/submit", include_in_schema=False, dependencies=[CsrfDep])
def submit(milestone_id: IdPath, session: DbDep, viewer: SignedInDep, note: Annotated[str, Form()] = "") -> Response:
    """The chosen team reports a milestone done."""
    milestone = submit_milestone(session=session, viewer=viewer, milestone_id=milestone_id, note=note)
    return RedirectResponse(f"/challenges/{milestone.challenge_id}", status_code=303)


@router.post("/challenges/milestones/{milestone_id}/decide", include_in_schema=False, dependencies=[CsrfDep])
def decide(
    milestone_id: IdPath,
    session: DbDep,
    viewer: SignedInDep,
    accept: Annotated[str, Form()] = "1",
    note: Annotated[str, Form()] = "",
) -> Response:
    """Accept (验收) or reject a submitted milestone."""
    milestone = decide_milestone(
        session=session, viewer=viewer, milestone_id=milestone_id, accept=accept == "1", note=note
    )
    return RedirectResponse(f"/challenges/{milestone.challenge_id}", status_code=303)
