"""`techbridge challenges …`: 揭榜挂帅 challenges: publish, apply, rank, choose, milestones.

Commands act as the system administrator unless `--as USERNAME` names a user.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

import typer

from techbridge.challenges import queries
from techbridge.challenges.service import (
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
from techbridge.cli.context import AS_OPTION, acting_viewer, print_json, settings_of
from techbridge.db import session_scope
from techbridge.errors import InvalidDataError
from techbridge.models import Challenge, ChallengeApplication, Milestone

app = typer.Typer(help="揭榜挂帅 challenges: publish, apply, rank, choose, milestones.", no_args_is_help=True)
milestone_app = typer.Typer(help="Milestones of the chosen team.", no_args_is_help=True)
app.add_typer(milestone_app, name="milestone")


def _day(text: str | None, option: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise InvalidDataError(f"{text!r} is not a date", location=(option,), message_zh=f"“{text}”不是日期") from exc


def challenge_dict(challenge: Challenge) -> dict[str, Any]:
    """A challenge as JSON."""
    return {
        "id": challenge.id,
        "title": challenge.title,
        "goal": challenge.goal,
        "indicators": challenge.indicators,
        "budget": float(challenge.budget) if challenge.budget is not None else None,
        "deadline": challenge.deadline.isoformat() if challenge.deadline else None,
        "field": challenge.field,
        "chain_link": challenge.chain_link,
        "status": challenge.status,
    }


def application_dict(application: ChallengeApplication) -> dict[str, Any]:
    """An application as JSON (score and reasons after ranking)."""
    return {
        "id": application.id,
        "team_name": application.team_name,
        "status": application.status,
        "score": application.score,
        "reasons": application.reasons,
    }


def milestone_dict(milestone: Milestone) -> dict[str, Any]:
    """A milestone as JSON."""
    return {
        "id": milestone.id,
        "seq": milestone.seq,
        "title": milestone.title,
        "status": milestone.status,
        "due_on": milestone.due_on.isoformat() if milestone.due_on else None,
    }


@app.command("publish")
def publish(
    ctx: typer.Context,
    title: str = typer.Option(..., "--title"),
    goal: str = typer.Option(..., "--goal", help="the technical goal"),
    indicator: list[str] = typer.Option([], "--indicator", help="an indicator (repeatable)"),
    budget: str | None = typer.Option(None, "--budget", help="万元"),
    deadline: str | None = typer.Option(None, "--deadline", help="YYYY-MM-DD"),
    field: str = typer.Option("", "--field"),
    chain_link: str = typer.Option("", "--chain-link", help="the chain link (产业链环节) it serves"),
    as_user: str | None = AS_OPTION,
) -> None:
    """Publish a challenge."""
    try:
        amount = Decimal(budget) if budget else None
    except InvalidOperation as exc:
        raise InvalidDataError("budget is not a number", location=("--budget",), message_zh="经费不是数字") from exc
    with session_scope(settings_of(ctx).database_url) as session:
        data = ChallengeCreate(
            title=title,
            goal=goal,
            indicators=indicator,
            budget=amount,
            deadline=_day(deadline, "--deadline"),
            field=field,
            chain_link=chain_link,
        )
        challenge = publish_challenge(session=session, viewer=acting_viewer(session, as_user), data=data)
        print_json(challenge_dict(challenge))


@app.command("apply")
def apply(
    ctx: typer.Context,
    challenge_id: int = typer.Argument(...),
    team: str = typer.Option(..., "--team"),
    plan: str = typer.Option("", "--plan"),
    org: int | None = typer.Option(None, "--org", help="applicant organization id"),
    achievement: list[int] = typer.Option([], "--achievement", help="achievement id offered (repeatable)"),
    expert: list[int] = typer.Option([], "--expert", help="expert id in the team (repeatable)"),
    as_user: str | None = AS_OPTION,
) -> None:
    """Apply (揭榜) with achievements and experts."""
    with session_scope(settings_of(ctx).database_url) as session:
        data = ApplicationCreate(
            team_name=team, plan=plan, applicant_org_id=org, achievement_ids=achievement, expert_ids=expert
        )
        application = apply_to_challenge(
            session=session, viewer=acting_viewer(session, as_user), challenge_id=challenge_id, data=data
        )
        print_json(application_dict(application))


@app.command("rank")
def rank(ctx: typer.Context, challenge_id: int = typer.Argument(...), as_user: str | None = AS_OPTION) -> None:
    """Applicants best first with scores and reasons (JSON), counting what the acting user may read."""
    with session_scope(settings_of(ctx).database_url) as session:
        viewer = acting_viewer(session, as_user)
        ranked = ranked_applications(session=session, viewer=viewer, challenge_id=challenge_id)
        print_json([application_dict(a) for a in ranked])


@app.command("choose")
def choose(
    ctx: typer.Context,
    application_id: int = typer.Argument(...),
    milestone: list[str] = typer.Option([], "--milestone", help="'title' or 'title@YYYY-MM-DD' (repeatable)"),
    as_user: str | None = AS_OPTION,
) -> None:
    """Choose the winning application and set its milestones."""
    plans = []
    for item in milestone:
        title, _, due = item.partition("@")
        plans.append((title.strip(), _day(due.strip() or None, "--milestone")))
    with session_scope(settings_of(ctx).database_url) as session:
        application = choose_application(
            session=session, viewer=acting_viewer(session, as_user), application_id=application_id, milestones=plans
        )
        print_json(application_dict(application))


@app.command("list")
def list_command(ctx: typer.Context) -> None:
    """All challenges (JSON)."""
    with session_scope(settings_of(ctx).database_url) as session:
        print_json([challenge_dict(c) for c in queries.list_challenges(session)])


@app.command("show")
def show(ctx: typer.Context, challenge_id: int = typer.Argument(...)) -> None:
    """A challenge with its applications and milestones (JSON)."""
    with session_scope(settings_of(ctx).database_url) as session:
        challenge = get_challenge(session, challenge_id)
        payload = challenge_dict(challenge)
        payload["applications"] = [application_dict(a) for a in queries.list_applications(session, challenge.id)]
        payload["milestones"] = [milestone_dict(m) for m in queries.list_milestones(session, challenge.id)]
        print_json(payload)


@milestone_app.command("submit")
def milestone_submit(
    ctx: typer.Context,
    milestone_id: int = typer.Argument(...),
    note: str = typer.Option("", "--note"),
    as_user: str | None = AS_OPTION,
) -> None:
    """The chosen team reports a milestone done."""
    with session_scope(settings_of(ctx).database_url) as session:
        m = submit_milestone(
            session=session, viewer=acting_viewer(session, as_user), milestone_id=milestone_id, note=note
        )
        print_json(milestone_dict(m))


@milestone_app.command("decide")
def milestone_decide(
    ctx: typer.Context,
    milestone_id: int = typer.Argument(...),
    reject: bool = typer.Option(False, "--reject", help="reject instead of accept"),
    note: str = typer.Option("", "--note"),
    as_user: str | None = AS_OPTION,
) -> None:
    """Accept (验收) or reject a submitted milestone."""
    with session_scope(settings_of(ctx).database_url) as session:
        m = decide_milestone(
            session=session,
            viewer=acting_viewer(session, as_user),
            milestone_id=milestone_id,
            accept=not reject,
            note=note,
        )
        print_json(milestone_dict(m))
