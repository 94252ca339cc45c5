"""揭榜挂帅 end to end on a real database: publish, apply, rank with reasons, choose, milestones to acceptance."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from techbridge.access import SYSTEM
from techbridge.accounts.service import create_user, viewer_for
from techbridge.challenges.queries import list_milestones
from techbridge.challenges.service import (
    ApplicationCreate,
    ChallengeCreate,
    apply_to_challenge,
    choose_application,
    decide_milestone,
    publish_challenge,
    ranked_applications,
    submit_milestone,
)
from techbridge.errors import ConflictError, PermissionDeniedError
from techbridge.models import (
    Achievement,
    AchievementKind,
    ApplicationStatus,
    ChallengeStatus,
    Contract,
    MilestoneStatus,
    Organization,
    OrgKind,
    Role,
)

CHALLENGE = ChallengeCreate(
    title="高镍三元正极材料烧结工艺攻关",
    goal="突破高镍三元正极材料连续烧结工艺，提升锂电池循环寿命",
    indicators=["循环寿命 ≥ 2000 次", "比容量 ≥ 200 mAh/g"],
    budget=Decimal("800"),
    deadline=date(2027, 6, 30),
    field="新材料",
    chain_link="锂电池正极材料",
)


@pytest.fixture
def challenge_id(session: Session) -> int:
    return publish_challenge(session=session, viewer=SYSTEM, data=CHALLENGE).id


def add_achievement(session: Session, title: str, abstract: str) -> int:
    achievement = Achievement(kind=AchievementKind.PATENT, title=title, abstract=abstract, keywords=[])
    session.add(achievement)
    session.flush()
    return achievement.id


class TestRanking:
    def test_the_matching_team_ranks_first_with_reasons(self, session: Session, challenge_id: int) -> None:
        good = add_achievement(session, "高镍三元正极材料连续烧结方法", "一种锂电池高镍正极材料的烧结工艺")
        weak = add_achievement(session, "玉米抗旱品种选育", "一种玉米新品种")
        apply_to_challenge(
            session=session,
            viewer=SYSTEM,
            challenge_id=challenge_id,
            data=ApplicationCreate(team_name="农业团队", plan="育种", achievement_ids=[weak]),
        )
        apply_to_challenge(
            session=session,
            viewer=SYSTEM,
            challenge_id=challenge_id,
            data=ApplicationCreate(team_name="材料团队", plan="正极材料烧结", achievement_ids=[good]),
        )
        ranked = ranked_applications(session=session, challenge_id=challenge_id)
        assert [a.team_name for a in ranked] == ["材料团队", "农业团队"]
        assert ranked[0].score is not None
        assert ranked[1].score is not None
        assert ranked[0].score > ranked[1].score
        assert any(r["kind"] == "match" for r in ranked[0].reasons)

    def test_track_record_lifts_an_equal_match(self, session: Session, challenge_id: int) -> None:
        org = Organization(kind=OrgKind.UNIVERSITY, name="东北大学", normalized_name="东北大学")
        session.add(org)
        session.flush()
        for n in range(3):
            session.add(
                Contract(
                    contract_no=f"R{n}",
                    type="transfer",
                    seller_id=org.id,
                    seller_region_code="210102",
                    seller_kind="university",
                    buyer_region_code="210103",
                    contract_value=Decimal(10),
                    registered_on=date(2025, 1, 1),
                )
            )
        for name, org_id in (("甲团队", None), ("乙团队", org.id)):
            apply_to_challenge(
                session=session,
                viewer=SYSTEM,
                challenge_id=challenge_id,
                data=ApplicationCreate(team_name=name, plan="高镍正极材料", applicant_org_id=org_id),
            )
        ranked = ranked_applications(session=session, challenge_id=challenge_id)
        assert ranked[0].team_name == "乙团队"
        assert {"kind": "contracts", "count": 3} in ranked[0].reasons


class TestLifecycle:
    def test_from_publication_to_acceptance(self, session: Session, challenge_id: int) -> None:
        team_user = create_user(session=session, username="neu", password="password1", role=Role.INSTITUTION)
        team = viewer_for(team_user)
        app = apply_to_challenge(
            session=session,
            viewer=team,
            challenge_id=challenge_id,
            data=ApplicationCreate(team_name="东大团队"),
            today=date(2027, 1, 1),
        )
        choose_application(
            session=session,
            viewer=SYSTEM,
            application_id=app.id,
            milestones=[("中试样品", date(2027, 9, 1)), ("验收", None)],
        )
        assert app.status == ApplicationStatus.CHOSEN
        milestones = list_milestones(session, challenge_id)
        for milestone in milestones:
            submit_milestone(session=session, viewer=team, milestone_id=milestone.id)
            decide_milestone(session=session, viewer=SYSTEM, milestone_id=milestone.id, accept=True)
        assert {m.status for m in milestones} == {MilestoneStatus.ACCEPTED}
        assert app.status == ApplicationStatus.CHOSEN
        from techbridge.models import Challenge

        assert session.get(Challenge, challenge_id).status == ChallengeStatus.ACCEPTED  # type: ignore[union-attr]

    def test_applying_after_the_deadline_is_a_conflict(self, session: Session, challenge_id: int) -> None:
        with pytest.raises(ConflictError):
            apply_to_challenge(
                session=session,
                viewer=SYSTEM,
                challenge_id=challenge_id,
                data=ApplicationCreate(team_name="迟到团队"),
                today=date(2027, 7, 1),
            )

    def test_brokers_cannot_publish(self, session: Session) -> None:
        broker = create_user(session=session, username="b1", password="password1", role=Role.BROKER)
        with pytest.raises(PermissionDeniedError):
            publish_challenge(session=session, viewer=viewer_for(broker), data=CHALLENGE)

    def test_a_milestone_must_be_submitted_before_acceptance(self, session: Session, challenge_id: int) -> None:
        app = apply_to_challenge(
            session=session,
            viewer=SYSTEM,
            challenge_id=challenge_id,
            data=ApplicationCreate(team_name="T"),
            today=date(2027, 1, 1),
        )
        choose_application(session=session, viewer=SYSTEM, application_id=app.id, milestones=[("M1", None)])
        (milestone,) = list_milestones(session, challenge_id)
        with pytest.raises(ConflictError):
            decide_milestone(session=session, viewer=SYSTEM, milestone_id=milestone.id, accept=True)
