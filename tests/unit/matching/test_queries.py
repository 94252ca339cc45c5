"""Index rows are shared by every viewer: the text a record borrows from related records comes from public ones only."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from techbridge.matching import queries
from techbridge.models import (
    Achievement,
    AchievementKind,
    AchievementOwner,
    Expert,
    Organization,
    OrgKind,
    Visibility,
)


@pytest.fixture
def linked(session: Session) -> dict[str, int]:
    """A public enterprise and expert owning a public, a registered and an owner-only achievement, and the reverse."""
    firm = Organization(kind=OrgKind.ENTERPRISE, name="公开企业", normalized_name="公开企业")
    hidden_firm = Organization(
        kind=OrgKind.ENTERPRISE, name="保密企业", normalized_name="保密企业", visibility=Visibility.OWNER
    )
    expert = Expert(name="公开专家", fields=[])
    session.add_all([firm, hidden_firm, expert])
    session.flush()
    ids = {"firm": firm.id, "expert": expert.id}
    for visibility in Visibility:
        work = Achievement(kind=AchievementKind.PATENT, title=f"{visibility}成果", visibility=visibility)
        session.add(work)
        session.flush()
        ids[str(visibility)] = work.id
        session.add_all(
            [
                AchievementOwner(achievement_id=work.id, organization_id=firm.id),
                AchievementOwner(achievement_id=work.id, expert_id=expert.id),
                AchievementOwner(achievement_id=work.id, organization_id=hidden_firm.id),
            ]
        )
    session.flush()
    return ids


class TestSharedRows:
    def test_an_enterprise_borrows_only_public_patent_titles(self, session: Session, linked: dict[str, int]) -> None:
        (rows,) = queries.iter_enterprise_rows(session, [linked["firm"]])
        assert rows[0].patents == ["public成果"]

    def test_an_expert_borrows_only_public_achievement_titles(self, session: Session, linked: dict[str, int]) -> None:
        (rows,) = queries.iter_expert_rows(session, [linked["expert"]])
        assert rows[0].achievements == ["public成果"]

    def test_an_achievement_borrows_only_public_owner_names(self, session: Session, linked: dict[str, int]) -> None:
        (rows,) = queries.iter_achievement_rows(session, [linked["public"]])
        assert rows[0].owner_names == ["公开企业"]
