"""BM25: the formula against a hand computation, and the in-memory index."""

from __future__ import annotations

import math

import pytest

from techbridge.search.bm25 import BM25Params, InMemoryBM25, bm25_idf, bm25_term


class TestBm25Formula:
    def test_hand_computed_example(self) -> None:
        # 3 documents; "电池" appears in 1; document 0 has length 4 (avg 3), tf 2.
        idf = math.log(1 + (3 - 1 + 0.5) / (1 + 0.5))
        expected = idf * 2 * 2.2 / (2 + 1.2 * (1 - 0.75 + 0.75 * 4 / 3))
        index = InMemoryBM25([["电池", "电池", "正极", "材料"], ["芯片", "设计"], ["水稻", "育种", "盐碱"]])
        assert index.score(["电池"])[0] == pytest.approx(expected)
        assert bm25_term(2, 4, 3, idf, BM25Params()) == pytest.approx(expected)

    def test_idf_is_never_negative(self) -> None:
        assert bm25_idf(10, 10) > 0

    def test_zero_average_length_uses_k1(self) -> None:
        assert bm25_term(1, 0, 0, 1.0, BM25Params(k1=1.0, b=0.5)) == pytest.approx(1.0)


class TestInMemoryBm25:
    def test_repeated_query_terms_count_once_and_weights_apply(self) -> None:
        index = InMemoryBM25([["a", "b"], ["b"]])
        assert index.score(["a", "a"])[0] == pytest.approx(index.score(["a"])[0])
        assert index.score(["a"], [2.0])[0] == pytest.approx(2 * index.score(["a"])[0])

    def test_unknown_terms_score_zero_and_df(self) -> None:
        index = InMemoryBM25([["a"], ["b"]])
        assert index.score(["z"]).tolist() == [0.0, 0.0]
        assert index.df("a") == 1
        assert index.df("z") == 0

    def test_empty_corpus(self) -> None:
        assert InMemoryBM25([]).score(["a"]).tolist() == []

    def test_matched_terms_in_query_order(self) -> None:
        index = InMemoryBM25([["电池", "材料"]])
        assert index.matched_terms(["材料", "芯片", "电池"], 0, ["电池", "材料"]) == ["材料", "电池"]
