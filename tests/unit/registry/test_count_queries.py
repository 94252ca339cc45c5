"""Registry counts: per-entity totals with and without a viewer, and the home page's short-lived cache."""

from __future__ import annotations

from sqlalchemy.orm import Session

from techbridge.access import Viewer
from techbridge.models import Role
from techbridge.registry import count_queries
from tests.registry_seed import Seed, make_achievement

ANONYMOUS = Viewer()


class TestCountEntities:
    def test_counts_every_row_without_a_viewer(self, session: Session, seed: Seed) -> None:
        counts = count_queries.count_entities(session)
        assert counts["achievement"] == 3
        assert counts["enterprise"] == 2
        assert counts["region"] == 3

    def test_counts_only_visible_rows_for_a_viewer(self, session: Session, seed: Seed) -> None:
        counts = count_queries.count_entities(session, ANONYMOUS)
        assert (counts["achievement"], counts["enterprise"], counts["demand"]) == (1, 1, 1)


class TestCountEntitiesCached:
    def test_reuses_counts_within_the_ttl_and_refreshes_after(self, session: Session, seed: Seed) -> None:
        first = count_queries.count_entities_cached(session, ANONYMOUS)
        make_achievement(session, "新增的公开成果")
        assert count_queries.count_entities_cached(session, ANONYMOUS)["achievement"] == first["achievement"]
        assert count_queries.count_entities_cached(session, ANONYMOUS, ttl=0)["achievement"] == first["achievement"] + 1

    def test_viewers_do_not_share_counts(self, session: Session, seed: Seed) -> None:
        anonymous = count_queries.count_entities_cached(session, ANONYMOUS)
        officer = count_queries.count_entities_cached(session, Viewer(user_id=seed.officer_id, role=Role.OFFICER))
        assert (anonymous["achievement"], officer["achievement"]) == (1, 3)
