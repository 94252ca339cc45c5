"""Visibility is enforced in queries: anonymous, registered, owner and officer see different rows."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from techbridge.access import Viewer, can_edit, can_read, visibility_clause
from techbridge.accounts.service import create_user
from techbridge.models import Demand, Role, Visibility


def _demands(session: Session) -> dict[str, Demand]:
    owner = create_user(session=session, username="owner", password="password1", role=Role.ENTERPRISE)
    rows = {v.value: Demand(title=f"need {v.value}", visibility=v, owner_id=owner.id) for v in Visibility}
    session.add_all(rows.values())
    session.flush()
    return rows


def _visible_titles(session: Session, viewer: Viewer) -> set[str]:
    stmt = select(Demand.title).where(visibility_clause(Demand, viewer))
    return set(session.scalars(stmt))


class TestVisibilityClause:
    def test_anonymous_sees_public_only(self, session: Session) -> None:
        _demands(session)
        assert _visible_titles(session, Viewer()) == {"need public"}

    def test_registered_user_sees_public_and_registered(self, session: Session) -> None:
        _demands(session)
        other = create_user(session=session, username="other", password="password1", role=Role.ENTERPRISE)
        viewer = Viewer(user_id=other.id, role=Role.ENTERPRISE)
        assert _visible_titles(session, viewer) == {"need public", "need registered"}

    def test_owner_sees_own_private_rows(self, session: Session) -> None:
        rows = _demands(session)
        viewer = Viewer(user_id=rows["owner"].owner_id, role=Role.ENTERPRISE)
        assert _visible_titles(session, viewer) == {"need public", "need registered", "need owner"}

    def test_officer_sees_everything(self, session: Session) -> None:
        _demands(session)
        assert len(_visible_titles(session, Viewer(user_id=99, role=Role.OFFICER))) == 3


class TestRecordChecks:
    def test_can_read_matches_the_query_rule(self, session: Session) -> None:
        rows = _demands(session)
        stranger = Viewer(user_id=12345, role=Role.BROKER)
        assert can_read(rows["registered"], stranger)
        assert not can_read(rows["owner"], stranger)
        assert not can_read(rows["registered"], Viewer())

    def test_only_owner_and_officers_edit(self, session: Session) -> None:
        rows = _demands(session)
        owner = Viewer(user_id=rows["public"].owner_id, role=Role.ENTERPRISE)
        assert can_edit(rows["public"], owner)
        assert not can_edit(rows["public"], Viewer(user_id=12345, role=Role.ENTERPRISE))
        assert can_edit(rows["public"], Viewer(user_id=1, role=Role.ADMIN))
