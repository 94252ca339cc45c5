"""The viewer's part of the chain graph: hidden organizations, achievements and experts are left out."""

from __future__ import annotations

from techbridge.chains import visibility
from techbridge.chains.schemas import ChainGraph, Hidden


class TestRestrictGraph:
    def test_nothing_hidden_is_the_same_graph(self, graph: ChainGraph) -> None:
        assert visibility.restrict_graph(graph, Hidden()) is graph

    def test_a_hidden_organization_takes_its_links_with_it(self, graph: ChainGraph) -> None:
        seen = visibility.restrict_graph(graph, Hidden(orgs=frozenset({101, 105})))
        assert 105 not in seen.orgs
        assert 105 not in seen.links_by_org
        assert 4 not in seen.links_by_node  # 沈阳化工 was the only producer of 乙二醇
        assert [ln.org_id for ln in seen.links_by_node[3]] == [100]  # 荣盛石化 gone, 恒力石化 kept
        assert seen.links_by_node[5] is graph.links_by_node[5]
        assert 105 in graph.orgs  # the cached graph is untouched

    def test_a_hidden_organization_without_links_keeps_the_link_table(self, graph: ChainGraph) -> None:
        seen = visibility.restrict_graph(graph, Hidden(orgs=frozenset({102})))
        assert seen.links_by_node is graph.links_by_node
        assert 102 not in seen.orgs

    def test_hidden_achievements_and_experts(self, graph: ChainGraph) -> None:
        seen = visibility.restrict_graph(graph, Hidden(works=frozenset({500}), experts=frozenset({700})))
        assert [w.id for w in seen.works] == [501, 502]
        assert seen.experts == {}

    def test_copies_are_shared_per_hidden_set_and_bounded(self, graph: ChainGraph) -> None:
        hidden = Hidden(works=frozenset({501}))
        first = visibility.restrict_graph(graph, hidden)
        assert visibility.restrict_graph(graph, Hidden(works=frozenset({501}))) is first
        for n in range(visibility.KEPT_COPIES + 1):
            visibility.restrict_graph(graph, Hidden(works=frozenset({10_000 + n})))
        assert len(visibility._COPIES) <= visibility.KEPT_COPIES
