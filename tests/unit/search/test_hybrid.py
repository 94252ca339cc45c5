"""Score fusion, the Hit record and the product's hybrid search."""

from __future__ import annotations

import numpy as np
import pytest

from techbridge.search.fulltext import Filters, FulltextIndex, IndexDocument
from techbridge.search.hybrid import (
    SEMANTIC_ONLY_MIN,
    SPREAD_MIN,
    Hit,
    fuse_scores,
    search_hybrid,
    similarity_z,
)
from techbridge.search.lexical import plan_query
from techbridge.search.rerank import FEATURES, Ranker
from techbridge.search.static import load_static_model
from techbridge.search.tokenize import default_segmenter
from techbridge.search.vectors import ExactVectorIndex, HnswVectorIndex


class TestFuseScores:
    def test_lexical_is_normalised_and_the_similarity_enters_as_a_z_score(self) -> None:
        # candidates a (0.80) and b (0.84): mean 0.82, spread 0.02; c is dense-only and does not move the reference
        fused = fuse_scores([("a", 10.0), ("b", 8.0)], [("a", 0.80), ("b", 0.84), ("c", 0.86)], semantic_weight=0.5)
        rows = {row[0]: row for row in fused}
        assert rows["a"][4] == pytest.approx(-1.0)
        assert rows["b"][4] == pytest.approx(1.0)
        assert rows["c"][4] == pytest.approx(2.0)
        assert rows["a"][1] == pytest.approx(1.0 - 0.5)
        assert rows["b"][1] == pytest.approx(0.8 + 0.5)
        assert rows["c"][1] == pytest.approx(0.0 + 1.0)
        assert [row[0] for row in fused] == ["b", "c", "a"]

    def test_the_same_gap_in_similarity_counts_by_how_unusual_it_is_for_the_query(self) -> None:
        # e5 similarities sit in a narrow band whose place moves from query to query: what matters is the gap
        # against this query's other candidates, not the level of the cosine
        low = fuse_scores([("a", 1.0), ("b", 1.0)], [("a", 0.76), ("b", 0.78)])
        high = fuse_scores([("a", 1.0), ("b", 1.0)], [("a", 0.88), ("b", 0.90)])
        assert [row[1] for row in low] == pytest.approx([row[1] for row in high])

    def test_a_narrow_spread_is_not_blown_up(self) -> None:
        fused = fuse_scores([("a", 1.0), ("b", 1.0)], [("a", 0.800), ("b", 0.802)], semantic_weight=1.0)
        assert fused[0][0] == "b"
        assert fused[0][4] == pytest.approx(0.001 / SPREAD_MIN)

    def test_a_record_without_a_vector_counts_as_average(self) -> None:
        fused = fuse_scores([("a", 10.0), ("b", 10.0), ("c", 10.0)], [("a", 0.80), ("b", 0.84)])
        rows = {row[0]: row for row in fused}
        assert rows["c"][3] is None
        assert rows["c"][4] is None
        assert rows["c"][1] == pytest.approx(1.0)
        assert [row[0] for row in fused] == ["b", "c", "a"]

    def test_without_similarities_the_lexical_order_stands(self) -> None:
        fused = fuse_scores([("a", 3.0), ("b", 6.0)], [])
        assert [(row[0], row[1], row[4]) for row in fused] == [("b", 1.0, None), ("a", 0.5, None)]

    def test_no_lexical_evidence(self) -> None:
        assert fuse_scores([("a", 0.0)], [])[0][1] == 0.0

    def test_z_score_reference(self) -> None:
        assert similarity_z([]) is None
        z = similarity_z([0.8, 0.9])
        assert z is not None
        assert z(0.85) == pytest.approx(0.0)
        assert z(0.95) == pytest.approx(2.0)


class TestHit:
    def test_key_parts(self) -> None:
        hit = Hit("achievement:12", 1.0, 1.0, None)
        assert (hit.entity, hit.entity_id) == ("achievement", 12)


def _unit(*values: float) -> np.ndarray:
    vector = np.array(values, dtype=np.float32)
    return vector / np.linalg.norm(vector)


class LastFirstRanker(Ranker):
    """A fake model that prefers the candidate the first stage ranked last."""

    def __init__(self) -> None:
        pass

    def predict(self, features: np.ndarray) -> np.ndarray:
        return np.asarray(features[:, FEATURES.index("log_rank")], dtype=np.float64)


class TestSearchHybrid:
    """The product's hybrid search over a real in-memory tantivy index and exact vectors."""

    @pytest.fixture
    def index(self) -> FulltextIndex:
        built = FulltextIndex(None, default_segmenter())
        built.upsert(
            [
                IndexDocument("a:1", "锂电池正极材料", "高镍三元", {"visibility": ["public"]}),
                IndexDocument("a:2", "储能电芯", "磷酸铁锂", {"visibility": ["public"]}),
                IndexDocument("a:3", "动力电芯", "磷酸铁锂", {"visibility": ["owner"]}),
                IndexDocument("a:4", "水稻育种", "盐碱地", {"visibility": ["public"]}),
            ]
        )
        return built

    def _search(self, index: FulltextIndex, filters: Filters | None) -> list[Hit]:
        query = _unit(1.0, 0.0, 0.0)
        vectors = ExactVectorIndex(
            ["a:1", "a:2", "a:3", "a:4"],
            np.stack([_unit(1.0, 0.3, 0.0), _unit(1.0, 0.2, 0.0), _unit(1.0, 0.1, 0.0), _unit(0.5, 1.0, 0.0)]),
        )
        plan = plan_query("锂电池正极", default_segmenter())
        return search_hybrid(
            index, plan, filters, vectors=vectors, query_vector=query, limit=10, lexical_depth=10, dense_depth=10
        )

    def test_dense_only_hits_above_the_threshold_pass_the_filters(self, index: FulltextIndex) -> None:
        hits = self._search(index, Filters(visible=["public"]))
        assert [h.key for h in hits] == ["a:1", "a:2"]  # a:3 is hidden, a:4's cosine (0.45) is below the bar
        assert hits[0].matched_terms
        assert hits[0].lexical == 1.0
        assert hits[1].lexical == 0.0
        assert hits[1].semantic is not None
        assert hits[1].semantic >= SEMANTIC_ONLY_MIN
        assert hits[1].title == "储能电芯"

    def test_without_filters_every_record_is_a_candidate(self, index: FulltextIndex) -> None:
        assert "a:3" in [h.key for h in self._search(index, None)]

    def test_hnsw_scores_every_lexical_candidate_as_exact_search_does(self, index: FulltextIndex) -> None:
        keys = ["a:1", "a:2", "a:3", "a:4"]
        matrix = np.stack([_unit(1.0, 0.3, 0.0), _unit(1.0, 0.2, 0.0), _unit(1.0, 0.1, 0.0), _unit(0.5, 1.0, 0.0)])
        plan = plan_query("锂电池 电芯 磷酸铁锂 水稻", default_segmenter())
        runs = [
            search_hybrid(
                index,
                plan,
                None,
                vectors=vectors,
                query_vector=_unit(1.0, 0.0, 0.0),
                limit=10,
                lexical_depth=10,
                dense_depth=1,
            )
            for vectors in (ExactVectorIndex(keys, matrix), HnswVectorIndex(keys, matrix))
        ]
        exact, hnsw = ([(h.key, h.semantic_z) for h in run] for run in runs)
        assert len(exact) > 2
        assert all(z is not None for _, z in exact)  # dense_depth 1: the others' similarities are looked up
        assert [k for k, _ in hnsw] == [k for k, _ in exact]
        assert [z for _, z in hnsw] == pytest.approx([z for _, z in exact], abs=0.05)  # HNSW keeps f16

    def test_a_ranker_reorders_the_lexical_candidates(self, index: FulltextIndex) -> None:
        plan = plan_query("锂电池 电芯 磷酸铁锂", default_segmenter())
        kwargs = {"vectors": None, "query_vector": None, "limit": 10, "lexical_depth": 10, "dense_depth": 10}
        plain = search_hybrid(index, plan, None, **kwargs)  # type: ignore[arg-type]
        ranked = search_hybrid(index, plan, None, ranker=LastFirstRanker(), **kwargs)  # type: ignore[arg-type]
        assert len(plain) > 1
        assert [h.key for h in ranked] == [h.key for h in plain][::-1]
        assert ranked[0].lexical == 1.0

    def test_a_static_model_reorders_the_lexical_candidates(self, index: FulltextIndex) -> None:
        plan = plan_query("锂电池 电芯 磷酸铁锂", default_segmenter())
        kwargs = {"vectors": None, "query_vector": None, "limit": 10, "lexical_depth": 10, "dense_depth": 10}
        model = load_static_model()
        fused = search_hybrid(index, plan, None, static=model, **kwargs)  # type: ignore[arg-type]
        expected = index.search(plan, None, limit=10, static=model)
        assert [h.key for h in fused] == [h.key for h in expected]
        assert fused[0].lexical == 1.0


class TestMinCoverage:
    """`min_coverage` leaves out hits whose own text covers too little of what the need is about."""

    @pytest.fixture
    def experts(self) -> FulltextIndex:
        built = FulltextIndex(None, default_segmenter())
        built.upsert(
            [
                IndexDocument("e:1", "王一 东北大学", "罗茨鼓风机低频气流脉动与噪声控制", {}),
                IndexDocument("e:2", "李二 财经大学", "噪声交易者参与下的IPO溢价研究", {}),
                IndexDocument("e:3", "赵三 鼓风机研究所", "城市交通拥堵收费政策", {}),
                *[IndexDocument(f"e:{n}", f"专家{n}", "企业管理与组织行为研究", {}) for n in range(4, 40)],
            ]
        )
        return built

    def _keys(self, index: FulltextIndex, text: str, min_coverage: float) -> list[str]:
        plan = plan_query(text, default_segmenter())
        kwargs = {"vectors": None, "query_vector": None, "limit": 10, "lexical_depth": 10, "dense_depth": 10}
        return [h.key for h in search_hybrid(index, plan, None, min_coverage=min_coverage, **kwargs)]  # type: ignore[arg-type]

    def test_a_hit_sharing_only_one_word_or_only_its_title_is_left_out(self, experts: FulltextIndex) -> None:
        need = "罗茨鼓风机低频脉动噪声大"
        assert set(self._keys(experts, need, 0.0)) >= {"e:1", "e:2", "e:3"}
        assert self._keys(experts, need, 0.5) == ["e:1"]

    def test_no_floor_keeps_every_lexical_hit(self, experts: FulltextIndex) -> None:
        assert "e:3" in self._keys(experts, "鼓风机", 0.0)
        assert self._keys(experts, "鼓风机", 0.5) == ["e:1"]

    def test_a_dense_only_hit_must_cover_the_need_too(self, experts: FulltextIndex) -> None:
        plan = plan_query("罗茨鼓风机低频脉动噪声大", default_segmenter())
        vectors = ExactVectorIndex(["e:4"], np.stack([_unit(1.0, 0.0, 0.0)]))
        kwargs = {"limit": 10, "lexical_depth": 10, "dense_depth": 10}
        query = _unit(1.0, 0.0, 0.0)
        without = search_hybrid(experts, plan, None, vectors=vectors, query_vector=query, **kwargs)  # type: ignore[arg-type]
        assert "e:4" in [h.key for h in without]  # no shared word, but a cosine of 1
        floor = search_hybrid(experts, plan, None, vectors=vectors, query_vector=query, min_coverage=0.5, **kwargs)  # type: ignore[arg-type]
        assert [h.key for h in floor] == ["e:1"]
