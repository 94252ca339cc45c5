"""Registry detail reads: related rows filtered by visibility, industry and IPC titles, expert contact rule."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from techbridge.access import Viewer
from techbridge.models import AchievementOwner, Expert, OrgKind, Role, Visibility
from techbridge.registry import detail_queries
from techbridge.registry.queries import INSTITUTION_KINDS
from tests.registry_seed import Seed

ANONYMOUS = Viewer()


def owner_of(seed: Seed) -> Viewer:
    return Viewer(user_id=seed.owner_id, role=Role.ENTERPRISE, organization_id=seed.enterprise_id)


class TestDetails:
    def test_enterprise_detail_has_industries_chain_links_and_achievements(self, session: Session, seed: Seed) -> None:
        detail = detail_queries.organization_detail(session, ANONYMOUS, seed.enterprise_id, [OrgKind.ENTERPRISE])
        assert detail.industries == [("3491", "工业机器人制造")]
        assert [(c.name, c.weight) for c in detail.chain_links] == [("工业机器人", 0.62)]
        assert [a.id for a in detail.achievements] == [seed.public_achievement_id]
        assert detail.achievement_total == 1

    def test_enterprise_owner_sees_its_private_achievement_too(self, session: Session, seed: Seed) -> None:
        detail = detail_queries.organization_detail(session, owner_of(seed), seed.enterprise_id, [OrgKind.ENTERPRISE])
        assert detail.achievement_total == 2

    def test_achievement_detail_lists_visible_owners_and_ipc_titles(self, session: Session, seed: Seed) -> None:
        detail = detail_queries.achievement_detail(session, ANONYMOUS, seed.public_achievement_id)
        assert {(o.kind, o.name) for o in detail.owners} == {
            ("enterprise", "沈阳新松机器人自动化股份有限公司"),
            ("expert", "王教授"),
        }
        assert detail.ipc == [("B25J", "机械手")]

    def test_hidden_owner_is_left_out(self, session: Session, seed: Seed) -> None:
        session.add(
            AchievementOwner(achievement_id=seed.public_achievement_id, organization_id=seed.hidden_enterprise_id)
        )
        session.flush()
        names = {o.name for o in detail_queries.owners_of(session, ANONYMOUS, seed.public_achievement_id)}
        assert "保密企业有限公司" not in names

    def test_institution_detail_lists_its_experts(self, session: Session, seed: Seed) -> None:
        detail = detail_queries.organization_detail(session, ANONYMOUS, seed.university_id, INSTITUTION_KINDS)
        assert [e.name for e in detail.experts] == ["王教授"]


class TestContact:
    @pytest.mark.parametrize(
        ("contact_visibility", "viewer", "visible"),
        [
            (Visibility.PUBLIC, Viewer(), True),
            (Visibility.REGISTERED, Viewer(), False),
            (Visibility.REGISTERED, Viewer(user_id=99, role=Role.BROKER), True),
            (Visibility.OWNER, Viewer(user_id=99, role=Role.BROKER), False),
            (Visibility.OWNER, Viewer(user_id=98, role=Role.OFFICER), True),
        ],
    )
    def test_contact_follows_contact_visibility(
        self, session: Session, seed: Seed, contact_visibility: Visibility, viewer: Viewer, visible: bool
    ) -> None:
        expert = session.scalars(select(Expert)).one()
        expert.contact_visibility = contact_visibility
        detail = detail_queries.expert_detail(session, viewer, expert.id)
        assert (detail.contact is not None) is visible
        if visible:
            assert detail.contact is not None
            assert detail.contact.email == "wang@dlut.edu.cn"

    def test_owner_of_the_expert_record_sees_contact(self, session: Session, seed: Seed) -> None:
        expert = session.get(Expert, seed.expert_id)
        assert expert is not None
        expert.contact_visibility = Visibility.OWNER
        expert.owner_id = seed.owner_id
        assert detail_queries.contact_of(expert, owner_of(seed)) is not None
