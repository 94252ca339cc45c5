"""Weak-link curation from data: stoplisted names and unweighted leaves leave the list; real gaps stay."""

from __future__ import annotations

import pytest

from techbridge.chains.analytics import curate_weak_links, is_noise
from techbridge.chains.loader import WeakLinkFilter, load_weak_link_filter, parse_weak_link_filter
from techbridge.chains.schemas import ChainGraph, WeakLink
from techbridge.errors import InvalidDataError

RULE = WeakLinkFilter(frozenset({"足球发电机"}), drop_unweighted_leaves=True)


def weak(node_id: int, name: str, *, reach: int = 0, weight: float = 0.0, national: int = 0) -> WeakLink:
    return WeakLink(node_id, name, "gap", reach, weight, 0.5, (), national, "")


class TestIsNoise:
    def test_a_stoplisted_name_is_noise_even_with_producers(self, graph: ChainGraph) -> None:
        assert is_noise(weak(99, "足球发电机", reach=3, weight=0.9, national=4), graph, RULE)

    def test_an_unweighted_leaf_nothing_depends_on_is_noise(self, graph: ChainGraph) -> None:
        assert is_noise(weak(6, "水洗面料"), graph, RULE)

    @pytest.mark.parametrize(
        "link",
        [
            weak(1, "原油", reach=4),  # the chain depends on it
            weak(7, "聚酯纤维"),  # it has a sub-product (涤纶短纤)
            weak(6, "水洗面料", national=2),  # produced elsewhere
            weak(6, "水洗面料", weight=0.3),
        ],
    )
    def test_real_gaps_stay(self, graph: ChainGraph, link: WeakLink) -> None:
        assert not is_noise(link, graph, RULE)

    def test_the_rule_can_be_switched_off(self, graph: ChainGraph) -> None:
        assert not is_noise(weak(6, "水洗面料"), graph, WeakLinkFilter())

    def test_curate_keeps_order(self, graph: ChainGraph) -> None:
        links = [weak(1, "原油", reach=4), weak(99, "足球发电机"), weak(7, "聚酯纤维")]
        assert [w.name for w in curate_weak_links(links, graph, RULE)] == ["原油", "聚酯纤维"]


class TestLoader:
    def test_the_shipped_file_names_the_junk_of_the_issue(self) -> None:
        rule = load_weak_link_filter()
        assert {"足球发电机", "尿液发电机"} <= rule.stoplist
        assert rule.drop_unweighted_leaves

    @pytest.mark.parametrize(
        ("raw", "field"),
        [({"stoplist": "足球发电机"}, "stoplist"), ({"stoplist": [1]}, "stoplist"), ([], "stoplist")],
    )
    def test_a_bad_stoplist_names_the_field(self, raw: object, field: str) -> None:
        with pytest.raises(InvalidDataError) as error:
            parse_weak_link_filter(raw)
        assert error.value.location == ("weak_links.yaml", field)

    def test_the_rule_must_be_yes_or_no(self) -> None:
        with pytest.raises(InvalidDataError) as error:
            parse_weak_link_filter({"stoplist": [], "drop_unweighted_leaves": "yes"})
        assert error.value.location == ("weak_links.yaml", "drop_unweighted_leaves")
