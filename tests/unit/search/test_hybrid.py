"""Score fusion, the Hit record and the product's hybrid search."""

from __future__ import annotations

import numpy as np
import pytest

from techbridge.search.fulltext import Filters, FulltextIndex, IndexDocument
from techbridge.search.hybrid import (
    DENSE_FLOOR,
    SEMANTIC_ONLY_MIN,
    Hit,
    fuse_scores,
    rescale_similarity,
    search_hybrid,
)
from techbridge.search.lexical import plan_query
from techbridge.search.rerank import FEATURES, Ranker
from techbridge.search.static import load_static_model
from techbridge.search.tokenize import default_segmenter
from techbridge.search.vectors import ExactVectorIndex


class TestFuseScores:
    def test_lexical_is_normalised_and_semantic_added(self) -> None:
        fused = fuse_scores([("a", 10.0), ("b", 5.0)], [("b", 1.0), ("c", DENSE_FLOOR)], semantic_weight=0.5)
        assert [row[0] for row in fused] == ["a", "b", "c"]
        assert fused[1][1] == pytest.approx(0.5 + 0.5)
        assert fused[2][1] == 0.0
        assert fused[0][3] is None

    def test_no_lexical_evidence(self) -> None:
        assert fuse_scores([("a", 0.0)], [])[0][1] == 0.0

    def test_rescale_clips(self) -> None:
        assert rescale_similarity(0.0) == 0.0
        assert rescale_similarity(1.0) == pytest.approx(1.0)


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
