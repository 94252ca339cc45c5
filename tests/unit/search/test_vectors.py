"""Vector indexes: exact MaxP search, similarities of chosen keys, the HNSW index."""

from __future__ import annotations

import numpy as np

from techbridge.search import vectors
from techbridge.search.vectors import ExactVectorIndex, HnswVectorIndex, make_vector_index

KEYS = ["a", "a", "b", "c"]
MATRIX = np.array([[1, 0, 0], [0, 1, 0], [0.6, 0.8, 0], [0, 0, 1]], dtype=np.float32)


class TestExact:
    def test_max_over_passages(self) -> None:
        index = ExactVectorIndex(KEYS, MATRIX)
        assert index.search(np.array([0, 1, 0], dtype=np.float32), 2) == [("a", 1.0), ("b", 0.800000011920929)]
        assert len(index) == 4

    def test_similarities_of_keys(self) -> None:
        index = ExactVectorIndex(KEYS, MATRIX)
        sims = index.similarities(np.array([1, 0, 0], dtype=np.float32), ["c", "a", "z"])
        assert sims == {"c": 0.0, "a": 1.0}
        assert index.similarities(np.array([1, 0, 0], dtype=np.float32), ["z"]) == {}

    def test_empty(self) -> None:
        assert ExactVectorIndex([], np.zeros((0, 3), dtype=np.float32)).search(MATRIX[0], 3) == []


class TestHnsw:
    def test_finds_the_nearest(self) -> None:
        index = HnswVectorIndex(KEYS, MATRIX)
        found = index.search(np.array([0, 0, 1], dtype=np.float32), 1)
        assert found[0][0] == "c"
        assert len(index) == 4
        assert HnswVectorIndex([], np.zeros((0, 3), dtype=np.float32)).search(MATRIX[0], 1) == []

    def test_large_sets_use_hnsw(self, monkeypatch) -> None:  # type: ignore[no-untyped-def]
        monkeypatch.setattr(vectors, "HNSW_THRESHOLD", 2)
        assert isinstance(make_vector_index(KEYS, MATRIX), HnswVectorIndex)
        assert isinstance(make_vector_index(KEYS[:2], MATRIX[:2]), ExactVectorIndex)
