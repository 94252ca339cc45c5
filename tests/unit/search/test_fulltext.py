"""The tantivy index: agreement with the in-memory scorer, filters, visibility, updates, lookups, persistence."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from techbridge.search import fulltext
from techbridge.search.fulltext import Filters, FulltextIndex, IndexDocument, pack_payload, unpack_payload
from techbridge.search.lexical import InMemoryLexical, matched_terms, plan_query
from techbridge.search.tokenize import default_segmenter

DOCS = [
    IndexDocument(
        "a:1",
        "锂电池正极材料制备",
        "高镍三元正极材料",
        {"kind": ["patent"], "region": ["21", "2101"], "visibility": ["public"]},
        {"trl": 6, "owner_id": 0},
    ),
    IndexDocument(
        "a:2",
        "锂电池隔膜",
        "陶瓷涂覆隔膜",
        {"kind": ["paper"], "region": ["44"], "visibility": ["registered"]},
        {"trl": 3, "owner_id": 0},
    ),
    IndexDocument(
        "a:3",
        "锂电池回收",
        "正极材料回收",
        {"kind": ["patent"], "region": ["21"], "visibility": ["owner"]},
        {"trl": 8, "owner_id": 7},
    ),
    IndexDocument("a:4", "水稻育种", "盐碱地", {"kind": ["variety"], "visibility": ["public"]}, {"owner_id": 0}),
]


@pytest.fixture
def index() -> FulltextIndex:
    built = FulltextIndex(None, default_segmenter())
    built.upsert(DOCS)
    return built


def _keys(index: FulltextIndex, text: str, filters: Filters | None = None) -> list[str]:
    return [h.key for h in index.search(plan_query(text, default_segmenter()), filters)]


class TestSearch:
    def test_scores_agree_with_the_in_memory_scorer(self, index: FulltextIndex) -> None:
        plan = plan_query("锂电池正极材料", default_segmenter())
        hits = index.search(plan)
        memory = InMemoryLexical([(d.title, d.body) for d in DOCS], default_segmenter()).score(plan)
        expected = [DOCS[i].key for i in np.argsort(-memory) if memory[i] > 0]
        assert [h.key for h in hits] == expected
        assert hits[0].score == pytest.approx(float(memory.max()), rel=0.05)
        assert matched_terms(plan, hits[0].title, hits[0].body)

    def test_tag_and_range_filters(self, index: FulltextIndex) -> None:
        assert _keys(index, "锂电池", Filters(tags={"kind": ["patent"]}, ranges={"trl": (7, None)})) == ["a:3"]
        assert _keys(index, "锂电池", Filters(tags={"region": ["21"]}, ranges={"trl": (None, 6)})) == ["a:1"]

    def test_a_tag_with_several_values_takes_any_of_them_and_tags_combine(self, index: FulltextIndex) -> None:
        assert set(_keys(index, "锂电池", Filters(tags={"kind": ["paper", "patent"]}))) == {"a:1", "a:2", "a:3"}
        both = Filters(tags={"kind": ["paper", "variety"], "region": ["44", "21"]})
        assert _keys(index, "锂电池", both) == ["a:2"]
        assert _keys(index, "锂电池", Filters(tags={"kind": ["variety", "paper"]}, visible=["public"])) == []

    def test_visibility_for_anonymous_registered_and_owner(self, index: FulltextIndex) -> None:
        assert _keys(index, "锂电池", Filters(visible=["public"])) == ["a:1"]
        assert set(_keys(index, "锂电池", Filters(visible=["public", "registered"]))) == {"a:1", "a:2"}
        assert set(_keys(index, "锂电池", Filters(visible=["public"], owner_id=7))) == {"a:1", "a:3"}

    def test_empty_query_finds_nothing(self, index: FulltextIndex) -> None:
        assert _keys(index, "，") == []


class TestUpdates:
    def test_upsert_replaces_and_delete_removes(self, index: FulltextIndex) -> None:
        index.upsert([IndexDocument("a:4", "FPGA图像处理", "")])
        assert _keys(index, "水稻") == []
        assert _keys(index, "FPGA") == ["a:4"]
        index.delete(["a:4"])
        assert _keys(index, "FPGA") == []
        assert index.count() == 3

    def test_lookup_applies_filters(self, index: FulltextIndex) -> None:
        found = index.lookup(["a:1", "a:2", "a:9"], Filters(visible=["public"]))
        assert [h.key for h in found] == ["a:1"]
        assert index.lookup([]) == []
        assert {h.key for h in index.lookup(["a:1", "a:2"])} == {"a:1", "a:2"}

    def test_index_persists_in_its_directory(self, tmp_path: Path) -> None:
        FulltextIndex(tmp_path / "ix", default_segmenter()).upsert(DOCS[:1])
        reopened = FulltextIndex(tmp_path / "ix", default_segmenter())
        assert reopened.count() == 1

    def test_refresh_reloads_only_after_another_writers_commit(self, tmp_path: Path) -> None:
        reader = FulltextIndex(tmp_path / "ix", default_segmenter())  # a web worker
        indexer = FulltextIndex(tmp_path / "ix", default_segmenter())  # the indexer, which commits
        assert reader.refresh() is False
        indexer.upsert(DOCS[:1])
        assert reader.count() == 0  # the searcher is not reloaded by itself
        assert reader.refresh() is True
        assert reader.count() == 1
        assert reader.refresh() is False  # nothing committed since: no reload
        indexer.upsert(DOCS[1:3])
        indexer.upsert(DOCS[3:])  # two commits in a row, maybe within one clock tick
        assert reader.refresh() is True
        assert reader.count() == 4


class TestPayload:
    def test_round_trip_and_separator_in_title(self) -> None:
        assert unpack_payload(pack_payload("锂电池\x1f隔膜", "正文，含\x1f分隔符")) == (
            "锂电池 隔膜",
            "正文，含\x1f分隔符",
        )

    def test_reads_the_json_payload_of_older_indexes(self) -> None:
        legacy = json.dumps({"t": "标题", "b": "正文"}, ensure_ascii=False).encode()
        assert unpack_payload(legacy) == ("标题", "正文")

    def test_missing_payload(self) -> None:
        assert unpack_payload(None) == ("", "")


class TestAddNew:
    def test_fresh_build_adds_without_replacing(self) -> None:
        built = FulltextIndex(None, default_segmenter())
        assert built.add_new(DOCS) == len(DOCS)
        assert set(_keys(built, "锂电池")) == {"a:1", "a:2", "a:3"}
        assert built.lookup(["a:4"])[0].title == "水稻育种"
        built.upsert([DOCS[0]])
        assert built.count() == len(DOCS)


class TestPlan:
    def test_a_need_is_analysed_once_and_as_plan_query_does(self, index: FulltextIndex) -> None:
        first = index.plan("锂电池正极材料的循环寿命")
        assert first == plan_query("锂电池正极材料的循环寿命", index.segmenter)
        assert index.plan("锂电池正极材料的循环寿命") is first

    def test_only_the_latest_needs_are_kept(self, index: FulltextIndex, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(fulltext, "PLAN_CACHE_SIZE", 2)
        first = index.plan("锂电池")
        index.plan("风电齿轮箱")
        index.plan("反渗透膜")
        assert index.plan("锂电池") is not first


PARITY_FILTERS = [
    Filters(),
    Filters(tags={"kind": ["patent"]}, ranges={"trl": (7, None)}),
    Filters(tags={"region": ["21"]}, ranges={"trl": (None, 6)}),
    Filters(ranges={"trl": (3, 6)}),
    Filters(ranges={"trl": (None, None)}),
    Filters(tags={"kind": ["paper", "variety"], "region": ["44", "21"]}),
    Filters(tags={"kind": []}),
    Filters(tags={"field": ["材料"]}),
    Filters(visible=["public"]),
    Filters(visible=["public", "registered"]),
    Filters(visible=["public"], owner_id=7),
    Filters(visible=[], owner_id=7),
    Filters(tags={"kind": ["patent"]}, visible=["public"], owner_id=7),
]


class TestAdmits:
    @pytest.mark.parametrize("filters", PARITY_FILTERS, ids=repr)
    def test_admits_exactly_what_the_index_lets_through(self, index: FulltextIndex, filters: Filters) -> None:
        through_index = {h.key for h in index.lookup([d.key for d in DOCS], filters)}
        assert {d.key for d in DOCS if filters.admits(d)} == through_index

    def test_a_range_needs_the_number(self) -> None:
        assert not Filters(ranges={"trl": (1, None)}).admits(DOCS[3])
        assert Filters(ranges={"trl": (1, None)}).admits(DOCS[0])
