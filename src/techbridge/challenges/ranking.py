"""Rank a challenge's applicants by capability match (the matching service's text ranking) and track record,
with the reasons shown next to each score.

score = MATCH_WEIGHT × (match ÷ best match among the applicants) + RECORD_WEIGHT × record, where
record = min(1, (contracts sold + challenges won + achievements owned ÷ 5) ÷ RECORD_SATURATION).
Only the attachments still valid at ranking time, and readable by whoever looks at the ranking, count
(`attachments.valid_attachments`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from techbridge.access import SYSTEM, Viewer
from techbridge.accounts.service import viewer_for
from techbridge.challenges import queries
from techbridge.challenges.attachments import Attachments, valid_attachments
from techbridge.matching.service import rank_texts
from techbridge.models import Challenge, ChallengeApplication, User

MATCH_WEIGHT = 0.7
RECORD_WEIGHT = 0.3
RECORD_SATURATION = 5.0


@dataclass(frozen=True)
class Record:
    """An applicant's track record."""

    contracts_sold: int = 0
    challenges_won: int = 0
    achievements_owned: int = 0

    @property
    def score(self) -> float:
        """0–1, saturating at RECORD_SATURATION units."""
        units = self.contracts_sold + self.challenges_won + self.achievements_owned / 5
        return min(1.0, units / RECORD_SATURATION)


def challenge_query(challenge: Challenge) -> str:
    """The text applicants are matched against: title, goal, indicators, field and chain link."""
    return "\n".join([challenge.title, challenge.goal, *challenge.indicators, challenge.field, challenge.chain_link])


def counted_attachments(session: Session, application: ChallengeApplication, reader: Viewer) -> Attachments:
    """The application's attachments that still count: valid for its applicant today and readable by `reader`.

    An application entered without a user (by the system administrator) is judged as the administrator's.
    """
    user = session.get(User, application.applicant_user_id) if application.applicant_user_id is not None else None
    return valid_attachments(
        session,
        applicant=viewer_for(user) if user is not None else SYSTEM,
        org_id=application.applicant_org_id,
        achievement_ids=application.achievement_ids,
        expert_ids=application.expert_ids,
        reader=reader,
    )


def application_text(application: ChallengeApplication, attachments: Attachments) -> str:
    """What an applicant offers, as text: team, plan, the achievements and the experts' fields."""
    parts = [application.team_name, application.plan]
    parts += [f"{a.title} {a.abstract} {' '.join(a.keywords)}" for a in attachments.achievements.values()]
    parts += [f"{e.name} {' '.join(e.fields)} {e.bio}" for e in attachments.experts.values()]
    return "\n".join(part for part in parts if part)


def record_of(session: Session, application: ChallengeApplication) -> Record:
    """The applicant organization's record (empty for teams without an organization); the challenge being ranked and
    demonstration challenges do not count as won, as demonstration contracts do not count as sold."""
    org = application.applicant_org_id
    if org is None:
        return Record()
    return Record(
        contracts_sold=queries.count_contracts_sold(session, org),
        challenges_won=queries.count_challenges_won(session, org, application.challenge_id),
        achievements_owned=queries.count_achievements_owned(session, org),
    )


def _reasons(terms: Sequence[str], record: Record, attachments: Attachments) -> list[dict[str, object]]:
    reasons: list[dict[str, object]] = []
    if terms:
        reasons.append({"kind": "match", "terms": list(terms)[:8]})
    if attachments.achievements:
        reasons.append({"kind": "achievements", "count": len(attachments.achievements)})
    if attachments.experts:
        reasons.append({"kind": "experts", "count": len(attachments.experts)})
    if record.contracts_sold:
        reasons.append({"kind": "contracts", "count": record.contracts_sold})
    if record.challenges_won:
        reasons.append({"kind": "challenges_won", "count": record.challenges_won})
    return reasons


def rank_applications(
    session: Session, challenge: Challenge, applications: Sequence[ChallengeApplication], reader: Viewer
) -> list[ChallengeApplication]:
    """Score every application as `reader` may see it (stored on it with its reasons) and return them best first."""
    if not applications:
        return []
    keyed = {str(app.id): app for app in applications}
    counted = {key: counted_attachments(session, app, reader) for key, app in keyed.items()}
    ranked = rank_texts(
        query=challenge_query(challenge),
        candidates=[(key, application_text(app, counted[key])) for key, app in keyed.items()],
        top_k=len(keyed),
    )
    best = max((hit.score for hit in ranked), default=0.0) or 1.0
    for hit in ranked:
        app = keyed[hit.key]
        record = record_of(session, app)
        app.score = round(MATCH_WEIGHT * hit.score / best + RECORD_WEIGHT * record.score, 4)
        app.reasons = _reasons(hit.matched_terms, record, counted[hit.key])
    session.flush()
    return sorted(applications, key=lambda a: (-(a.score or 0.0), a.id))
