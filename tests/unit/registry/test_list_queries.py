"""Registry list reads: visibility in every list, whitelisted filters and sorts, pages, capped counts and plans."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from techbridge.access import Viewer
from techbridge.models import Achievement, OrgKind, Role
from techbridge.registry import list_queries
from techbridge.registry.count_queries import count_capped
from techbridge.registry.list_queries import ListParams
from tests.registry_seed import Seed, make_achievement, make_many_achievements

ANONYMOUS = Viewer()


def owner_of(seed: Seed) -> Viewer:
    return Viewer(user_id=seed.owner_id, role=Role.ENTERPRISE, organization_id=seed.enterprise_id)


def titles(page: list_queries.Page[Achievement]) -> list[str]:
    return [a.title for a in page.items]


class TestListEntities:
    def test_anonymous_sees_only_public_achievements(self, session: Session, seed: Seed) -> None:
        page = list_queries.list_entities(session, ANONYMOUS, "achievement", ListParams())
        assert [a.id for a in page.items] == [seed.public_achievement_id]
        assert page.total == 1

    def test_registered_user_also_sees_registered_rows(self, session: Session, seed: Seed) -> None:
        viewer = Viewer(user_id=seed.other_id, role=Role.BROKER)
        ids = {a.id for a in list_queries.list_entities(session, viewer, "achievement", ListParams()).items}
        assert ids == {seed.public_achievement_id, seed.registered_achievement_id}

    def test_owner_sees_their_owner_only_rows(self, session: Session, seed: Seed) -> None:
        ids = {a.id for a in list_queries.list_entities(session, owner_of(seed), "achievement", ListParams()).items}
        assert seed.private_achievement_id in ids

    def test_officer_sees_everything(self, session: Session, seed: Seed) -> None:
        viewer = Viewer(user_id=seed.officer_id, role=Role.OFFICER)
        assert list_queries.list_entities(session, viewer, "achievement", ListParams()).total == 3

    def test_keyword_matches_title_substrings(self, session: Session, seed: Seed) -> None:
        page = list_queries.list_entities(session, ANONYMOUS, "achievement", ListParams(q="减速器"))
        assert titles(page) == ["一种六轴工业机器人关节减速器"]
        assert list_queries.list_entities(session, ANONYMOUS, "achievement", ListParams(q="无此词")).total == 0

    def test_like_wildcards_in_keywords_are_literal(self, session: Session, seed: Seed) -> None:
        assert list_queries.list_entities(session, ANONYMOUS, "achievement", ListParams(q="%")).total == 0

    def test_filters_by_kind_and_year(self, session: Session, seed: Seed) -> None:
        make_achievement(session, "某种论文", kind="paper", year=2019)
        by_kind = list_queries.list_entities(session, ANONYMOUS, "achievement", ListParams(filters={"kind": "paper"}))
        by_year = list_queries.list_entities(session, ANONYMOUS, "achievement", ListParams(filters={"year": "2021"}))
        assert titles(by_kind) == ["某种论文"]
        assert titles(by_year) == ["一种六轴工业机器人关节减速器"]

    def test_invalid_filter_values_are_ignored(self, session: Session, seed: Seed) -> None:
        params = ListParams(filters={"kind": "nonsense", "year": "abc", "unknown": "1"})
        assert list_queries.list_entities(session, ANONYMOUS, "achievement", params).total == 1

    def test_region_prefix_selects_cities_of_a_province(self, session: Session, seed: Seed) -> None:
        make_achievement(session, "大连的成果", region_code="2102")
        province = list_queries.list_entities(session, ANONYMOUS, "achievement", ListParams(filters={"region": "21"}))
        city = list_queries.list_entities(session, ANONYMOUS, "achievement", ListParams(filters={"region": "2102"}))
        assert province.total == 2
        assert titles(city) == ["大连的成果"]

    def test_sorts_by_whitelisted_column_both_ways(self, session: Session, seed: Seed) -> None:
        make_many_achievements(session, 5)
        asc = list_queries.list_entities(session, ANONYMOUS, "achievement", ListParams(sort="year"))
        desc = list_queries.list_entities(session, ANONYMOUS, "achievement", ListParams(sort="-year"))
        years = [a.year for a in asc.items]
        assert years == sorted(years)
        assert [a.year for a in desc.items] == sorted(years, reverse=True)

    def test_unknown_sort_falls_back_to_the_default(self, session: Session, seed: Seed) -> None:
        make_many_achievements(session, 3)
        page = list_queries.list_entities(session, ANONYMOUS, "achievement", ListParams(sort="abstract; drop table"))
        ids = [a.id for a in page.items]
        assert ids == sorted(ids, reverse=True)
        assert list_queries.resolve_sort("achievement", "password") == "-id"

    def test_pages_split_rows_and_clamp_the_number(self, session: Session, seed: Seed) -> None:
        make_many_achievements(session, 25)
        first = list_queries.list_entities(session, ANONYMOUS, "achievement", ListParams(size=10, sort="id"))
        last = list_queries.list_entities(session, ANONYMOUS, "achievement", ListParams(size=10, page=99, sort="id"))
        assert (first.total, first.pages, len(first.items)) == (26, 3, 10)
        assert (last.number, len(last.items)) == (3, 6)
        assert not {a.id for a in first.items} & {a.id for a in last.items}

    def test_count_stops_at_the_cap(self, session: Session, seed: Seed, monkeypatch: pytest.MonkeyPatch) -> None:
        make_many_achievements(session, 12)
        monkeypatch.setattr(list_queries, "COUNT_CAP", 10)
        page = list_queries.list_entities(session, ANONYMOUS, "achievement", ListParams(size=5))
        assert (page.total, page.capped, page.pages) == (10, True, 2)

    def test_a_list_past_its_cap_is_not_counted_again_for_a_while(
        self, session: Session, seed: Seed, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        make_many_achievements(session, 12)
        monkeypatch.setattr(list_queries, "COUNT_CAP", 10)
        counted: list[int | None] = []

        def counting(session: Session, model: Any, clauses: list[Any], cap: int | None) -> tuple[int, bool]:
            counted.append(cap)
            return count_capped(session, model, clauses, cap)

        monkeypatch.setattr(list_queries, "count_capped", counting)
        params = ListParams(size=5)
        pages = [list_queries.list_entities(session, ANONYMOUS, "achievement", params) for _ in range(3)]
        assert [(p.total, p.capped, p.pages) for p in pages] == [(10, True, 2)] * 3
        assert len(counted) == 1
        owner = list_queries.list_entities(session, owner_of(seed), "achievement", params)
        short = list_queries.list_entities(session, ANONYMOUS, "achievement", ListParams(q="不存在的成果"))
        again = list_queries.list_entities(session, ANONYMOUS, "achievement", ListParams(q="不存在的成果"))
        assert owner.capped  # another viewer is counted on their own
        assert (short.total, again.total) == (0, 0)
        assert len(counted) == 4  # a list under its cap is counted every time
        monkeypatch.setattr(list_queries, "CAPPED_TTL_SECONDS", 0.0)
        list_queries.list_entities(session, ANONYMOUS, "achievement", params)
        assert len(counted) == 5

    def test_institutions_include_universities_and_institutes_only(self, session: Session, seed: Seed) -> None:
        page = list_queries.list_entities(session, ANONYMOUS, "institution", ListParams())
        assert [o.kind for o in page.items] == [OrgKind.UNIVERSITY]

    def test_owner_only_enterprise_is_hidden_from_others(self, session: Session, seed: Seed) -> None:
        anonymous = list_queries.list_entities(session, ANONYMOUS, "enterprise", ListParams())
        owner = list_queries.list_entities(session, owner_of(seed), "enterprise", ListParams())
        assert seed.hidden_enterprise_id not in {o.id for o in anonymous.items}
        assert seed.hidden_enterprise_id in {o.id for o in owner.items}

    def test_regions_filter_by_parent(self, session: Session, seed: Seed) -> None:
        page = list_queries.list_entities(session, ANONYMOUS, "region", ListParams(filters={"parent": "21"}))
        assert [r.name for r in page.items] == ["沈阳市", "大连市"]


class TestLatePlan:
    def test_a_capped_region_filter_returns_the_same_rows(
        self, session: Session, seed: Seed, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        for n in range(3):
            make_achievement(session, f"沈阳成果 {n}", region_code="2101")
        make_achievement(session, "大连成果", region_code="2102")
        params = ListParams(filters={"region": "2101"}, sort="title")
        exact = list_queries.list_entities(session, ANONYMOUS, "achievement", params)
        monkeypatch.setattr(list_queries, "COUNT_CAP", 2)
        late = list_queries.list_entities(session, ANONYMOUS, "achievement", params)
        assert late.capped
        assert titles(late) == titles(exact) == sorted(titles(exact))
        assert "大连成果" not in titles(late)


class TestKeywordCap:
    def test_keyword_counts_stop_at_the_lower_cap(
        self, session: Session, seed: Seed, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        make_many_achievements(session, 6)
        monkeypatch.setattr(list_queries, "KEYWORD_COUNT_CAP", 4)
        keyword = list_queries.list_entities(session, ANONYMOUS, "achievement", ListParams(q="批量"))
        plain = list_queries.list_entities(session, ANONYMOUS, "achievement", ListParams())
        assert (keyword.total, keyword.capped) == (4, True)
        assert (plain.total, plain.capped) == (7, False)
