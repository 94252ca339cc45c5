"""Curated chains, bases, clusters and relation semantics load from the shipped data files."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from techbridge.chains.loader import (
    find_chain,
    load_bases,
    load_chains,
    load_clusters,
    load_relations,
    parse_chain,
    parse_groupings,
    parse_relations,
    read_chain_folder,
)
from techbridge.errors import InvalidDataError

GOOD = {"id": "x", "title": {"zh": "甲", "en": "A"}, "roots": [{"name": "乙烯", "kind": "product"}]}


class TestShippedData:
    def test_the_curated_chains_of_the_province_are_there(self) -> None:
        ids = {chain.id for chain in load_chains()}
        assert {"petrochem", "high_end_equipment", "new_energy_vehicles", "robots", "integrated_circuits"} <= ids

    def test_every_base_chain_exists_and_there_are_four_bases(self) -> None:
        ids = {chain.id for chain in load_chains()}
        assert len(load_bases()) == 4
        assert all(c in ids for base in load_bases() for c in base.chains)

    def test_clusters_are_marked_unconfirmed_and_point_at_chains(self) -> None:
        ids = {chain.id for chain in load_chains()}
        clusters = load_clusters()
        assert clusters
        assert not any(c.confirmed for c in clusters)
        assert all(c.chains and c.chains[0] in ids for c in clusters)

    def test_relations_document_every_source_relation(self) -> None:
        rules = load_relations()
        assert rules.flows["上游材料"] == "reverse"
        assert rules.flows["上游于"] == "forward"
        assert rules.flows["产品小类"] == "child"
        assert rules.min_weights[("上游于", "chain_kg")] == 3.0

    def test_find_chain(self) -> None:
        chain = find_chain("petrochem")
        assert chain is not None
        assert chain.title_zh == "石化和精细化工"
        assert find_chain("nope") is None


class TestParseChain:
    def test_defaults(self) -> None:
        chain = parse_chain(GOOD, "x.yaml")
        assert (chain.hops, chain.max_nodes, chain.industry_hops) == (2, 300, 1)
        assert chain.roots[0].kind == "product"

    @pytest.mark.parametrize(
        ("change", "field"),
        [
            ({"id": None}, "id"),
            ({"title": "甲"}, "title"),
            ({"roots": []}, "roots"),
            ({"roots": [{"kind": "product"}]}, "roots[0]"),
            ({"hops": 0}, "hops"),
            ({"max_nodes": True}, "max_nodes"),
        ],
    )
    def test_errors_name_file_and_field(self, change: dict[str, object], field: str) -> None:
        with pytest.raises(InvalidDataError) as err:
            parse_chain({**GOOD, **change}, "x.yaml")
        assert err.value.location == ("x.yaml", field)

    def test_unknown_root_kind(self) -> None:
        with pytest.raises(InvalidDataError) as err:
            parse_chain({**GOOD, "roots": [{"name": "a", "kind": "company"}]}, "x.yaml")
        assert err.value.location == ("x.yaml", "roots[0]", "kind")


class TestParseOther:
    def test_groupings_need_a_list(self) -> None:
        with pytest.raises(InvalidDataError):
            parse_groupings({}, "bases", "bases.yaml")

    def test_grouping_entries_need_ids_and_chain_lists(self) -> None:
        with pytest.raises(InvalidDataError):
            parse_groupings({"bases": [{"title": {"zh": "a", "en": "b"}}]}, "bases", "bases.yaml")
        with pytest.raises(InvalidDataError):
            parse_groupings({"bases": [{"id": "a", "title": {"zh": "a", "en": "b"}, "chains": "x"}]}, "bases", "b")

    @pytest.mark.parametrize(
        "raw",
        [
            {},
            {"edges": {"a": {"flow": "sideways"}}, "links": {}},
            {"edges": {"a": {"flow": "forward", "min_weight": 3}}, "links": {}},
            {"edges": {}, "links": {"a": {"default_weight": "x"}}},
        ],
    )
    def test_malformed_relations(self, raw: dict[str, object]) -> None:
        with pytest.raises(InvalidDataError):
            parse_relations(raw)


class TestReadChainFolder:
    def test_reads_yaml_only_and_checks_the_id_against_the_file_name(self, tmp_path: Path) -> None:
        (tmp_path / "README.txt").write_text("not a chain", encoding="utf-8")
        (tmp_path / "x.yaml").write_text(yaml.safe_dump(GOOD, allow_unicode=True), encoding="utf-8")
        assert [c.id for c in read_chain_folder(tmp_path)] == ["x"]
        (tmp_path / "y.yaml").write_text(yaml.safe_dump(GOOD, allow_unicode=True), encoding="utf-8")
        with pytest.raises(InvalidDataError) as err:
            read_chain_folder(tmp_path)
        assert err.value.location == ("y.yaml", "id")
