"""Rank a challenge's applicants by capability match (the matching service's text ranking) and track record,
with the reasons shown next to each score.

score = MATCH_WEIGHT × (match ÷ best match among the applicants) + RECORD_WEIGHT × record, where
record = min(1, (contracts sold + challenges won + achievements owned ÷ 5) ÷ RECORD_SATURATION).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from techbridge.challenges import queries
from techbridge.matching.service import rank_texts
from techbridge.models import Challenge, ChallengeApplication

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


def application_text(session: Session, application: ChallengeApplication) -> str:
    """What an applicant offers, as text: team, plan, the achievements and the experts' fields."""
    achievements = queries.achievements_by_id(session, application.achievement_ids)
    experts = queries.experts_by_id(session, application.expert_ids)
    parts = [application.team_name, application.plan]
    parts += [f"{a.title} {a.abstract} {' '.join(a.keywords)}" for a in achievements.values()]
    parts += [f"{e.name} {' '.join(e.fields)} {e.bio}" for e in experts.values()]
    return "\n".join(part for part in parts if part)


def record_of(session: Session, application: ChallengeApplication) -> Record:
    """The applicant organization's record (empty for teams without an organization)."""
    org = application.applicant_org_id
    if org is None:
        return Record()
    return Record(
        contracts_sold=queries.count_contracts_sold(session, org),
        challenges_won=queries.count_challenges_won(session, org),
        achievements_owned=queries.count_achievements_owned(session, org),
    )


def _reasons(terms: Sequence[str], record: Record, application: ChallengeApplication) -> list[dict[str, object]]:
    reasons: list[dict[str, object]] = []
    if terms:
        reasons.append({"kind": "match", "terms": list(terms)[:8]})
    if application.achievement_ids:
        reasons.append({"kind": "achievements", "count": len(application.achievement_ids)})
    if application.expert_ids:
        reasons.append({"kind": "experts", "count": len(application.expert_ids)})
    if record.contracts_sold:
        reasons.append({"kind": "contracts", "count": record.contracts_sold})
    if record.challenges_won:
        reasons.append({"kind": "challenges_won", "count": record.challenges_won})
    return reasons


def rank_applications(
    session: Session, challenge: Challenge, applications: Sequence[ChallengeApplication]
) -> list[ChallengeApplication]:
    """Score every application (stored on it with its reasons) and return them best first."""
    if not applications:
        return []
    keyed = {str(app.id): app for app in applications}
    ranked = rank_texts(
        query=challenge_query(challenge),
        candidates=[(key, application_text(session, app)) for key, app in keyed.items()],
        top_k=len(keyed),
    )
    best = max((hit.score for hit in ranked), default=0.0) or 1.0
    for hit in ranked:
        app = keyed[hit.key]
        record = record_of(session, app)
        app.score = round(MATCH_WEIGHT * hit.score / best + RECORD_WEIGHT * record.score, 4)
        app.reasons = _reasons(hit.matched_terms, record, app)
    session.flush()
    return sorted(applications, key=lambda a: (-(a.score or 0.0), a.id))
