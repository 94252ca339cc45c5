"""What an application may offer: the achievements and experts an applicant may attach, and which of them still count.

Rule (checked on apply, and again at ranking time):
- every attached achievement and expert exists and the applicant may read it (`access`); a missing id and an id
  the applicant may not read get the same answer, so the check reveals nothing about private records;
- an attached achievement is the team's own: owned by the applicant user, or listed with the applicant organization
  or one of the attached experts among its owners. An application offers the team's capability, so someone else's
  public achievement would lend it a capability it does not have. Officers and admins entering an application on a
  team's behalf are exempt from the ownership part (they answer for the entry);
- experts need no ownership: a team brings in experts from elsewhere (联合揭榜), and their records belong to whoever
  entered them;
- at ranking time an attachment counts only when it is still valid for the applicant and the person looking at the
  ranking may read it (a record made private later stops counting for those who cannot see it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from techbridge.access import Viewer
from techbridge.challenges import queries
from techbridge.errors import InvalidDataError
from techbridge.models import Achievement, Expert


@dataclass(frozen=True)
class Attachments:
    """The attachments that count, by id."""

    achievements: dict[int, Achievement]
    experts: dict[int, Expert]


def _is_team_work(
    achievement_id: int, owners: dict[int, set[tuple[int | None, int | None]]], *, org: int | None, experts: set[int]
) -> bool:
    return any(
        (o is not None and o == org) or (e is not None and e in experts) for o, e in owners.get(achievement_id, ())
    )


def _own(
    session: Session, applicant: Viewer, org_id: int | None, found: dict[int, Achievement], expert_ids: set[int]
) -> set[int]:
    """Ids among `found` that belong to the team (all of them for officers and admins)."""
    if applicant.is_privileged:
        return set(found)
    owners = queries.achievement_owners(session, list(found))
    return {
        a.id
        for a in found.values()
        if (applicant.user_id is not None and a.owner_id == applicant.user_id)
        or _is_team_work(a.id, owners, org=org_id, experts=expert_ids)
    }


def valid_attachments(
    session: Session,
    *,
    applicant: Viewer,
    org_id: int | None,
    achievement_ids: Sequence[int],
    expert_ids: Sequence[int],
    reader: Viewer | None = None,
) -> Attachments:
    """The attachments valid for `applicant` (and readable by `reader`, when given) among the ids."""
    experts = queries.experts_by_id(session, list(expert_ids), applicant)
    found = queries.achievements_by_id(session, list(achievement_ids), applicant)
    own = _own(session, applicant, org_id, found, set(experts))
    achievements = {i: a for i, a in found.items() if i in own}
    if reader is not None:
        seen_experts = queries.experts_by_id(session, list(experts), reader)
        seen_works = queries.achievements_by_id(session, list(achievements), reader)
        experts = {i: e for i, e in experts.items() if i in seen_experts}
        achievements = {i: a for i, a in achievements.items() if i in seen_works}
    return Attachments(achievements, experts)


def check_attachments(
    session: Session,
    *,
    applicant: Viewer,
    org_id: int | None,
    achievement_ids: Sequence[int],
    expert_ids: Sequence[int],
) -> None:
    """Raise InvalidDataError naming the field and the first id the applicant may not attach."""
    for expert_id in expert_ids:
        if expert_id not in queries.experts_by_id(session, [expert_id], applicant):
            raise InvalidDataError(
                f"expert {expert_id} does not exist or is not visible to you",
                location=("expert_ids", expert_id),
                message_zh=f"专家 {expert_id} 不存在或无权查看",
            )
    found = queries.achievements_by_id(session, list(achievement_ids), applicant)
    own = _own(session, applicant, org_id, found, set(expert_ids))
    for achievement_id in achievement_ids:
        if achievement_id not in found:
            raise InvalidDataError(
                f"achievement {achievement_id} does not exist or is not visible to you",
                location=("achievement_ids", achievement_id),
                message_zh=f"成果 {achievement_id} 不存在或无权查看",
            )
        if achievement_id not in own:
            raise InvalidDataError(
                f"achievement {found[achievement_id].title!r} is not owned by you, your organization or an expert of"
                " the team",
                location=("achievement_ids", achievement_id),
                message_zh=f"成果「{found[achievement_id].title}」不属于您、您的机构或团队中的专家，不能用于揭榜",
            )
