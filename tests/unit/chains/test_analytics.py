"""Chain analytics on the hand-made graph (answers worked out by hand in conftest.py's docstrings)."""

from __future__ import annotations

import pytest

from techbridge.chains.analytics import (
    TERMS,
    Relevance,
    centralities,
    coverage,
    extract_chain,
    find_nodes,
    is_in_region,
    leaders,
    rank_by_terms,
    reaches,
    regional_works,
    weak_links,
)
from techbridge.chains.build import assemble_graph
from techbridge.chains.schemas import Chain, ChainGraph, Org
from tests.unit.chains.conftest import make_rows


@pytest.fixture
def chain(graph: ChainGraph) -> Chain:
    return extract_chain(graph, chain_id="pta", title="PTA", root_ids=[3], hops=2)


class TestExtractChain:
    def test_members_within_two_hops_up_down_and_below(self, chain: Chain) -> None:
        assert sorted(chain.members) == [1, 2, 3, 5, 6, 7, 8]
        assert chain.members[1].position == "upstream"
        assert chain.members[1].hop == 2
        assert chain.members[6].position == "downstream"
        assert chain.members[8].position == "downstream"

    def test_upstream_of_a_downstream_node_is_not_on_the_chain(self, chain: Chain) -> None:
        assert 4 not in chain.members

    def test_edges_run_supplier_to_consumer_and_part_to_whole(self, chain: Chain) -> None:
        assert chain.edges == (
            (1, 2, "flow"),
            (2, 3, "flow"),
            (3, 5, "flow"),
            (3, 7, "flow"),
            (5, 6, "flow"),
            (8, 7, "part"),
        )

    def test_one_hop(self, graph: ChainGraph) -> None:
        chain = extract_chain(graph, chain_id="x", title="x", root_ids=[3], hops=1)
        assert sorted(chain.members) == [2, 3, 5, 7]

    def test_root_children_are_parts(self, graph: ChainGraph) -> None:
        chain = extract_chain(graph, chain_id="x", title="x", root_ids=[12], hops=1)
        assert chain.members[11].position == "part"

    def test_cap_truncates(self, graph: ChainGraph) -> None:
        chain = extract_chain(graph, chain_id="x", title="x", root_ids=[3], hops=2, max_nodes=3)
        assert len(chain.members) == 3
        assert chain.truncated

    def test_kind_hops_limit_one_kind(self, graph: ChainGraph) -> None:
        chain = extract_chain(graph, chain_id="x", title="x", root_ids=[3], hops=2, kind_hops={"product": 1})
        assert sorted(chain.members) == [2, 3, 5, 7]


class TestReaches:
    def test_downstream_and_upstream_reach(self, chain: Chain) -> None:
        down, up = reaches(chain)
        assert down == {1: 5, 2: 4, 3: 3, 5: 1, 6: 0, 7: 0, 8: 1}
        assert up == {1: 0, 2: 1, 3: 2, 5: 3, 6: 4, 7: 4, 8: 0}

    def test_cycles_terminate(self) -> None:
        chain = Chain("c", "c", (1,), 1, {1: None, 2: None}, ((1, 2, "flow"), (2, 1, "flow")))  # type: ignore[dict-item]
        assert reaches(chain) == ({1: 1, 2: 1}, {1: 1, 2: 1})

    def test_centrality(self, chain: Chain) -> None:
        assert centralities(chain)[3] == pytest.approx(6 / 7)
        assert centralities(chain)[8] == pytest.approx(2 / 7)


class TestRegion:
    @pytest.mark.parametrize(
        ("org", "region", "inside"),
        [
            (Org(1, "a", "enterprise", "21", None), "21", True),
            (Org(1, "a", "enterprise", None, "2102"), "21", True),
            (Org(1, "a", "enterprise", "21", "2102"), "2102", True),
            (Org(1, "a", "enterprise", "21", "2101"), "2102", False),
            (Org(1, "a", "enterprise", "21", None), "2102", False),
            (Org(1, "a", "enterprise", "33", "3301"), "21", False),
        ],
    )
    def test_province_or_city_prefix(self, org: Org, region: str, inside: bool) -> None:
        assert is_in_region(org, region) is inside

    def test_regional_works_by_owner_or_own_region(self, graph: ChainGraph) -> None:
        assert [w.id for w in regional_works(graph, "21")] == [500, 501]
        assert [w.id for w in regional_works(graph, "3301")] == [502]


class TestRankByTerms:
    def test_containment_scores_one_and_partial_bigrams_need_two_thirds(self) -> None:
        texts = [(1, "精对苯二甲酸催化剂"), (2, "对苯二甲酸工艺"), (3, "苯乙烯")]
        assert rank_by_terms("精对苯二甲酸", texts) == [(1, 1.0), (2, 0.8)]

    def test_short_queries_need_containment(self) -> None:
        assert rank_by_terms("乙烯", [(1, "聚乙烯"), (2, "乙炔")]) == [(1, 1.0)]


class TestFindNodes:
    def test_exact_connected_name(self, graph: ChainGraph) -> None:
        assert find_nodes(graph, "涤纶长丝") == (5,)

    def test_isolated_listing_name_prefers_the_vocabulary_node(self, graph: ChainGraph) -> None:
        assert find_nodes(graph, "PTA") == (3,)
        assert find_nodes(graph, "民用涤纶长丝") == (5,)

    def test_kind_filter(self, graph: ChainGraph) -> None:
        assert find_nodes(graph, "炼油化工", "industry") == (11,)
        assert find_nodes(graph, "炼油化工", "product") == ()

    def test_isolated_name_without_resolution(self, graph: ChainGraph) -> None:
        assert find_nodes(graph, "备配件") == (13,)
        assert find_nodes(graph, "不存在") == ()


class TestCoverage:
    def test_status_of_every_node(self, graph: ChainGraph, chain: Chain) -> None:
        status = {n.node_id: n.status for n in coverage(graph, chain, "21")}
        assert status == {1: "gap", 2: "innovation_gap", 3: "single", 5: "single", 6: "gap", 7: "gap", 8: "gap"}

    def test_producers_achievements_and_institutions(self, graph: ChainGraph, chain: Chain) -> None:
        node = next(n for n in coverage(graph, chain, "21") if n.node_id == 3)
        assert [p.name for p in node.regional_producers] == ["恒力石化"]
        assert node.national_producers == 1
        assert node.top_national[0].name == "荣盛石化"
        assert [a.achievement_id for a in node.achievements] == [500]
        assert node.achievements[0].owner_names == ("大连化物所", "张三")
        assert node.achievements[0].method == "shared terms"
        assert node.institutions == ("大连化物所",)
        assert node.market_weight == pytest.approx(1.44)
        assert node.reach == 3

    def test_out_of_region_achievements_do_not_count(self, graph: ChainGraph, chain: Chain) -> None:
        node = next(n for n in coverage(graph, chain, "21") if n.node_id == 2)
        assert node.achievements == ()
        assert len(node.regional_producers) == 2

    def test_city_region(self, graph: ChainGraph, chain: Chain) -> None:
        node = next(n for n in coverage(graph, chain, "2110") if n.node_id == 2)
        assert [p.name for p in node.regional_producers] == ["辽阳石化"]

    def test_injected_relevance_is_named_in_the_evidence(self, graph: ChainGraph, chain: Chain) -> None:
        everything = Relevance("all", lambda query, cands: [(k, 0.5) for k, _ in cands])
        node = next(n for n in coverage(graph, chain, "21", everything) if n.node_id == 1)
        assert {a.method for a in node.achievements} == {"all"}
        assert node.status == "gap"


class TestWeakLinks:
    def test_ranked_by_dependence_and_revenue_weight(self, graph: ChainGraph, chain: Chain) -> None:
        weak = weak_links(coverage(graph, chain, "21", TERMS))
        assert [(w.node_id, w.kind) for w in weak] == [
            (2, "innovation_gap"),
            (3, "single"),
            (1, "gap"),
            (5, "single"),
            (8, "gap"),
            (6, "gap"),
            (7, "gap"),
        ]
        scores = {(w.node_id, w.kind): w.score for w in weak}
        assert scores[(2, "innovation_gap")] == pytest.approx(0.7 * 4 / 6 + 0.3 * 1.4 / 1.44, abs=1e-6)
        assert scores[(1, "gap")] == pytest.approx(0.7 * 5 / 6, abs=1e-6)

    def test_reasons_say_why(self, graph: ChainGraph, chain: Chain) -> None:
        weak = {(w.node_id, w.kind): w for w in weak_links(coverage(graph, chain, "21"))}
        assert weak[(3, "single")].reason.startswith("single point of failure: only 恒力石化")
        assert "2 producers elsewhere" not in weak[(1, "gap")].reason
        assert "no producer" in weak[(1, "gap")].reason
        assert "no regional achievement" in weak[(2, "innovation_gap")].reason

    def test_empty(self) -> None:
        assert weak_links([]) == ()


class TestLeaders:
    def test_revenue_weighted_centrality(self, graph: ChainGraph, chain: Chain) -> None:
        ranked = leaders(graph, chain, "21")
        assert [ld.name for ld in ranked] == ["恒力石化", "辽阳石化", "锦州石化"]
        assert ranked[0].score == pytest.approx(0.84 * 6 / 7 + 0.67 * 5 / 7, abs=1e-6)
        assert [s.name for s in ranked[0].nodes] == ["精对苯二甲酸", "涤纶长丝"]
        assert "PTA" in ranked[0].nodes[0].evidence

    def test_no_regional_enterprise(self, graph: ChainGraph, chain: Chain) -> None:
        assert leaders(graph, chain, "44") == ()

    def test_a_customer_two_steps_downstream_is_no_chain_leader_a_direct_downstream_producer_is(self) -> None:
        rows = make_rows()
        rows.orgs = [*rows.orgs, (108, "大连服装", "enterprise", "21", "2102")]
        rows.links = [  # 水洗面料 (6) is two steps below the root 精对苯二甲酸, 涤纶长丝 (5) one
            *rows.links,
            (108, 6, "主营产品", 0.95, ""),
            (105, 5, "主营产品", 0.9, ""),
        ]
        graph = assemble_graph(rows)
        chain = extract_chain(graph, chain_id="pta", title="PTA", root_ids=[3], hops=2)
        assert (chain.members[6].position, chain.members[6].hop) == ("downstream", 2)
        ranked = leaders(graph, chain, "21")
        assert "大连服装" not in [ld.name for ld in ranked]
        assert [s.name for s in next(ld for ld in ranked if ld.name == "沈阳化工").nodes] == ["涤纶长丝"]

    def test_an_institute_producing_a_node_is_no_chain_leader(self) -> None:
        rows = make_rows()
        rows.links = [*rows.links, (102, 3, "主营产品", 0.9, "")]  # 大连化物所 on 精对苯二甲酸, weightier than 恒力
        graph = assemble_graph(rows)
        chain = extract_chain(graph, chain_id="pta", title="PTA", root_ids=[3], hops=2)
        assert [ld.name for ld in leaders(graph, chain, "21")] == ["恒力石化", "辽阳石化", "锦州石化"]
