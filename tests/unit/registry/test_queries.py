"""Core registry reads: a record the viewer may not read is not found, and organizations are checked by kind."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from techbridge.access import Viewer
from techbridge.errors import NotFoundError
from techbridge.models import Demand, OrgKind, Role
from techbridge.registry import queries
from tests.registry_seed import Seed

ANONYMOUS = Viewer()


def owner_of(seed: Seed) -> Viewer:
    return Viewer(user_id=seed.owner_id, role=Role.ENTERPRISE, organization_id=seed.enterprise_id)


class TestGetVisible:
    def test_owner_only_record_is_not_found_for_others(self, session: Session, seed: Seed) -> None:
        with pytest.raises(NotFoundError):
            queries.get_visible(session, ANONYMOUS, Demand, seed.private_demand_id)
        with pytest.raises(NotFoundError):
            queries.get_visible(
                session, Viewer(user_id=seed.other_id, role=Role.BROKER), Demand, seed.private_demand_id
            )

    def test_owner_reads_their_record(self, session: Session, seed: Seed) -> None:
        assert queries.get_visible(session, owner_of(seed), Demand, seed.private_demand_id).id == seed.private_demand_id

    def test_wrong_kind_is_not_found(self, session: Session, seed: Seed) -> None:
        with pytest.raises(NotFoundError):
            queries.get_organization(session, ANONYMOUS, seed.university_id, [OrgKind.ENTERPRISE])
