"""Reads of challenges, applications and milestones, and the registry facts ranking needs."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from techbridge.access import Viewer, visibility_clause
from techbridge.models import (
    Achievement,
    AchievementOwner,
    ApplicationStatus,
    Challenge,
    ChallengeApplication,
    ChallengeStatus,
    Contract,
    Expert,
    Milestone,
    Organization,
)


def _board_clauses(status: ChallengeStatus | None, text: str) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = []
    if status is not None:
        clauses.append(Challenge.status == status)
    if text:
        clauses.append(
            or_(
                Challenge.title.contains(text, autoescape=True),
                Challenge.field.contains(text, autoescape=True),
                Challenge.publisher_name.contains(text, autoescape=True),
            )
        )
    return clauses


def list_challenges(
    session: Session,
    *,
    status: ChallengeStatus | None = None,
    text: str = "",
    offset: int = 0,
    limit: int | None = None,
) -> Sequence[Challenge]:
    """Challenges, newest first: of one status and/or with `text` in the title, field or publisher when given;
    `offset`/`limit` read one page."""
    stmt = select(Challenge).where(*_board_clauses(status, text)).order_by(Challenge.id.desc())
    return session.scalars(stmt.offset(offset).limit(limit)).all()


def count_challenges(session: Session, *, status: ChallengeStatus | None = None, text: str = "") -> int:
    """How many challenges `list_challenges` would list without a limit."""
    stmt = select(func.count()).select_from(Challenge).where(*_board_clauses(status, text))
    return int(session.scalar(stmt) or 0)


def list_applications(session: Session, challenge_id: int) -> Sequence[ChallengeApplication]:
    """Applications of a challenge in arrival order."""
    stmt = select(ChallengeApplication).where(ChallengeApplication.challenge_id == challenge_id)
    return session.scalars(stmt.order_by(ChallengeApplication.id)).all()


def count_applications(session: Session, challenge_id: int) -> int:
    """How many applications a challenge has (every status), counted in SQL."""
    stmt = (
        select(func.count()).select_from(ChallengeApplication).where(ChallengeApplication.challenge_id == challenge_id)
    )
    return int(session.scalar(stmt) or 0)


def challenge_of_application(session: Session, application_id: int) -> int | None:
    """The id of the challenge an application was made to (None: no such application)."""
    return session.scalar(select(ChallengeApplication.challenge_id).where(ChallengeApplication.id == application_id))


def applications_of_user(session: Session, challenge_id: int, user_id: int) -> Sequence[ChallengeApplication]:
    """The applications one user made to a challenge, in arrival order."""
    stmt = select(ChallengeApplication).where(
        ChallengeApplication.challenge_id == challenge_id, ChallengeApplication.applicant_user_id == user_id
    )
    return session.scalars(stmt.order_by(ChallengeApplication.id)).all()


def applications_of_organization(
    session: Session, challenge_id: int, organization_id: int
) -> Sequence[ChallengeApplication]:
    """The applications one organization made to a challenge (through any of its users), in arrival order."""
    stmt = select(ChallengeApplication).where(
        ChallengeApplication.challenge_id == challenge_id, ChallengeApplication.applicant_org_id == organization_id
    )
    return session.scalars(stmt.order_by(ChallengeApplication.id)).all()


def chosen_application(session: Session, challenge_id: int) -> ChallengeApplication | None:
    """The challenge's chosen application (揭榜成功), if a team was chosen."""
    stmt = select(ChallengeApplication).where(
        ChallengeApplication.challenge_id == challenge_id, ChallengeApplication.status == ApplicationStatus.CHOSEN
    )
    return session.scalars(stmt.order_by(ChallengeApplication.id).limit(1)).first()


def list_milestones(session: Session, challenge_id: int) -> Sequence[Milestone]:
    """Milestones of a challenge in order."""
    stmt = select(Milestone).where(Milestone.challenge_id == challenge_id).order_by(Milestone.seq, Milestone.id)
    return session.scalars(stmt).all()


def achievements_by_id(session: Session, ids: Sequence[int], viewer: Viewer) -> dict[int, Achievement]:
    """Achievements among `ids` that `viewer` may read."""
    if not ids:
        return {}
    stmt = select(Achievement).where(Achievement.id.in_(ids), visibility_clause(Achievement, viewer))
    return {a.id: a for a in session.scalars(stmt)}


def experts_by_id(session: Session, ids: Sequence[int], viewer: Viewer) -> dict[int, Expert]:
    """Experts among `ids` that `viewer` may read."""
    if not ids:
        return {}
    return {
        e.id: e for e in session.scalars(select(Expert).where(Expert.id.in_(ids), visibility_clause(Expert, viewer)))
    }


def achievement_owners(session: Session, ids: Sequence[int]) -> dict[int, set[tuple[int | None, int | None]]]:
    """(organization, expert) owner pairs of each achievement among `ids`."""
    owners: dict[int, set[tuple[int | None, int | None]]] = {}
    if not ids:
        return owners
    stmt = select(AchievementOwner.achievement_id, AchievementOwner.organization_id, AchievementOwner.expert_id).where(
        AchievementOwner.achievement_id.in_(ids)
    )
    for achievement_id, org_id, expert_id in session.execute(stmt):
        owners.setdefault(achievement_id, set()).add((org_id, expert_id))
    return owners


def organization_exists(session: Session, org_id: int) -> bool:
    """Whether an organization with this id exists."""
    return session.scalar(select(Organization.id).where(Organization.id == org_id)) is not None


def count_contracts_sold(session: Session, organization_id: int) -> int:
    """Real (non-demo) contracts the organization sold: its transfer track record."""
    stmt = (
        select(func.count())
        .select_from(Contract)
        .where(Contract.seller_id == organization_id, Contract.is_demo.is_(False))
    )
    return int(session.scalar(stmt) or 0)


def count_achievements_owned(session: Session, organization_id: int) -> int:
    """Achievements the organization owns."""
    stmt = select(func.count()).select_from(AchievementOwner).where(AchievementOwner.organization_id == organization_id)
    return int(session.scalar(stmt) or 0)


def count_challenges_won(session: Session, organization_id: int, other_than: int) -> int:
    """Other real (non-demo) challenges than `other_than` (the one being ranked) the organization was chosen for."""
    stmt = (
        select(func.count())
        .select_from(ChallengeApplication)
        .join(Challenge, Challenge.id == ChallengeApplication.challenge_id)
        .where(
            ChallengeApplication.applicant_org_id == organization_id,
            ChallengeApplication.status == ApplicationStatus.CHOSEN,
            ChallengeApplication.challenge_id != other_than,
            Challenge.is_demo.is_(False),
        )
    )
    return int(session.scalar(stmt) or 0)
