"""Pilot-base capacities and candidates: only TRL 4–7 achievements get candidates, best field overlap first."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from techbridge.access import ANONYMOUS, SYSTEM, Viewer
from techbridge.errors import InvalidDataError, NotFoundError, PermissionDeniedError
from techbridge.models import Achievement, AchievementKind, CarrierType, Organization, OrgKind, Role, Visibility
from techbridge.transfers.service import pilot_candidates, propose_pilot_bases, publish_capacity


def base(session: Session, name: str) -> int:
    org = Organization(kind=OrgKind.CARRIER, carrier_type=CarrierType.PILOT_BASE, name=name, normalized_name=name)
    session.add(org)
    session.flush()
    return org.id


def achievement(session: Session, trl: int | None) -> int:
    item = Achievement(kind=AchievementKind.TECHNOLOGY, title="t", trl=trl, field_tags=["新材料"], keywords=["涂层"])
    session.add(item)
    session.flush()
    return item.id


class TestPilotCandidates:
    def test_field_overlap_ranks_first(self, session: Session) -> None:
        general = base(session, "综合中试基地")
        materials = base(session, "材料中试基地")
        publish_capacity(session=session, viewer=SYSTEM, organization_id=general, fields=["电子信息"])
        publish_capacity(
            session=session,
            viewer=SYSTEM,
            organization_id=materials,
            fields=["新材料", "涂层"],
            equipment="等离子喷涂线",
            price="面议",
        )
        found = pilot_candidates(session=session, viewer=ANONYMOUS, achievement_id=achievement(session, 5))
        assert [c.organization.name for c in found] == ["材料中试基地", "综合中试基地"]
        assert found[0].shared_fields == ("新材料", "涂层")

    @pytest.mark.parametrize("trl", [None, 3, 8])
    def test_outside_trl_4_to_7_there_are_none(self, session: Session, trl: int | None) -> None:
        org = base(session, "材料中试基地")
        publish_capacity(session=session, viewer=SYSTEM, organization_id=org, fields=["新材料"], trl_min=1, trl_max=9)
        assert pilot_candidates(session=session, viewer=ANONYMOUS, achievement_id=achievement(session, trl)) == []

    def test_capacity_range_must_cover_the_trl(self, session: Session) -> None:
        org = base(session, "材料中试基地")
        publish_capacity(session=session, viewer=SYSTEM, organization_id=org, fields=["新材料"], trl_min=6, trl_max=7)
        assert pilot_candidates(session=session, viewer=ANONYMOUS, achievement_id=achievement(session, 4)) == []

    def test_only_what_the_viewer_may_read(self, session: Session) -> None:
        hidden = base(session, "保密中试基地")
        org = session.get(Organization, hidden)
        assert org is not None
        org.visibility = Visibility.REGISTERED
        publish_capacity(session=session, viewer=SYSTEM, organization_id=hidden, fields=["新材料"])
        work = achievement(session, 5)
        assert pilot_candidates(session=session, viewer=ANONYMOUS, achievement_id=work) == []
        signed_in = Viewer(user_id=1, role=Role.BROKER)
        found = pilot_candidates(session=session, viewer=signed_in, achievement_id=work)
        assert [c.organization.id for c in found] == [hidden]
        item = session.get(Achievement, work)
        assert item is not None
        item.visibility = Visibility.OWNER
        with pytest.raises(NotFoundError):
            pilot_candidates(session=session, viewer=signed_in, achievement_id=work)


class TestProposePilotBases:
    def test_no_pilot_base_at_all_is_said_plainly(self, session: Session) -> None:
        proposal = propose_pilot_bases(session=session, viewer=ANONYMOUS, achievement_id=achievement(session, 5))
        assert (proposal.trl, proposal.candidates, proposal.gap) == (5, [], "no_pilot_bases")

    @pytest.mark.parametrize(("trl", "gap"), [(None, "trl_unknown"), (8, "trl_outside"), (4, "none_covers")])
    def test_each_other_cause_has_its_reason(self, session: Session, trl: int | None, gap: str) -> None:
        org = base(session, "材料中试基地")
        publish_capacity(session=session, viewer=SYSTEM, organization_id=org, fields=["新材料"], trl_min=6, trl_max=7)
        assert (
            propose_pilot_bases(session=session, viewer=ANONYMOUS, achievement_id=achievement(session, trl)).gap == gap
        )

    def test_a_base_the_viewer_cannot_see_does_not_count(self, session: Session) -> None:
        hidden = base(session, "保密中试基地")
        publish_capacity(session=session, viewer=SYSTEM, organization_id=hidden, fields=["新材料"])
        org = session.get(Organization, hidden)
        assert org is not None
        org.visibility = Visibility.REGISTERED
        proposal = propose_pilot_bases(session=session, viewer=ANONYMOUS, achievement_id=achievement(session, 5))
        assert proposal.gap == "no_pilot_bases"

    def test_candidates_leave_no_gap(self, session: Session) -> None:
        org = base(session, "材料中试基地")
        publish_capacity(session=session, viewer=SYSTEM, organization_id=org, fields=["新材料"])
        proposal = propose_pilot_bases(session=session, viewer=ANONYMOUS, achievement_id=achievement(session, 5))
        assert ([c.organization.id for c in proposal.candidates], proposal.gap) == ([org], "")


class TestPublishCapacity:
    def test_bad_trl_range_is_refused(self, session: Session) -> None:
        org = base(session, "B")
        with pytest.raises(InvalidDataError):
            publish_capacity(session=session, viewer=SYSTEM, organization_id=org, fields=[], trl_min=7, trl_max=4)

    def test_other_users_may_not_publish_for_a_base(self, session: Session) -> None:
        org = base(session, "B")
        with pytest.raises(PermissionDeniedError):
            publish_capacity(
                session=session, viewer=Viewer(user_id=5, role=Role.ENTERPRISE), organization_id=org, fields=[]
            )
