"""揭榜挂帅 use cases: publish a challenge, apply, rank applicants, choose a team, track its milestones to
acceptance. Officers and enterprise users (chain leaders) publish; institutions and enterprises apply."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from techbridge.access import Viewer
from techbridge.challenges import queries
from techbridge.challenges.attachments import check_attachments
from techbridge.challenges.ranking import rank_applications
from techbridge.errors import ConflictError, InvalidDataError, NotFoundError, PermissionDeniedError
from techbridge.models import (
    ApplicationStatus,
    Challenge,
    ChallengeApplication,
    ChallengeStatus,
    Milestone,
    MilestoneStatus,
    Role,
)
from techbridge.models.base import utcnow

PUBLISHERS = frozenset({Role.ADMIN, Role.OFFICER, Role.ENTERPRISE})
APPLICANTS = frozenset({Role.ADMIN, Role.OFFICER, Role.INSTITUTION, Role.ENTERPRISE})


@dataclass(frozen=True)
class ChallengeCreate:
    """A challenge to publish."""

    title: str
    goal: str
    indicators: list[str] = field(default_factory=list)
    budget: Decimal | None = None
    deadline: date | None = None
    field: str = ""
    chain_link: str = ""
    chain_node_id: int | None = None
    publisher_name: str = ""
    is_demo: bool = False


@dataclass(frozen=True)
class ApplicationCreate:
    """A team's application."""

    team_name: str
    plan: str = ""
    applicant_org_id: int | None = None
    achievement_ids: list[int] = field(default_factory=list)
    expert_ids: list[int] = field(default_factory=list)


def get_challenge(session: Session, challenge_id: int) -> Challenge:
    """A challenge (the board is public), else NotFoundError."""
    challenge = session.get(Challenge, challenge_id)
    if challenge is None:
        raise NotFoundError(f"challenge {challenge_id} not found", message_zh=f"未找到榜单 {challenge_id}")
    return challenge


def _may_manage(challenge: Challenge, viewer: Viewer) -> bool:
    return viewer.is_privileged or (viewer.is_authenticated and challenge.publisher_id == viewer.user_id)


def _may_report(application: ChallengeApplication | None, challenge: Challenge, viewer: Viewer) -> bool:
    """Whether the viewer may report the milestones of `application`: its applicant, the publisher or an officer."""
    is_team = application is not None and viewer.is_authenticated and application.applicant_user_id == viewer.user_id
    return is_team or _may_manage(challenge, viewer)


def may_report_milestones(session: Session, viewer: Viewer, challenge: Challenge) -> bool:
    """Whether the viewer may report the challenge's milestones (the page shows the submit buttons only then)."""
    chosen = queries.chosen_application(session, challenge.id)
    return chosen is not None and _may_report(chosen, challenge, viewer)


def _require_manager(challenge: Challenge, viewer: Viewer) -> None:
    if not _may_manage(challenge, viewer):
        raise PermissionDeniedError("only the publisher or an officer", message_zh="仅发榜方或主管部门可操作")


def publish_challenge(*, session: Session, viewer: Viewer, data: ChallengeCreate) -> Challenge:
    """Publish a challenge (officers and chain-leader enterprises)."""
    if viewer.role not in PUBLISHERS:
        raise PermissionDeniedError(
            "only officers and enterprises publish challenges", message_zh="仅主管部门或链主企业可发榜"
        )
    if not data.title.strip() or not data.goal.strip():
        raise InvalidDataError(
            "a challenge needs a title and a goal", location=("title",), message_zh="榜单需要标题和攻关目标"
        )
    if data.budget is not None and data.budget < 0:
        raise InvalidDataError("budget must not be negative", location=("budget",), message_zh="经费不能为负数")
    challenge = Challenge(
        title=data.title.strip(),
        goal=data.goal.strip(),
        indicators=[item.strip() for item in data.indicators if item.strip()],
        budget=data.budget,
        deadline=data.deadline,
        field=data.field,
        chain_link=data.chain_link,
        chain_node_id=data.chain_node_id,
        publisher_id=viewer.user_id or None,
        publisher_org_id=viewer.organization_id,
        publisher_name=data.publisher_name,
        status=ChallengeStatus.OPEN,
        is_demo=data.is_demo,
    )
    session.add(challenge)
    session.flush()
    return challenge


def apply_to_challenge(
    *, session: Session, viewer: Viewer, challenge_id: int, data: ApplicationCreate, today: date | None = None
) -> ChallengeApplication:
    """Apply (揭榜) to an open challenge before its deadline, attaching only what the applicant may offer
    (`attachments`: existing, readable, achievements the team's own) for its own organization."""
    if viewer.role not in APPLICANTS:
        raise PermissionDeniedError(
            "sign in as an institution or enterprise to apply", message_zh="请以高校院所或企业身份登录后揭榜"
        )
    challenge = get_challenge(session, challenge_id)
    if challenge.status != ChallengeStatus.OPEN:
        raise ConflictError(f"challenge {challenge_id} is {challenge.status}", message_zh="榜单已不再接受揭榜")
    if challenge.deadline and (today or today_local()) > challenge.deadline:
        raise ConflictError("the deadline has passed", message_zh="揭榜截止日期已过")
    if not data.team_name.strip():
        raise InvalidDataError("a team name is needed", location=("team_name",), message_zh="请填写团队名称")
    if viewer.user_id and queries.applications_of_user(session, challenge.id, viewer.user_id):
        raise ConflictError(
            "you have already applied to this challenge; your application is listed on its page",
            message_zh="您已揭榜该榜单，不能重复申请；您的申请见本页「我的揭榜申请」",
        )
    org_id = _applicant_org(session, viewer, data.applicant_org_id)
    _check_one_per_organization(session, challenge.id, org_id)
    achievement_ids, expert_ids = list(dict.fromkeys(data.achievement_ids)), list(dict.fromkeys(data.expert_ids))
    check_attachments(session, applicant=viewer, org_id=org_id, achievement_ids=achievement_ids, expert_ids=expert_ids)
    application = ChallengeApplication(
        challenge_id=challenge.id,
        applicant_org_id=org_id,
        applicant_user_id=viewer.user_id or None,
        team_name=data.team_name.strip(),
        plan=data.plan.strip(),
        achievement_ids=achievement_ids,
        expert_ids=expert_ids,
    )
    session.add(application)
    session.flush()
    return application


def _check_one_per_organization(session: Session, challenge_id: int, org_id: int | None) -> None:
    """An organization (揭榜单位) applies once per challenge, whichever of its users applies; a team without an
    organization is held to one application per user account (checked before)."""
    if org_id is None:
        return
    earlier = queries.applications_of_organization(session, challenge_id, org_id)
    if earlier:
        team = earlier[0].team_name
        raise ConflictError(
            f"your organization has already applied to this challenge (team {team!r}): one application an organization",
            message_zh=f"您所在的机构已揭榜该榜单（团队「{team}」），每个机构只能揭榜一次",
        )


@dataclass(frozen=True)
class OwnApplication:
    """An application as its applicant sees it: team, status, plan and the titles of what it attached (those the
    applicant may still see)."""

    id: int
    team_name: str
    status: str
    plan: str
    achievements: list[str]
    experts: list[str]


def own_applications(*, session: Session, viewer: Viewer, challenge_id: int) -> list[OwnApplication]:
    """The viewer's own applications to a challenge (none when signed out)."""
    if not viewer.user_id:
        return []
    found = []
    for application in queries.applications_of_user(session, challenge_id, viewer.user_id):
        achievements = queries.achievements_by_id(session, application.achievement_ids, viewer)
        experts = queries.experts_by_id(session, application.expert_ids, viewer)
        found.append(
            OwnApplication(
                application.id,
                application.team_name,
                str(application.status),
                application.plan,
                [achievements[i].title for i in application.achievement_ids if i in achievements],
                [experts[i].name for i in application.expert_ids if i in experts],
            )
        )
    return found


def _applicant_org(session: Session, viewer: Viewer, org_id: int | None) -> int | None:
    """The applying organization: the viewer's own; officers and admins may name any existing one."""
    if org_id is None or org_id == viewer.organization_id:
        return viewer.organization_id
    if not viewer.is_privileged:
        raise InvalidDataError(
            f"organization {org_id} is not yours",
            location=("applicant_org_id", org_id),
            message_zh=f"机构 {org_id} 不是您所在的机构",
        )
    if not queries.organization_exists(session, org_id):
        raise InvalidDataError(
            f"organization {org_id} does not exist",
            location=("applicant_org_id", org_id),
            message_zh=f"机构 {org_id} 不存在",
        )
    return org_id


def ranked_applications(*, session: Session, viewer: Viewer, challenge_id: int) -> list[ChallengeApplication]:
    """The applications ranked by capability match and track record as `viewer` may see them (scores stored); only
    the publisher and officers see them, as applicants must not read each other's plans and scores."""
    challenge = get_challenge(session, challenge_id)
    _require_manager(challenge, viewer)
    return rank_applications(session, challenge, queries.list_applications(session, challenge.id), viewer)


def today_local() -> date:
    """Today's date (tests pass their own `today`)."""
    return date.today()


def _require_closed_for_applications(challenge: Challenge, today: date) -> None:
    """A team is chosen only once applications have closed: teams may apply through the deadline day."""
    if challenge.deadline and today <= challenge.deadline:
        deadline = challenge.deadline.isoformat()
        raise ConflictError(
            f"applications are open until {deadline}; a team is chosen after the deadline",
            message_zh=f"揭榜截止日期为 {deadline}，截止后方可确定揭榜团队",
        )


def choose_application(
    *,
    session: Session,
    viewer: Viewer,
    application_id: int,
    milestones: Sequence[tuple[str, date | None]],
    today: date | None = None,
) -> ChallengeApplication:
    """Choose the winning team after the application deadline and set its milestones; the others are declined."""
    application = session.get(ChallengeApplication, application_id)
    if application is None:
        raise _no_application(application_id)
    challenge = get_challenge(session, application.challenge_id)
    if not _may_manage(challenge, viewer):  # the same answer as for a missing application: no existence oracle
        raise _no_application(application_id)
    if challenge.status != ChallengeStatus.OPEN:
        raise ConflictError("a team was already chosen", message_zh="该榜单已确定揭榜团队")
    _require_closed_for_applications(challenge, today or today_local())
    if not milestones:
        raise InvalidDataError("at least one milestone", location=("milestones",), message_zh="至少设置一个里程碑")
    for other in queries.list_applications(session, challenge.id):
        other.status = ApplicationStatus.CHOSEN if other.id == application.id else ApplicationStatus.DECLINED
    for seq, (title, due) in enumerate(milestones, start=1):
        session.add(
            Milestone(challenge_id=challenge.id, application_id=application.id, seq=seq, title=title, due_on=due)
        )
    challenge.status = ChallengeStatus.AWARDED
    session.flush()
    return application


def _no_application(application_id: int) -> NotFoundError:
    return NotFoundError(f"application {application_id} not found", message_zh=f"未找到揭榜申请 {application_id}")


def _no_milestone(milestone_id: int) -> NotFoundError:
    return NotFoundError(f"milestone {milestone_id} not found", message_zh=f"未找到里程碑 {milestone_id}")


def _milestone(session: Session, milestone_id: int) -> tuple[Milestone, Challenge]:
    milestone = session.get(Milestone, milestone_id)
    if milestone is None:
        raise _no_milestone(milestone_id)
    return milestone, get_challenge(session, milestone.challenge_id)


def submit_milestone(*, session: Session, viewer: Viewer, milestone_id: int, note: str = "") -> Milestone:
    """The chosen team (or an officer) reports a milestone as done."""
    milestone, challenge = _milestone(session, milestone_id)
    application = session.get(ChallengeApplication, milestone.application_id)
    if not _may_report(application, challenge, viewer):  # answered as a missing milestone: no existence oracle
        raise _no_milestone(milestone_id)
    if milestone.status == MilestoneStatus.ACCEPTED:
        raise ConflictError("milestone already accepted", message_zh="该里程碑已验收")
    milestone.status = MilestoneStatus.SUBMITTED
    milestone.note = note
    session.flush()
    return milestone


def decide_milestone(*, session: Session, viewer: Viewer, milestone_id: int, accept: bool, note: str = "") -> Milestone:
    """Publisher or officer accepts (验收) or rejects a submitted milestone; all accepted → challenge accepted."""
    milestone, challenge = _milestone(session, milestone_id)
    if not _may_manage(challenge, viewer):  # answered as a missing milestone: no existence oracle
        raise _no_milestone(milestone_id)
    if milestone.status != MilestoneStatus.SUBMITTED:
        raise ConflictError(f"milestone is {milestone.status}, not submitted", message_zh="里程碑尚未提交，不能验收")
    milestone.status = MilestoneStatus.ACCEPTED if accept else MilestoneStatus.REJECTED
    milestone.decided_at = utcnow()
    milestone.note = note or milestone.note
    if all(m.status == MilestoneStatus.ACCEPTED for m in queries.list_milestones(session, challenge.id)):
        challenge.status = ChallengeStatus.ACCEPTED
    session.flush()
    return milestone
