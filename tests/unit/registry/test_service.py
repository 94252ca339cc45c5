"""Registry writes: owner and visibility on create, permission checks on update, outbox events."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from techbridge.access import SYSTEM, Viewer
from techbridge.config import Settings
from techbridge.db import session_scope
from techbridge.errors import InvalidDataError, NotFoundError, PermissionDeniedError
from techbridge.models import AchievementOwner, OutboxEvent, Role, Visibility
from techbridge.registry import queries, service
from techbridge.registry.schemas import AchievementCreate, AchievementUpdate, DemandCreate, DemandUpdate
from tests.registry_seed import Seed, make_user, seed_registry


@pytest.fixture
def seed(session: Session) -> Seed:
    return seed_registry(session)


def owner_of(seed: Seed) -> Viewer:
    return Viewer(user_id=seed.owner_id, role=Role.ENTERPRISE, organization_id=seed.enterprise_id)


class TestCreateDemand:
    def test_owner_visibility_and_enterprise_come_from_the_viewer(self, session: Session, seed: Seed) -> None:
        data = DemandCreate(title="焊缝缺陷在线检测", budget=Decimal(50), visibility=Visibility.REGISTERED)
        demand = service.create_demand(session=session, viewer=owner_of(seed), data=data)
        assert (demand.owner_id, demand.enterprise_id) == (seed.owner_id, seed.enterprise_id)
        assert demand.visibility == Visibility.REGISTERED
        assert demand.region_code == "2101"  # inherited from the enterprise

    def test_the_system_administrator_publishes_an_ownerless_record(self, session: Session, seed: Seed) -> None:
        demand = service.create_demand(session=session, viewer=SYSTEM, data=DemandCreate(title="平台代发的需求"))
        session.flush()  # the owner would violate the users foreign key if SYSTEM's id 0 were stored
        assert (demand.owner_id, demand.enterprise_id) == (None, None)

    def test_anonymous_may_not_create(self, session: Session, seed: Seed) -> None:
        with pytest.raises(PermissionDeniedError):
            service.create_demand(session=session, viewer=Viewer(), data=DemandCreate(title="某需求"))

    def test_unknown_region_names_the_field(self, session: Session, seed: Seed) -> None:
        with pytest.raises(InvalidDataError) as info:
            service.create_demand(
                session=session, viewer=owner_of(seed), data=DemandCreate(title="某需求", region_code="9999")
            )
        assert info.value.location == ("region_code",)

    def test_user_may_not_publish_for_another_enterprise(self, session: Session, seed: Seed) -> None:
        viewer = Viewer(user_id=seed.other_id, role=Role.BROKER)
        with pytest.raises(PermissionDeniedError):
            service.create_demand(
                session=session, viewer=viewer, data=DemandCreate(title="某需求", enterprise_id=seed.enterprise_id)
            )

    def test_officer_may_name_the_enterprise(self, session: Session, seed: Seed) -> None:
        viewer = Viewer(user_id=seed.officer_id, role=Role.OFFICER)
        data = DemandCreate(title="某需求", enterprise_id=seed.enterprise_id)
        assert service.create_demand(session=session, viewer=viewer, data=data).enterprise_id == seed.enterprise_id

    def test_enterprise_id_must_be_an_enterprise(self, session: Session, seed: Seed) -> None:
        viewer = Viewer(user_id=seed.officer_id, role=Role.OFFICER)
        with pytest.raises(InvalidDataError) as info:
            service.create_demand(
                session=session, viewer=viewer, data=DemandCreate(title="某需求", enterprise_id=seed.university_id)
            )
        assert info.value.location == ("enterprise_id",)


class TestSchemas:
    def test_form_strings_become_lists(self) -> None:
        data = AchievementCreate(title="某成果", keywords="机器人、减速器, 齿轮", transfer_modes="license,equity")
        assert data.keywords == ["机器人", "减速器", "齿轮"]
        assert [str(m) for m in data.transfer_modes] == ["license", "equity"]

    def test_trl_outside_one_to_nine_is_refused(self) -> None:
        with pytest.raises(ValidationError) as info:
            AchievementCreate(title="某成果", trl=10)
        assert info.value.errors()[0]["loc"] == ("trl",)


class TestCreateAchievement:
    def test_holder_is_the_users_organization(self, session: Session, seed: Seed) -> None:
        data = AchievementCreate(title="协作机器人力控技术", trl=5, transfer_modes=["license"])
        achievement = service.create_achievement(session=session, viewer=owner_of(seed), data=data)
        links = queries.owner_links(session, achievement.id)
        assert [link.organization_id for link in links] == [seed.enterprise_id]
        assert achievement.owner_id == seed.owner_id
        assert achievement.transfer_modes == ["license"]

    def test_user_without_organization_creates_an_unheld_record(self, session: Session, seed: Seed) -> None:
        viewer = Viewer(user_id=seed.other_id, role=Role.BROKER)
        achievement = service.create_achievement(session=session, viewer=viewer, data=AchievementCreate(title="某成果"))
        assert queries.owner_links(session, achievement.id) == []

    def test_writes_an_outbox_event_instead_of_indexing_in_the_request(self, session: Session, seed: Seed) -> None:
        achievement = service.create_achievement(
            session=session, viewer=owner_of(seed), data=AchievementCreate(title="某成果")
        )
        demand = service.create_demand(session=session, viewer=owner_of(seed), data=DemandCreate(title="某需求"))
        service.update_achievement(
            session=session, viewer=owner_of(seed), achievement_id=achievement.id, data=AchievementUpdate(trl=6)
        )
        events = session.execute(select(OutboxEvent.entity, OutboxEvent.record_id, OutboxEvent.op)).all()
        assert [tuple(e) for e in events] == [
            ("achievement", achievement.id, "create"),
            ("demand", demand.id, "create"),
            ("achievement", achievement.id, "update"),
        ]

    def test_the_event_rolls_back_with_the_record(self, settings: Settings) -> None:
        with session_scope(settings.database_url) as session:
            viewer = Viewer(user_id=make_user(session, "u1", Role.ENTERPRISE).id, role=Role.ENTERPRISE)

        def failing_request() -> None:
            with session_scope(settings.database_url) as session:
                service.create_achievement(session=session, viewer=viewer, data=AchievementCreate(title="某成果"))
                raise InvalidDataError("a later step of the same request fails")

        with pytest.raises(InvalidDataError):
            failing_request()
        with session_scope(settings.database_url) as session:
            assert session.scalars(select(OutboxEvent)).all() == []


class TestUpdate:
    def test_owner_updates_their_demand(self, session: Session, seed: Seed) -> None:
        data = DemandUpdate(status="closed", budget=None)
        demand = service.update_demand(
            session=session, viewer=owner_of(seed), demand_id=seed.private_demand_id, data=data
        )
        assert demand.status == "closed"

    def test_explicit_null_does_not_blank_a_required_field(self, session: Session, seed: Seed) -> None:
        data = DemandUpdate(title=None, description="新描述")
        demand = service.update_demand(
            session=session, viewer=owner_of(seed), demand_id=seed.private_demand_id, data=data
        )
        assert (demand.title, demand.description) == ("保密的工艺需求", "新描述")

    def test_others_may_not_update_a_public_record(self, session: Session, seed: Seed) -> None:
        viewer = Viewer(user_id=seed.other_id, role=Role.BROKER)
        with pytest.raises(PermissionDeniedError):
            service.update_achievement(
                session=session, viewer=viewer, achievement_id=seed.public_achievement_id, data=AchievementUpdate(trl=7)
            )

    def test_others_cannot_even_find_an_owner_only_record(self, session: Session, seed: Seed) -> None:
        viewer = Viewer(user_id=seed.other_id, role=Role.BROKER)
        with pytest.raises(NotFoundError):
            service.update_demand(session=session, viewer=viewer, demand_id=seed.private_demand_id, data=DemandUpdate())

    def test_officer_updates_any_achievement(self, session: Session, seed: Seed) -> None:
        viewer = Viewer(user_id=seed.officer_id, role=Role.OFFICER)
        data = AchievementUpdate(trl=8, transfer_modes=["equity"])
        owners_before = _owner_ids(session, seed.private_achievement_id)
        achievement = service.update_achievement(
            session=session, viewer=viewer, achievement_id=seed.private_achievement_id, data=data
        )
        assert (achievement.trl, achievement.transfer_modes) == (8, ["equity"])
        assert owners_before
        assert _owner_ids(session, seed.private_achievement_id) == owners_before


def _owner_ids(session: Session, achievement_id: int) -> list[int]:
    stmt = select(AchievementOwner.id).where(AchievementOwner.achievement_id == achievement_id)
    return sorted(session.scalars(stmt))
