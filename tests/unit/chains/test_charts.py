"""The chain map option: colours by coverage status, sizes by revenue weight, edges by kind."""

from __future__ import annotations

from techbridge.chains.analytics import coverage, extract_chain
from techbridge.chains.schemas import ChainGraph
from techbridge.web.charts.chains import MAX_SIZE, MIN_SIZE, STATUS_COLOURS, chain_graph_option, node_size

LABELS = {"covered": "C", "innovation_gap": "I", "single": "S", "gap": "G"}


class TestNodeSize:
    def test_log_scale_between_the_bounds(self) -> None:
        assert node_size(0.0, 2.0) == MIN_SIZE
        assert node_size(2.0, 2.0) == MAX_SIZE
        assert MIN_SIZE < node_size(0.5, 2.0) < MAX_SIZE

    def test_no_weight_anywhere(self) -> None:
        assert node_size(0.0, 0.0) == MIN_SIZE


class TestChainGraphOption:
    def test_nodes_and_links(self, graph: ChainGraph) -> None:
        chain = extract_chain(graph, chain_id="pta", title="PTA", root_ids=[3], hops=2)
        option = chain_graph_option(chain, coverage(graph, chain, "21"), LABELS)
        series = option["series"][0]
        data = {d["name"]: d for d in series["data"]}
        assert data["原油"]["itemStyle"]["color"] == STATUS_COLOURS["gap"]
        assert data["对二甲苯"]["itemStyle"]["color"] == STATUS_COLOURS["innovation_gap"]
        assert data["精对苯二甲酸"]["symbolSize"] == MAX_SIZE  # the heaviest node
        assert data["精对苯二甲酸"]["label"]["show"] is True
        assert data["原油"]["symbolSize"] == MIN_SIZE
        assert {"source": "8", "target": "7", "lineStyle": {"type": "dashed"}} in series["links"]
        assert option["legend"][0]["data"] == ["C", "I", "S", "G"]

    def test_root_without_weight_is_still_visible(self, graph: ChainGraph) -> None:
        chain = extract_chain(graph, chain_id="x", title="x", root_ids=[1], hops=1)
        option = chain_graph_option(chain, coverage(graph, chain, "21"), LABELS)
        root = next(d for d in option["series"][0]["data"] if d["name"] == "原油")
        assert root["symbolSize"] == (MIN_SIZE + MAX_SIZE) / 2


class TestLabels:
    def test_a_small_chain_labels_every_node_and_keeps_room_for_labels(self, graph: ChainGraph) -> None:
        chain = extract_chain(graph, chain_id="pta", title="PTA", root_ids=[3], hops=2)
        series = chain_graph_option(chain, coverage(graph, chain, "21"), LABELS)["series"][0]
        assert all(d["label"]["show"] for d in series["data"])
        assert series["label"]["overflow"] == "truncate"
        assert series["right"] >= series["label"]["width"]
        assert series["labelLayout"] == {"hideOverlap": True}

    def test_a_large_chain_labels_roots_big_and_weak_nodes(self, graph: ChainGraph) -> None:
        chain = extract_chain(graph, chain_id="pta", title="PTA", root_ids=[3], hops=2)
        nodes = coverage(graph, chain, "21")
        data = {d["name"]: d for d in chain_graph_option(chain, nodes, LABELS, label_all_up_to=1)["series"][0]["data"]}
        status = {n.name: n.status for n in nodes}
        for name, item in data.items():
            expected = name == "精对苯二甲酸" or status[name] in ("single", "gap") or item["symbolSize"] > 24
            assert item["label"]["show"] is expected, name
