"""JSON API: the challenge board and a challenge's ranked applicants (publisher and officers)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from techbridge.challenges import queries
from techbridge.challenges.service import get_challenge, ranked_applications
from techbridge.errors import PermissionDeniedError
from techbridge.web.deps import DbDep, IdPath, SignedInDep

router = APIRouter(tags=["challenges"])


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


@router.get("/challenges/{challenge_id}/ranking")
def ranking(challenge_id: IdPath, session: DbDep, viewer: SignedInDep) -> list[dict[str, Any]]:
    """Applicants best first with scores and reasons."""
    challenge = get_challenge(session, challenge_id)
    if not (viewer.is_privileged or challenge.publisher_id == viewer.user_id):
        raise PermissionDeniedError("only the publisher or an officer", message_zh="仅发榜方或主管部门可查看排序")
    return [
        {"id": a.id, "team_name": a.team_name, "score": a.score, "reasons": a.reasons, "status": a.status}
        for a in ranked_applications(session=session, viewer=viewer, challenge_id=challenge_id)
    ]
