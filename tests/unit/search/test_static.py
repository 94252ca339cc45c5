"""The domain static embedding: the model files, text vectors, fusion into the lexical candidates."""

from __future__ import annotations

import io

import numpy as np
import pytest

from techbridge.search.fulltext import FulltextIndex, IndexDocument
from techbridge.search.lexical import plan_query
from techbridge.search.static import (
    STATIC_WEIGHT,
    DocVectors,
    StaticModel,
    fuse_static,
    load_static_model,
    query_tokens,
    read_model,
    static_tokens,
)
from techbridge.search.tokenize import default_segmenter, normalize_text

DOCS = [
    IndexDocument("a:1", "风机降噪装置", "一种风机降噪装置，降低风机运行噪声"),
    IndexDocument("a:2", "风机消声器", "用于风机出口的消声器，消除气流噪声"),
    IndexDocument("a:3", "锂电池正极材料", "高镍三元正极材料的烧结工艺"),
]


def _npy(matrix: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, matrix.astype(np.int8), allow_pickle=False)
    return buffer.getvalue()


def tiny_model() -> StaticModel:
    """降噪 and 消声 share a direction; 风机 and 锂电 have their own."""
    vocab = "降噪\t10\n消声\t10\n风机\t10\n锂电\t10\n"
    vectors = np.array([[100, 0, 0], [100, 0, 0], [0, 100, 0], [0, 0, 100]])
    return read_model(vocab, _npy(vectors))


class TestReadModel:
    def test_rows_are_unit_length_and_weights_fall_with_frequency(self) -> None:
        model = read_model("常见\t900\n少见\t100\n", _npy(np.array([[3, 4], [0, 7]])))
        assert np.linalg.norm(model.vectors, axis=1) == pytest.approx([1.0, 1.0])
        assert model.vectors[0].tolist() == pytest.approx([0.6, 0.8])
        assert model.weights[0] < model.weights[1]

    def test_a_vocabulary_and_matrix_of_different_lengths_are_refused(self) -> None:
        with pytest.raises(ValueError, match="2 tokens but 1 vectors"):
            read_model("甲\t1\n乙\t1\n", _npy(np.array([[1, 0]])))


class TestEmbed:
    def test_unknown_tokens_give_the_zero_vector(self) -> None:
        assert not tiny_model().embed_tokens(["未知", "词语"]).any()

    def test_the_vector_is_the_normalised_weighted_mean(self) -> None:
        vector = tiny_model().embed_tokens(["降噪", "风机", "未知"])
        assert vector.tolist() == pytest.approx([2**-0.5, 2**-0.5, 0.0])

    def test_tokens_are_words_and_character_bigrams(self) -> None:
        tokens = static_tokens(normalize_text("风机降噪"), default_segmenter())
        assert {"风机", "降噪", "机降"} <= set(tokens)

    def test_query_tokens_leave_boilerplate_out(self) -> None:
        tokens = query_tokens(plan_query("解决风机降噪问题", default_segmenter()))
        assert "降噪" in tokens
        assert "问题" not in tokens


class TestShippedModel:
    def test_loads_and_embeds_deterministically(self) -> None:
        model = load_static_model()
        segmenter = default_segmenter()
        assert model.vectors.shape == (len(model.index), 128)
        first = model.embed("锂电池正极材料的循环寿命", segmenter)
        assert first.tolist() == model.embed("锂电池正极材料的循环寿命", segmenter).tolist()
        assert float(np.linalg.norm(first)) == pytest.approx(1.0, abs=1e-5)

    def test_related_technical_texts_are_closer_than_unrelated_ones(self) -> None:
        model, segmenter = load_static_model(), default_segmenter()
        cathode = model.embed("正极材料", segmenter)
        assert cathode @ model.embed("负极材料", segmenter) > cathode @ model.embed("小麦品种选育", segmenter)


class TestFuseStatic:
    def test_the_cosine_can_overtake_a_small_lexical_lead(self) -> None:
        query = np.array([1.0, 0.0])
        docs = np.array([[0.0, 1.0], [1.0, 0.0]])
        fused = fuse_static(np.array([2.0, 1.9]), query, docs, 0.2)
        assert fused.tolist() == pytest.approx([1.0, 0.95 + 0.2])

    def test_weight_zero_keeps_the_lexical_order(self) -> None:
        fused = fuse_static(np.array([2.0, 1.0]), np.array([1.0]), np.array([[0.0], [1.0]]), 0.0)
        assert fused.tolist() == [1.0, 0.5]

    def test_no_candidates(self) -> None:
        assert fuse_static(np.zeros(0), np.array([1.0]), np.zeros((0, 1)), 0.2).size == 0


class TestDocVectors:
    def test_a_synonym_candidate_moves_ahead(self) -> None:
        vectors = DocVectors(tiny_model(), default_segmenter())
        plan = plan_query("降噪", default_segmenter())
        docs = [("风机", ""), ("消声", "")]
        fused = vectors.rerank(plan, docs, np.array([1.0, 0.9]))
        assert fused[1] > fused[0]
        assert fused.tolist() == pytest.approx([1.0, 0.9 + STATIC_WEIGHT])

    def test_a_need_with_no_known_token_is_left_alone(self) -> None:
        vectors = DocVectors(tiny_model(), default_segmenter())
        scores = np.array([2.0, 1.0])
        assert vectors.rerank(plan_query("齿轮箱", default_segmenter()), [("消声", ""), ("风机", "")], scores) is scores

    def test_vectors_are_cached_and_cleared(self) -> None:
        vectors = DocVectors(tiny_model(), default_segmenter())
        first = vectors.vector("风机消声", "")
        assert vectors.vector("风机消声", "") is first
        vectors.clear()
        assert vectors.vector("风机消声", "") is not first


class TestSearchWithStatic:
    @pytest.fixture
    def index(self) -> FulltextIndex:
        built = FulltextIndex(None, default_segmenter())
        built.upsert(DOCS)
        return built

    def test_scores_are_the_fused_ones_and_the_records_the_same(self, index: FulltextIndex) -> None:
        plan = plan_query("风机降噪", default_segmenter())
        model = tiny_model()
        plain = index.search(plan)
        fused = index.search(plan, static=model)
        assert {h.key for h in fused} == {h.key for h in plain}
        best = max(h.score for h in plain)
        query = model.embed_tokens(query_tokens(plan))
        expected = {
            h.key: h.score / best
            + STATIC_WEIGHT * float(model.embed(f"{h.title} {h.body}", default_segmenter()) @ query)
            for h in plain
        }
        assert {h.key: h.score for h in fused} == pytest.approx(expected)
        assert [h.score for h in fused] == sorted((h.score for h in fused), reverse=True)

    def test_a_new_model_gets_a_new_cache(self, index: FulltextIndex) -> None:
        first = index.doc_vectors(tiny_model())
        assert index.doc_vectors(first.model) is first
        assert index.doc_vectors(tiny_model()) is not first
