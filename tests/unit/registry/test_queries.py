"""Registry reads: visibility in every query, whitelisted filters and sorts, capped counts, detail reads."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from techbridge.access import Viewer
from techbridge.errors import NotFoundError
from techbridge.models import Achievement, AchievementOwner, Demand, Expert, OrgKind, Role, Visibility
from techbridge.registry import queries
from techbridge.registry.queries import ListParams
from tests.registry_seed import Seed, make_achievement, make_many_achievements, seed_registry

ANONYMOUS = Viewer()


@pytest.fixture
def seed(session: Session) -> Seed:
    return seed_registry(session)


def owner_of(seed: Seed) -> Viewer:
    return Viewer(user_id=seed.owner_id, role=Role.ENTERPRISE, organization_id=seed.enterprise_id)


def titles(page: queries.Page[Achievement]) -> list[str]:
    return [a.title for a in page.items]


class TestListEntities:
    def test_anonymous_sees_only_public_achievements(self, session: Session, seed: Seed) -> None:
        page = queries.list_entities(session, ANONYMOUS, "achievement", ListParams())
        assert [a.id for a in page.items] == [seed.public_achievement_id]
        assert page.total == 1

    def test_registered_user_also_sees_registered_rows(self, session: Session, seed: Seed) -> None:
        viewer = Viewer(user_id=seed.other_id, role=Role.BROKER)
        ids = {a.id for a in queries.list_entities(session, viewer, "achievement", ListParams()).items}
        assert ids == {seed.public_achievement_id, seed.registered_achievement_id}

    def test_owner_sees_their_owner_only_rows(self, session: Session, seed: Seed) -> None:
        ids = {a.id for a in queries.list_entities(session, owner_of(seed), "achievement", ListParams()).items}
        assert seed.private_achievement_id in ids

    def test_officer_sees_everything(self, session: Session, seed: Seed) -> None:
        viewer = Viewer(user_id=seed.officer_id, role=Role.OFFICER)
        assert queries.list_entities(session, viewer, "achievement", ListParams()).total == 3

    def test_keyword_matches_title_substrings(self, session: Session, seed: Seed) -> None:
        page = queries.list_entities(session, ANONYMOUS, "achievement", ListParams(q="减速器"))
        assert titles(page) == ["一种六轴工业机器人关节减速器"]
        assert queries.list_entities(session, ANONYMOUS, "achievement", ListParams(q="无此词")).total == 0

    def test_like_wildcards_in_keywords_are_literal(self, session: Session, seed: Seed) -> None:
        assert queries.list_entities(session, ANONYMOUS, "achievement", ListParams(q="%")).total == 0

    def test_filters_by_kind_and_year(self, session: Session, seed: Seed) -> None:
        make_achievement(session, "某种论文", kind="paper", year=2019)
        by_kind = queries.list_entities(session, ANONYMOUS, "achievement", ListParams(filters={"kind": "paper"}))
        by_year = queries.list_entities(session, ANONYMOUS, "achievement", ListParams(filters={"year": "2021"}))
        assert titles(by_kind) == ["某种论文"]
        assert titles(by_year) == ["一种六轴工业机器人关节减速器"]

    def test_invalid_filter_values_are_ignored(self, session: Session, seed: Seed) -> None:
        params = ListParams(filters={"kind": "nonsense", "year": "abc", "unknown": "1"})
        assert queries.list_entities(session, ANONYMOUS, "achievement", params).total == 1

    def test_region_prefix_selects_cities_of_a_province(self, session: Session, seed: Seed) -> None:
        make_achievement(session, "大连的成果", region_code="2102")
        province = queries.list_entities(session, ANONYMOUS, "achievement", ListParams(filters={"region": "21"}))
        city = queries.list_entities(session, ANONYMOUS, "achievement", ListParams(filters={"region": "2102"}))
        assert province.total == 2
        assert titles(city) == ["大连的成果"]

    def test_sorts_by_whitelisted_column_both_ways(self, session: Session, seed: Seed) -> None:
        make_many_achievements(session, 5)
        asc = queries.list_entities(session, ANONYMOUS, "achievement", ListParams(sort="year"))
        desc = queries.list_entities(session, ANONYMOUS, "achievement", ListParams(sort="-year"))
        years = [a.year for a in asc.items]
        assert years == sorted(years)
        assert [a.year for a in desc.items] == sorted(years, reverse=True)

    def test_unknown_sort_falls_back_to_the_default(self, session: Session, seed: Seed) -> None:
        make_many_achievements(session, 3)
        page = queries.list_entities(session, ANONYMOUS, "achievement", ListParams(sort="abstract; drop table"))
        ids = [a.id for a in page.items]
        assert ids == sorted(ids, reverse=True)
        assert queries.resolve_sort("achievement", "password") == "-id"

    def test_pages_split_rows_and_clamp_the_number(self, session: Session, seed: Seed) -> None:
        make_many_achievements(session, 25)
        first = queries.list_entities(session, ANONYMOUS, "achievement", ListParams(size=10, sort="id"))
        last = queries.list_entities(session, ANONYMOUS, "achievement", ListParams(size=10, page=99, sort="id"))
        assert (first.total, first.pages, len(first.items)) == (26, 3, 10)
        assert (last.number, len(last.items)) == (3, 6)
        assert not {a.id for a in first.items} & {a.id for a in last.items}

    def test_count_stops_at_the_cap(self, session: Session, seed: Seed, monkeypatch: pytest.MonkeyPatch) -> None:
        make_many_achievements(session, 12)
        monkeypatch.setattr(queries, "COUNT_CAP", 10)
        page = queries.list_entities(session, ANONYMOUS, "achievement", ListParams(size=5))
        assert (page.total, page.capped, page.pages) == (10, True, 2)

    def test_institutions_include_universities_and_institutes_only(self, session: Session, seed: Seed) -> None:
        page = queries.list_entities(session, ANONYMOUS, "institution", ListParams())
        assert [o.kind for o in page.items] == [OrgKind.UNIVERSITY]

    def test_owner_only_enterprise_is_hidden_from_others(self, session: Session, seed: Seed) -> None:
        anonymous = queries.list_entities(session, ANONYMOUS, "enterprise", ListParams())
        owner = queries.list_entities(session, owner_of(seed), "enterprise", ListParams())
        assert seed.hidden_enterprise_id not in {o.id for o in anonymous.items}
        assert seed.hidden_enterprise_id in {o.id for o in owner.items}

    def test_regions_filter_by_parent(self, session: Session, seed: Seed) -> None:
        page = queries.list_entities(session, ANONYMOUS, "region", ListParams(filters={"parent": "21"}))
        assert [r.name for r in page.items] == ["沈阳市", "大连市"]


class TestCountEntities:
    def test_counts_every_row_without_a_viewer(self, session: Session, seed: Seed) -> None:
        counts = queries.count_entities(session)
        assert counts["achievement"] == 3
        assert counts["enterprise"] == 2
        assert counts["region"] == 3

    def test_counts_only_visible_rows_for_a_viewer(self, session: Session, seed: Seed) -> None:
        counts = queries.count_entities(session, ANONYMOUS)
        assert (counts["achievement"], counts["enterprise"], counts["demand"]) == (1, 1, 1)


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


class TestDetails:
    def test_enterprise_detail_has_industries_chain_links_and_achievements(self, session: Session, seed: Seed) -> None:
        detail = queries.organization_detail(session, ANONYMOUS, seed.enterprise_id, [OrgKind.ENTERPRISE])
        assert detail.industries == [("3491", "工业机器人制造")]
        assert [(c.name, c.weight) for c in detail.chain_links] == [("工业机器人", 0.62)]
        assert [a.id for a in detail.achievements] == [seed.public_achievement_id]
        assert detail.achievement_total == 1

    def test_enterprise_owner_sees_its_private_achievement_too(self, session: Session, seed: Seed) -> None:
        detail = queries.organization_detail(session, owner_of(seed), seed.enterprise_id, [OrgKind.ENTERPRISE])
        assert detail.achievement_total == 2

    def test_achievement_detail_lists_visible_owners_and_ipc_titles(self, session: Session, seed: Seed) -> None:
        detail = queries.achievement_detail(session, ANONYMOUS, seed.public_achievement_id)
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
        names = {o.name for o in queries.owners_of(session, ANONYMOUS, seed.public_achievement_id)}
        assert "保密企业有限公司" not in names

    def test_institution_detail_lists_its_experts(self, session: Session, seed: Seed) -> None:
        detail = queries.organization_detail(session, ANONYMOUS, seed.university_id, queries.INSTITUTION_KINDS)
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
        detail = queries.expert_detail(session, viewer, expert.id)
        assert (detail.contact is not None) is visible
        if visible:
            assert detail.contact is not None
            assert detail.contact.email == "wang@dlut.edu.cn"

    def test_owner_of_the_expert_record_sees_contact(self, session: Session, seed: Seed) -> None:
        expert = session.get(Expert, seed.expert_id)
        assert expert is not None
        expert.contact_visibility = Visibility.OWNER
        expert.owner_id = seed.owner_id
        assert queries.contact_of(expert, owner_of(seed)) is not None


class TestCountEntitiesCached:
    def test_reuses_counts_within_the_ttl_and_refreshes_after(self, session: Session, seed: Seed) -> None:
        first = queries.count_entities_cached(session, ANONYMOUS)
        make_achievement(session, "新增的公开成果")
        assert queries.count_entities_cached(session, ANONYMOUS)["achievement"] == first["achievement"]
        assert queries.count_entities_cached(session, ANONYMOUS, ttl=0)["achievement"] == first["achievement"] + 1

    def test_viewers_do_not_share_counts(self, session: Session, seed: Seed) -> None:
        anonymous = queries.count_entities_cached(session, ANONYMOUS)
        officer = queries.count_entities_cached(session, Viewer(user_id=seed.officer_id, role=Role.OFFICER))
        assert (anonymous["achievement"], officer["achievement"]) == (1, 3)


class TestLatePlan:
    def test_a_capped_region_filter_returns_the_same_rows(
        self, session: Session, seed: Seed, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        for n in range(3):
            make_achievement(session, f"沈阳成果 {n}", region_code="2101")
        make_achievement(session, "大连成果", region_code="2102")
        params = ListParams(filters={"region": "2101"}, sort="title")
        exact = queries.list_entities(session, ANONYMOUS, "achievement", params)
        monkeypatch.setattr(queries, "COUNT_CAP", 2)
        late = queries.list_entities(session, ANONYMOUS, "achievement", params)
        assert late.capped
        assert titles(late) == titles(exact) == sorted(titles(exact))
        assert "大连成果" not in titles(late)


class TestKeywordCap:
    def test_keyword_counts_stop_at_the_lower_cap(
        self, session: Session, seed: Seed, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        make_many_achievements(session, 6)
        monkeypatch.setattr(queries, "KEYWORD_COUNT_CAP", 4)
        keyword = queries.list_entities(session, ANONYMOUS, "achievement", ListParams(q="批量"))
        plain = queries.list_entities(session, ANONYMOUS, "achievement", ListParams())
        assert (keyword.total, keyword.capped) == (4, True)
        assert (plain.total, plain.capped) == (7, False)
