"""JSON API of 揭榜挂帅: the board, a challenge with its milestones and the caller's own applications, the ranked
applicants (publisher and officers), and the writes the portal and the CLI make — publish, apply, choose a team,
submit and decide milestones — over the same `challenges.service` functions, with the same checks: a caller who may
not manage a challenge gets the answer of a missing application or milestone."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Path
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from techbridge.challenges import queries
from techbridge.challenges.service import (
    ApplicationCreate,
    ChallengeCreate,
    apply_to_challenge,
    choose_application,
    decide_milestone,
    get_challenge,
    own_applications,
    publish_challenge,
    ranked_applications,
    submit_milestone,
)
from techbridge.errors import PermissionDeniedError
from techbridge.models import Challenge, ChallengeApplication
from techbridge.web.deps import MAX_ID, DbDep, IdPath, SignedInDep, ViewerDep
from techbridge.web.routes.api.errors import CONFLICT
from techbridge.web.routes.api.registry import ERRORS, WRITE_DEPS, WRITE_ERRORS

router = APIRouter(tags=["challenges"])
PICKS = 5
"""Achievements and experts an application attaches at most (the portal's form has five pickers of each)."""
RecordId = Annotated[int, Field(ge=1, le=MAX_ID)]
ApplicationId = Annotated[int, Path(ge=1, le=MAX_ID, description="application id")]
MilestoneId = Annotated[int, Path(ge=1, le=MAX_ID, description="milestone id")]
CHANGE_ERRORS = {**WRITE_ERRORS, **CONFLICT}


class ChallengeBody(BaseModel):
    """A challenge to publish (officers and chain-leader enterprises), as the portal's form takes it."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(max_length=255)
    goal: str = Field(max_length=20_000, description="the technical goal (攻关目标)")
    indicators: list[Annotated[str, Field(max_length=255)]] = Field(default_factory=list, max_length=50)
    budget: Decimal | None = Field(None, max_digits=14, decimal_places=2, description="万元")
    deadline: date | None = Field(None, description="last day teams may apply")
    field: str = Field("", max_length=64)
    chain_link: str = Field("", max_length=255, description="the chain link (产业链环节) it serves")
    publisher_name: str = Field("", max_length=255)


class ChallengeRead(BaseModel):
    """A challenge as the public board shows it."""

    id: int
    title: str
    goal: str
    indicators: list[str]
    budget: float | None = Field(description="万元")
    deadline: date | None
    field: str
    chain_link: str
    publisher_name: str
    status: str
    is_demo: bool


class MilestoneRead(BaseModel):
    """A milestone of the chosen team (shown on the challenge's public page)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    seq: int
    title: str
    due_on: date | None
    status: str


class OwnApplicationRead(BaseModel):
    """One of the caller's own applications, with the titles of what it attached that the caller may still see."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    team_name: str
    status: str
    plan: str
    achievements: list[str]
    experts: list[str]


class ChallengeDetailRead(ChallengeRead):
    """A challenge as its page shows it to the caller: how many applied, the milestones, the caller's applications."""

    application_count: int
    milestones: list[MilestoneRead]
    mine: list[OwnApplicationRead]


class ApplicationBody(BaseModel):
    """An application (揭榜): achievements the team owns and experts of the team, by id, each checked as the
    portal's pickers check them (a missing and a hidden record get the same 422)."""

    model_config = ConfigDict(extra="forbid")

    team_name: str = Field(max_length=255)
    plan: str = Field("", max_length=20_000)
    applicant_org_id: RecordId | None = Field(
        None, description="default: the caller's organization; officers may name another"
    )
    achievement_ids: list[RecordId] = Field(default_factory=list, max_length=PICKS)
    expert_ids: list[RecordId] = Field(default_factory=list, max_length=PICKS)


class MilestonePlan(BaseModel):
    """One milestone set when a team is chosen."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(max_length=255, pattern=r"\S", description="not blank")
    due_on: date | None = None


class ChooseBody(BaseModel):
    """The chosen team's milestones (at least one)."""

    model_config = ConfigDict(extra="forbid")

    milestones: list[MilestonePlan] = Field(max_length=50)


class ChosenRead(BaseModel):
    """The chosen application and the milestones it now has."""

    id: int
    challenge_id: int
    team_name: str
    status: str
    milestones: list[MilestoneRead]


class SubmitBody(BaseModel):
    """The team's report on a milestone."""

    model_config = ConfigDict(extra="forbid")

    note: str = Field("", max_length=20_000)


class DecideBody(BaseModel):
    """Accept (验收) or reject a submitted milestone."""

    model_config = ConfigDict(extra="forbid")

    accept: bool = True
    note: str = Field("", max_length=20_000)


class RankedRead(BaseModel):
    """An application as the ranking shows it to the publisher and officers."""

    id: int
    team_name: str
    score: float | None
    reasons: list[dict[str, Any]]
    status: str


def challenge_read(challenge: Challenge) -> ChallengeRead:
    """A challenge's public fields."""
    return ChallengeRead(
        id=challenge.id,
        title=challenge.title,
        goal=challenge.goal,
        indicators=list(challenge.indicators or []),
        budget=float(challenge.budget) if challenge.budget is not None else None,
        deadline=challenge.deadline,
        field=challenge.field,
        chain_link=challenge.chain_link,
        publisher_name=challenge.publisher_name,
        status=str(challenge.status),
        is_demo=challenge.is_demo,
    )


@router.get("/challenges")
def board(session: DbDep) -> list[dict[str, Any]]:
    """Every challenge (public)."""
    return [
        {
            "id": c.id,
            "title": c.title,
            "field": c.field,
            "status": c.status,
            "is_demo": c.is_demo,
            "budget": float(c.budget) if c.budget is not None else None,
            "deadline": c.deadline.isoformat() if c.deadline else None,
        }
        for c in queries.list_challenges(session)
    ]


@router.post(
    "/challenges", response_model=ChallengeRead, status_code=201, responses=WRITE_ERRORS, dependencies=WRITE_DEPS
)
def publish(session: DbDep, viewer: SignedInDep, body: ChallengeBody) -> ChallengeRead:
    """Publish a challenge (officers and enterprises; signed-in session + `X-CSRF-Token`): a blank title or goal
    or a negative budget is a 422 naming the field."""
    data = ChallengeCreate(
        title=body.title,
        goal=body.goal,
        indicators=body.indicators,
        budget=body.budget,
        deadline=body.deadline,
        field=body.field.strip(),
        chain_link=body.chain_link.strip(),
        publisher_name=body.publisher_name.strip(),
    )
    return challenge_read(publish_challenge(session=session, viewer=viewer, data=data))


@router.get("/challenges/{challenge_id}", response_model=ChallengeDetailRead, responses=ERRORS)
def detail(challenge_id: IdPath, session: DbDep, viewer: ViewerDep) -> ChallengeDetailRead:
    """A challenge as its page shows it: the number of applications, the milestones (with the ids the team submits
    and the publisher decides) and the caller's own applications."""
    challenge = get_challenge(session, challenge_id)
    mine = own_applications(session=session, viewer=viewer, challenge_id=challenge.id)
    return ChallengeDetailRead(
        **challenge_read(challenge).model_dump(),
        application_count=queries.count_applications(session, challenge.id),
        milestones=[MilestoneRead.model_validate(m) for m in queries.list_milestones(session, challenge.id)],
        mine=[OwnApplicationRead.model_validate(item) for item in mine],
    )


@router.post(
    "/challenges/{challenge_id}/apply",
    response_model=OwnApplicationRead,
    status_code=201,
    responses=CHANGE_ERRORS,
    dependencies=WRITE_DEPS,
)
def apply(challenge_id: IdPath, session: DbDep, viewer: SignedInDep, body: ApplicationBody) -> OwnApplicationRead:
    """Apply (揭榜) to an open challenge through its deadline day (institutions and enterprises): an attachment the
    team may not offer or a blank team name is a 422 naming the field; a second application by the caller or by
    their organization, a passed deadline or a closed challenge is a 409."""
    data = ApplicationCreate(
        team_name=body.team_name,
        plan=body.plan,
        applicant_org_id=body.applicant_org_id,
        achievement_ids=body.achievement_ids,
        expert_ids=body.expert_ids,
    )
    made = apply_to_challenge(session=session, viewer=viewer, challenge_id=challenge_id, data=data)
    mine = own_applications(session=session, viewer=viewer, challenge_id=challenge_id)
    return OwnApplicationRead.model_validate(next(item for item in mine if item.id == made.id))


@router.get("/challenges/{challenge_id}/ranking", response_model=list[RankedRead], responses=ERRORS)
def ranking(challenge_id: IdPath, session: DbDep, viewer: SignedInDep) -> list[RankedRead]:
    """Applicants best first with scores and reasons (publisher and officers)."""
    challenge = get_challenge(session, challenge_id)
    if not (viewer.is_privileged or challenge.publisher_id == viewer.user_id):
        raise PermissionDeniedError("only the publisher or an officer", message_zh="仅发榜方或主管部门可查看排序")
    return [
        RankedRead(id=a.id, team_name=a.team_name, score=a.score, reasons=a.reasons, status=str(a.status))
        for a in ranked_applications(session=session, viewer=viewer, challenge_id=challenge_id)
    ]


def _chosen(session: Session, application: ChallengeApplication) -> ChosenRead:
    milestones = queries.list_milestones(session, application.challenge_id)
    return ChosenRead(
        id=application.id,
        challenge_id=application.challenge_id,
        team_name=application.team_name,
        status=str(application.status),
        milestones=[MilestoneRead.model_validate(m) for m in milestones if m.application_id == application.id],
    )


@router.post(
    "/challenges/applications/{application_id}/choose",
    response_model=ChosenRead,
    responses=CHANGE_ERRORS,
    dependencies=WRITE_DEPS,
)
def choose(application_id: ApplicationId, session: DbDep, viewer: SignedInDep, body: ChooseBody) -> ChosenRead:
    """Choose the winning team after the deadline and set its milestones (publisher and officers; anyone else gets
    the 404 of a missing application); the other applications are declined. No milestone is a 422; a choice before
    the deadline or a second choice is a 409."""
    plans = [(item.title.strip(), item.due_on) for item in body.milestones]
    application = choose_application(session=session, viewer=viewer, application_id=application_id, milestones=plans)
    return _chosen(session, application)


@router.post(
    "/challenges/milestones/{milestone_id}/submit",
    response_model=MilestoneRead,
    responses=CHANGE_ERRORS,
    dependencies=WRITE_DEPS,
)
def submit(milestone_id: MilestoneId, session: DbDep, viewer: SignedInDep, body: SubmitBody) -> MilestoneRead:
    """The chosen team (or the publisher or an officer) reports a milestone done; anyone else gets the 404 of a
    missing milestone; an accepted milestone is a 409."""
    return MilestoneRead.model_validate(
        submit_milestone(session=session, viewer=viewer, milestone_id=milestone_id, note=body.note)
    )


@router.post(
    "/challenges/milestones/{milestone_id}/decide",
    response_model=MilestoneRead,
    responses=CHANGE_ERRORS,
    dependencies=WRITE_DEPS,
)
def decide(milestone_id: MilestoneId, session: DbDep, viewer: SignedInDep, body: DecideBody) -> MilestoneRead:
    """Accept (验收) or reject a submitted milestone (publisher and officers; anyone else gets the 404 of a missing
    milestone); one not submitted is a 409. When every milestone is accepted, the challenge is."""
    milestone = decide_milestone(
        session=session, viewer=viewer, milestone_id=milestone_id, accept=body.accept, note=body.note
    )
    return MilestoneRead.model_validate(milestone)
