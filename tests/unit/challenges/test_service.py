"""揭榜挂帅 end to end on a real database: publish, apply, rank with reasons, choose, milestones to acceptance."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from techbridge.access import SYSTEM, Viewer
from techbridge.accounts.service import create_user, viewer_for
from techbridge.challenges.queries import count_applications, list_milestones
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
from techbridge.errors import ConflictError, InvalidDataError, NotFoundError, PermissionDeniedError
from techbridge.models import (
    Achievement,
    AchievementKind,
    AchievementOwner,
    ApplicationStatus,
    ChallengeApplication,
    ChallengeStatus,
    Contract,
    Expert,
    MilestoneStatus,
    Organization,
    OrgKind,
    Role,
    User,
    Visibility,
)
from tests.registry_seed import make_user

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
        ranked = ranked_applications(session=session, viewer=SYSTEM, challenge_id=challenge_id)
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
        ranked = ranked_applications(session=session, viewer=SYSTEM, challenge_id=challenge_id)
        assert ranked[0].team_name == "乙团队"
        assert {"kind": "contracts", "count": 3} in ranked[0].reasons

    def test_only_other_real_challenges_count_as_won(self, session: Session, challenge_id: int) -> None:
        org = Organization(kind=OrgKind.UNIVERSITY, name="大连理工大学", normalized_name="大连理工大学")
        session.add(org)
        session.flush()
        demo = publish_challenge(session=session, viewer=SYSTEM, data=replace(CHALLENGE, is_demo=True))
        other = publish_challenge(session=session, viewer=SYSTEM, data=replace(CHALLENGE, title="另一榜"))
        later = publish_challenge(session=session, viewer=SYSTEM, data=replace(CHALLENGE, title="后续榜"))
        won = {}
        for target in (challenge_id, demo.id, other.id, later.id):
            won[target] = apply_to_challenge(
                session=session,
                viewer=SYSTEM,
                challenge_id=target,
                data=ApplicationCreate(team_name="大工团队", plan="高镍正极材料", applicant_org_id=org.id),
                today=date(2027, 1, 1),
            )
        for target in (challenge_id, demo.id):
            choose_application(
                session=session,
                viewer=SYSTEM,
                application_id=won[target].id,
                milestones=[("验收", None)],
                today=date(2027, 7, 1),
            )

        def won_count(target: int) -> int:
            (ranked,) = ranked_applications(session=session, viewer=SYSTEM, challenge_id=target)
            return next((int(r["count"]) for r in ranked.reasons if r["kind"] == "challenges_won"), 0)

        assert won_count(challenge_id) == 0  # its own award is not a track record for itself
        assert won_count(later.id) == 1  # the real award counts; the demonstration one does not


class TestCountApplications:
    def test_counts_every_status_of_its_own_challenge_only(self, session: Session, challenge_id: int) -> None:
        other = publish_challenge(session=session, viewer=SYSTEM, data=replace(CHALLENGE, title="另一榜")).id
        empty = publish_challenge(session=session, viewer=SYSTEM, data=replace(CHALLENGE, title="无人揭榜")).id
        made = [
            apply_to_challenge(
                session=session,
                viewer=SYSTEM,
                challenge_id=target,
                data=ApplicationCreate(team_name=name, plan="高镍正极材料"),
                today=date(2027, 1, 1),
            )
            for target, name in ((challenge_id, "甲团队"), (challenge_id, "乙团队"), (other, "丙团队"))
        ]
        choose_application(
            session=session,
            viewer=SYSTEM,
            application_id=made[0].id,
            milestones=[("验收", None)],
            today=date(2027, 7, 1),
        )
        statuses = set(session.scalars(select(ChallengeApplication.status).filter_by(challenge_id=challenge_id)))
        assert len(statuses) == 2  # one chosen, one declined: both still count
        assert [count_applications(session, c) for c in (challenge_id, other, empty)] == [2, 1, 0]


class TestRankingIsTheManagers:
    def test_an_applicant_cannot_rank_and_read_the_other_applications(
        self, session: Session, challenge_id: int
    ) -> None:
        users = [make_user(session, name, Role.INSTITUTION) for name in ("team_a", "team_b")]
        for user in users:
            apply_to_challenge(
                session=session,
                viewer=viewer_for(user),
                challenge_id=challenge_id,
                data=ApplicationCreate(team_name=user.username, plan="高镍正极材料烧结"),
                today=date(2027, 1, 1),
            )
        with pytest.raises(PermissionDeniedError):
            ranked_applications(session=session, viewer=viewer_for(users[0]), challenge_id=challenge_id)
        assert len(ranked_applications(session=session, viewer=SYSTEM, challenge_id=challenge_id)) == 2


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
            today=date(2027, 7, 1),
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

    @pytest.mark.parametrize("today", [date(2027, 1, 1), date(2027, 6, 30)])
    def test_no_team_is_chosen_while_applications_are_open(
        self, session: Session, challenge_id: int, today: date
    ) -> None:
        app = apply_to_challenge(
            session=session,
            viewer=SYSTEM,
            challenge_id=challenge_id,
            data=ApplicationCreate(team_name="早到团队"),
            today=date(2027, 1, 1),
        )
        with pytest.raises(ConflictError):
            choose_application(
                session=session, viewer=SYSTEM, application_id=app.id, milestones=[("M1", None)], today=today
            )
        assert app.status == ApplicationStatus.SUBMITTED
        # the deadline day itself still takes applications
        apply_to_challenge(
            session=session,
            viewer=SYSTEM,
            challenge_id=challenge_id,
            data=ApplicationCreate(team_name="末日团队"),
            today=date(2027, 6, 30),
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
        choose_application(
            session=session, viewer=SYSTEM, application_id=app.id, milestones=[("M1", None)], today=date(2027, 7, 1)
        )
        (milestone,) = list_milestones(session, challenge_id)
        with pytest.raises(ConflictError):
            decide_milestone(session=session, viewer=SYSTEM, milestone_id=milestone.id, accept=True)


class Team:
    """An institution user of an organization, an outsider, and records with known owners."""

    def __init__(self, session: Session) -> None:
        self.org = Organization(kind=OrgKind.UNIVERSITY, name="东北大学", normalized_name="东北大学")
        self.other_org = Organization(kind=OrgKind.UNIVERSITY, name="大连理工大学", normalized_name="大连理工大学")
        session.add_all([self.org, self.other_org])
        session.flush()
        self.user = make_user(session, "team", Role.INSTITUTION, organization_id=self.org.id)
        self.outsider = make_user(session, "outsider", Role.INSTITUTION, organization_id=self.other_org.id)
        self.publisher = make_user(session, "publisher", Role.ENTERPRISE)
        self.viewer = viewer_for(self.user)
        self.expert = Expert(name="李四", fields=["材料"], bio="")
        session.add(self.expert)
        session.flush()

    def achievement(
        self,
        session: Session,
        *,
        owner: User | None = None,
        visibility: Visibility = Visibility.PUBLIC,
        title: str = "",
    ) -> int:
        achievement = Achievement(
            kind=AchievementKind.PATENT,
            title=title or "高镍三元正极材料连续烧结方法",
            abstract="一种锂电池高镍正极材料的烧结工艺",
            keywords=[],
            owner_id=owner.id if owner else None,
            visibility=visibility,
        )
        session.add(achievement)
        session.flush()
        return achievement.id


@pytest.fixture
def team(session: Session) -> Team:
    return Team(session)


def apply_as(session: Session, viewer: Viewer, challenge_id: int, **kwargs: object) -> ChallengeApplication:
    data = ApplicationCreate(team_name="揭榜团队", plan="正极材料", **kwargs)  # type: ignore[arg-type]
    return apply_to_challenge(
        session=session, viewer=viewer, challenge_id=challenge_id, data=data, today=date(2027, 1, 1)
    )


class TestNoExistenceOracle:
    def test_a_stranger_is_answered_as_for_a_missing_application_or_milestone(
        self, session: Session, challenge_id: int
    ) -> None:
        stranger = viewer_for(make_user(session, "stranger", Role.ENTERPRISE))
        app = apply_to_challenge(
            session=session,
            viewer=SYSTEM,
            challenge_id=challenge_id,
            data=ApplicationCreate(team_name="T"),
            today=date(2027, 1, 1),
        )

        def refusal(application_id: int) -> str:
            with pytest.raises(NotFoundError) as caught:
                choose_application(
                    session=session, viewer=stranger, application_id=application_id, milestones=[("M1", None)]
                )
            return str(caught.value).replace(str(application_id), "N")

        assert refusal(app.id) == refusal(app.id + 999)
        choose_application(
            session=session, viewer=SYSTEM, application_id=app.id, milestones=[("M1", None)], today=date(2027, 7, 1)
        )
        (milestone,) = list_milestones(session, challenge_id)
        missing = milestone.id + 999
        with pytest.raises(NotFoundError) as submitted:
            submit_milestone(session=session, viewer=stranger, milestone_id=milestone.id)
        with pytest.raises(NotFoundError) as submitted_missing:
            submit_milestone(session=session, viewer=stranger, milestone_id=missing)
        with pytest.raises(NotFoundError) as decided:
            decide_milestone(session=session, viewer=stranger, milestone_id=milestone.id, accept=True)
        assert str(submitted.value).replace(str(milestone.id), "N") == str(submitted_missing.value).replace(
            str(missing), "N"
        )
        assert str(decided.value) == str(submitted.value)


class TestOneApplicationPerOrganization:
    def test_a_colleague_cannot_apply_again_for_the_same_organization(
        self, session: Session, team: Team, challenge_id: int
    ) -> None:
        colleague = make_user(session, "colleague", Role.INSTITUTION, organization_id=team.org.id)
        apply_to_challenge(
            session=session,
            viewer=team.viewer,
            challenge_id=challenge_id,
            data=ApplicationCreate(team_name="东大甲组"),
            today=date(2027, 1, 1),
        )
        with pytest.raises(ConflictError, match="one application an organization"):
            apply_to_challenge(
                session=session,
                viewer=viewer_for(colleague),
                challenge_id=challenge_id,
                data=ApplicationCreate(team_name="东大乙组"),
                today=date(2027, 1, 1),
            )
        other = apply_to_challenge(
            session=session,
            viewer=viewer_for(team.outsider),
            challenge_id=challenge_id,
            data=ApplicationCreate(team_name="大工团队"),
            today=date(2027, 1, 1),
        )
        assert other.applicant_org_id == team.other_org.id


class TestApplyChecksAttachments:
    def test_an_achievement_that_does_not_exist_is_named(self, session: Session, team: Team, challenge_id: int) -> None:
        with pytest.raises(InvalidDataError) as error:
            apply_as(session, team.viewer, challenge_id, achievement_ids=[987654])
        assert error.value.location == ("achievement_ids", 987654)
        assert "987654" in error.value.message_zh  # type: ignore[operator]

    def test_someone_elses_private_achievement_gets_the_same_answer(
        self, session: Session, team: Team, challenge_id: int
    ) -> None:
        private = team.achievement(session, owner=team.outsider, visibility=Visibility.OWNER)
        with pytest.raises(InvalidDataError) as error:
            apply_as(session, team.viewer, challenge_id, achievement_ids=[private])
        assert error.value.location == ("achievement_ids", private)
        assert "does not exist or is not visible" in error.value.message

    def test_someone_elses_public_achievement_is_not_the_teams(
        self, session: Session, team: Team, challenge_id: int
    ) -> None:
        public = team.achievement(session, owner=team.outsider)
        with pytest.raises(InvalidDataError) as error:
            apply_as(session, team.viewer, challenge_id, achievement_ids=[public])
        assert error.value.location == ("achievement_ids", public)
        assert "not owned by you" in error.value.message

    def test_the_teams_own_achievements_are_accepted(self, session: Session, team: Team, challenge_id: int) -> None:
        mine = team.achievement(session, owner=team.user, visibility=Visibility.OWNER)
        by_org = team.achievement(session, owner=team.outsider)
        by_expert = team.achievement(session, owner=team.outsider)
        session.add_all(
            [
                AchievementOwner(achievement_id=by_org, organization_id=team.org.id),
                AchievementOwner(achievement_id=by_expert, expert_id=team.expert.id),
            ]
        )
        session.flush()
        app = apply_as(
            session,
            team.viewer,
            challenge_id,
            achievement_ids=[mine, by_org, by_expert, mine],
            expert_ids=[team.expert.id],
        )
        assert app.achievement_ids == [mine, by_org, by_expert]
        assert app.applicant_org_id == team.org.id

    @pytest.mark.parametrize("visibility", [Visibility.OWNER, None])
    def test_a_hidden_or_missing_expert_is_named(
        self, session: Session, team: Team, challenge_id: int, visibility: Visibility | None
    ) -> None:
        expert_id = 987654
        if visibility is not None:
            hidden = Expert(name="王五", fields=[], bio="", owner_id=team.outsider.id, visibility=visibility)
            session.add(hidden)
            session.flush()
            expert_id = hidden.id
        with pytest.raises(InvalidDataError) as error:
            apply_as(session, team.viewer, challenge_id, expert_ids=[expert_id])
        assert error.value.location == ("expert_ids", expert_id)

    def test_applying_for_another_organization_is_refused(
        self, session: Session, team: Team, challenge_id: int
    ) -> None:
        with pytest.raises(InvalidDataError) as error:
            apply_as(session, team.viewer, challenge_id, applicant_org_id=team.other_org.id)
        assert error.value.location == ("applicant_org_id", team.other_org.id)

    def test_officers_name_only_existing_organizations(self, session: Session, challenge_id: int) -> None:
        with pytest.raises(InvalidDataError) as error:
            apply_as(session, SYSTEM, challenge_id, applicant_org_id=987654)
        assert error.value.location == ("applicant_org_id", 987654)


class TestRankingCountsValidAttachments:
    def test_an_achievement_made_private_later_stops_counting_for_the_publisher(
        self, session: Session, team: Team
    ) -> None:
        publisher = viewer_for(team.publisher)
        challenge_id = publish_challenge(session=session, viewer=publisher, data=CHALLENGE).id
        work = team.achievement(session, owner=team.user, visibility=Visibility.REGISTERED)
        apply_as(session, team.viewer, challenge_id, achievement_ids=[work])
        apply_as(session, SYSTEM, challenge_id)  # same plan, nothing attached

        def first(viewer: Viewer) -> list[dict[str, object]]:
            ranked = ranked_applications(session=session, viewer=viewer, challenge_id=challenge_id)
            assert ranked[0].score is not None
            return ranked[0].reasons if ranked[0].score > (ranked[1].score or 0) else []

        assert {"kind": "achievements", "count": 1} in first(publisher)
        achievement = session.get(Achievement, work)
        assert achievement is not None
        achievement.visibility = Visibility.OWNER
        session.flush()
        assert first(publisher) == []  # the two applications now offer the publisher the same text
        assert {"kind": "achievements", "count": 1} in first(SYSTEM)

    def test_attachments_stored_before_the_check_do_not_count(
        self, session: Session, team: Team, challenge_id: int
    ) -> None:
        private = team.achievement(session, owner=team.outsider, visibility=Visibility.OWNER)
        stored = ChallengeApplication(
            challenge_id=challenge_id,
            applicant_user_id=team.user.id,
            applicant_org_id=team.org.id,
            team_name="旧申请",
            plan="正极材料",
            achievement_ids=[private, 987654],
            expert_ids=[987654],
        )
        session.add(stored)
        session.flush()
        (ranked,) = ranked_applications(session=session, viewer=SYSTEM, challenge_id=challenge_id)
        assert [r["kind"] for r in ranked.reasons] == ["match"]
