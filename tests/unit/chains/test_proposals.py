"""Attraction candidates, the consortium draft and the composed report on the hand-made graph."""

from __future__ import annotations

import pytest

from techbridge.chains.analytics import coverage, extract_chain, weak_links
from techbridge.chains.build import assemble_graph
from techbridge.chains.proposals import _outside, attraction, compose_report, consortium
from techbridge.chains.schemas import Chain, ChainGraph
from techbridge.errors import InvalidDataError
from tests.unit.chains.conftest import make_rows


@pytest.fixture
def chain(graph: ChainGraph) -> Chain:
    return extract_chain(graph, chain_id="pta", title="PTA", root_ids=[3], hops=2)


class TestAttraction:
    def test_out_of_region_producers_of_gaps_and_single_links(self, graph: ChainGraph, chain: Chain) -> None:
        weak = weak_links(coverage(graph, chain, "21"))
        found = attraction(graph, "21", weak)
        assert [(c.name, c.province_code) for c in found] == [("荣盛石化", "33")]
        assert found[0].score == pytest.approx(0.6 * (0.7 * 3 / 6 + 0.3), abs=1e-6)
        assert found[0].fills == ("精对苯二甲酸",)
        assert "one regional producer" in found[0].reasons[0]

    def test_an_enterprise_of_unknown_location_is_no_candidate(self, chain: Chain) -> None:
        rows = make_rows()
        rows.orgs = [*rows.orgs, (109, "无址石化", "enterprise", None, None)]
        rows.links = [*rows.links, (109, 3, "主营产品", 0.9, "")]  # on 精对苯二甲酸, Liaoning's single-producer link
        graph = assemble_graph(rows)
        found = attraction(graph, "21", weak_links(coverage(graph, chain, "21")))
        assert [c.name for c in found] == ["荣盛石化"]

    def test_innovation_gaps_are_not_attraction_targets(self, graph: ChainGraph, chain: Chain) -> None:
        weak = weak_links(coverage(graph, chain, "21"))
        assert all(c.name != "恒逸石化" for c in attraction(graph, "21", weak))

    def test_from_another_region_the_home_firms_are_candidates(self, graph: ChainGraph, chain: Chain) -> None:
        weak = weak_links(coverage(graph, chain, "33"))
        names = [c.name for c in attraction(graph, "33", weak)]
        assert "恒力石化" in names
        assert "大连化物所" not in names


class TestConsortium:
    def test_members_and_reasons(self, graph: ChainGraph, chain: Chain) -> None:
        weak = weak_links(coverage(graph, chain, "21"))
        draft = consortium(graph, chain, "21", 100, weak)
        # 原油, 水洗面料, 聚酯纤维 are produced by no one in the data: not targets.
        assert draft.targets == ("精对苯二甲酸", "涤纶长丝", "对二甲苯")
        got = [(m.role, m.name, m.score) for m in draft.members]
        assert got == [
            ("leader", "恒力石化", 1.0),
            ("institution", "大连化物所", 2.0),
            ("institution", "大连理工大学", 1.0),
            ("expert", "张三", 2.0),
            ("partner", "荣盛石化", 1.0),
            ("upstream", "辽阳石化", 0.4),
            ("upstream", "锦州石化", 0.2),
        ]
        institute = draft.members[1]
        assert "«一种精对苯二甲酸氧化反应催化剂» matches 精对苯二甲酸" in institute.reasons[0]
        assert any("next to 对二甲苯" in r for r in institute.reasons)
        assert draft.members[4].reasons == (
            "achievement «对二甲苯吸附分离» matches 对二甲苯 (shared terms 1.00, outside the region)",
        )
        assert draft.members[5].reasons == ("produces 对二甲苯, which feeds 精对苯二甲酸",)

    def test_enough_regional_research_skips_the_wider_search(
        self, graph: ChainGraph, chain: Chain, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr("techbridge.chains.proposals.MEMBERS_PER_ROLE", 2)
        draft = consortium(graph, chain, "21", 100, weak_links(coverage(graph, chain, "21")))
        assert "partner" not in {m.role for m in draft.members}
        assert [m.name for m in draft.members if m.role == "institution"] == ["大连化物所", "大连理工大学"]

    @pytest.mark.parametrize(("leader", "region"), [(101, "21"), (100, "33"), (102, "21")])
    def test_the_leader_is_an_enterprise_of_the_region(
        self, graph: ChainGraph, chain: Chain, leader: int, region: str
    ) -> None:
        # 荣盛石化 (33) cannot lead Liaoning's consortium, nor 恒力石化 (2102) Zhejiang's; 大连化物所 is an institute.
        with pytest.raises(InvalidDataError, match="not an enterprise of region"):
            consortium(graph, chain, region, leader, weak_links(coverage(graph, chain, region)))

    def test_institutions_are_searched_beyond_a_region_whose_research_is_only_firms(
        self, chain: Chain, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        rows = make_rows()
        rows.orgs = [*rows.orgs, (108, "浙江大学", "university", "33", "3301")]
        rows.works = [
            (600, "对二甲苯吸附分离", "对二甲苯吸附分离", None),
            (601, "精对苯二甲酸氧化催化剂", "精对苯二甲酸氧化催化剂", None),
        ]
        rows.owners = [(600, 105, None), (601, 108, None)]  # 沈阳化工 (21, enterprise); 浙江大学 (33)
        graph = assemble_graph(rows)
        monkeypatch.setattr("techbridge.chains.proposals.MEMBERS_PER_ROLE", 1)
        draft = consortium(graph, chain, "21", 100, weak_links(coverage(graph, chain, "21")))
        roles = {(m.role, m.name) for m in draft.members}
        assert ("partner", "沈阳化工") in roles
        assert ("institution", "浙江大学") in roles
        (institution,) = (m for m in draft.members if m.role == "institution")
        assert institution.reasons[0].endswith("outside the region)")
        assert draft.missing_roles == ("expert",)  # no expert anywhere: the draft says so

    def test_a_draft_without_research_says_so(self, chain: Chain) -> None:
        rows = make_rows()
        rows.works = [(600, "对二甲苯吸附分离", "对二甲苯吸附分离", None)]
        rows.owners = [(600, 105, None)]  # 沈阳化工, an enterprise: no institution or expert holds anything
        graph = assemble_graph(rows)
        draft = consortium(graph, chain, "21", 100, weak_links(coverage(graph, chain, "21")))
        assert draft.missing_roles == ("institution", "expert")

    def test_leader_off_the_chain_is_an_error(self, graph: ChainGraph, chain: Chain) -> None:
        with pytest.raises(InvalidDataError, match="no node of chain"):
            consortium(graph, chain, "21", 105, ())

    def test_downstream_firms(self, graph: ChainGraph) -> None:
        chain = extract_chain(graph, chain_id="x", title="x", root_ids=[2], hops=2)
        draft = consortium(graph, chain, "21", 106, ())
        downstream = [m for m in draft.members if m.role == "downstream"]
        assert [(m.name, m.reasons) for m in downstream] == [
            ("恒力石化", ("produces 精对苯二甲酸, which takes 对二甲苯",))
        ]
        assert [m.name for m in draft.members if m.role == "leader"] == ["辽阳石化"]


class TestComposeReport:
    def test_report_holds_every_part(self, graph: ChainGraph, chain: Chain) -> None:
        report = compose_report(graph, chain, "21")
        assert report.summary == {"covered": 0, "single": 2, "gap": 4, "innovation_gap": 1, "nodes": 7}
        assert report.leaders[0].name == "恒力石化"
        assert report.consortium is not None
        assert report.consortium.leader_name == "恒力石化"
        assert [c.name for c in report.candidates] == ["荣盛石化"]
        assert report.relevance_method == "shared terms"

    def test_given_leader_and_no_leader(self, graph: ChainGraph, chain: Chain) -> None:
        assert compose_report(graph, chain, "21", leader_id=106).consortium.leader_name == "辽阳石化"  # type: ignore[union-attr]
        assert compose_report(graph, chain, "44").consortium is None


class TestOutsideWorks:
    def test_reused_for_the_same_graph_and_region(self, graph: ChainGraph) -> None:
        first = _outside(graph, {500, 501})
        assert [w.id for w in first] == [502]
        assert _outside(graph, {500, 501}) is first

    def test_cache_stays_small(self, graph: ChainGraph) -> None:
        for i in range(10):
            _outside(graph, {i})
        assert [w.id for w in _outside(graph, {9})] == [500, 501, 502]
