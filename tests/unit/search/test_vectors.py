"""Vector indexes: exact MaxP search, similarities of chosen keys, the HNSW index."""

from __future__ import annotations

import numpy as np
import pytest

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


X, Y, Z = (np.eye(3, dtype=np.float32)[i] for i in range(3))


class TestNumberPassages:
    def test_numbers_follow_each_key_after_the_taken_ones(self) -> None:
        assert vectors.number_passages(["a", "b", "a"]) == [0, 0, 1]
        assert vectors.number_passages(["a", "a"], {("a", 0), ("a", 1)}) == [2, 3]


class TestExactInPlace:
    def test_upsert_overwrites_a_passage_in_place(self) -> None:
        index = ExactVectorIndex(KEYS, MATRIX)
        index.upsert([("c", 0, X)])
        assert index.search(X, 3) == [("a", 1.0), ("c", 1.0), ("b", 0.6000000238418579)]
        assert len(index) == 4
        assert index.capacity == 4

    def test_upsert_appends_with_spare_capacity(self) -> None:
        index = ExactVectorIndex(KEYS, MATRIX)
        index.upsert([("d", 0, Z), ("a", 2, Z)])
        assert len(index) == 6
        assert index.capacity > 6
        grown = index.capacity
        index.upsert([("e", 0, Y)])
        assert index.capacity == grown
        assert index.similarities(Z, ["a", "d", "e"]) == {"a": 1.0, "d": 1.0, "e": 0.0}
        assert {("a", 2), ("d", 0), ("e", 0)} <= set(index.passages())

    def test_a_repeated_passage_in_one_block_keeps_the_last_vector(self) -> None:
        index = ExactVectorIndex([], np.zeros((0, 3), dtype=np.float32))
        index.upsert([("d", 0, X), ("d", 0, Z)])
        assert len(index) == 1
        assert index.search(Z, 1) == [("d", 1.0)]

    def test_removed_passages_no_longer_count(self) -> None:
        index = ExactVectorIndex(KEYS, MATRIX)
        assert index.remove([("a", 0), ("z", 0)]) == 1
        assert index.search(X, 3) == [("b", 0.6000000238418579), ("a", 0.0), ("c", 0.0)]
        assert index.similarities(X, ["a"]) == {"a": 0.0}
        assert len(index) == 3

    def test_removing_keys_compacts_and_stays_writable(self) -> None:
        index = ExactVectorIndex(KEYS, MATRIX)
        assert index.remove_keys(["a"]) == 2
        assert index.capacity == 2  # half the rows were dead: compacted
        assert index.search(Y, 5) == [("b", 0.800000011920929), ("c", 0.0)]
        assert index.similarities(Y, ["a", "b"]) == {"b": 0.800000011920929}
        index.upsert([("a", 0, Y)])
        assert index.search(Y, 1) == [("a", 1.0)]

    def test_extend_numbers_after_a_key_s_passages(self) -> None:
        index = ExactVectorIndex(KEYS, MATRIX)
        index.extend(["a"], Z[None, :])
        assert ("a", 2) in index.passages()
        assert index.similarities(Z, ["a"]) == {"a": 1.0}

    def test_constructed_with_passage_numbers(self) -> None:
        index = make_vector_index(KEYS, MATRIX, [0, 3, 0, 0])
        assert sorted(index.passages()) == [("a", 0), ("a", 3), ("b", 0), ("c", 0)]


class TestHnswInPlace:
    def test_upsert_replaces_under_a_new_row_id(self) -> None:
        index = HnswVectorIndex(KEYS, MATRIX)
        index.upsert([("c", 0, X)])
        assert [k for k, _ in index.search(X, 3)] == ["a", "c", "b"]
        assert len(index) == 4
        assert index.keys == ["a", "a", "b", None, "c"]
        assert [k for k, _ in index.exact_search(Z, 3)] == ["a", "b", "c"]
        assert all(sim < 0.01 for _, sim in index.exact_search(Z, 3))

    def test_removed_passages_and_keys_are_not_found(self) -> None:
        index = HnswVectorIndex(KEYS, MATRIX)
        assert index.remove([("a", 1)]) == 1
        assert [k for k, _ in index.search(Y, 1)] == ["b"]
        assert index.remove_keys(["a", "b"]) == 2
        assert index.search(X, 3) == index.exact_search(X, 3) == [("c", 0.0)]
        assert len(index) == 1
        assert index.passages() == [("c", 0)]

    def test_blocks_extend_the_passages_of_a_key(self) -> None:
        index = HnswVectorIndex([], np.zeros((0, 3), dtype=np.float32))
        index.extend(["a", "b"], MATRIX[:2])
        index.extend(["a"], MATRIX[3:])
        assert sorted(index.passages()) == [("a", 0), ("a", 1), ("b", 0)]
        assert index.search(Z, 1) == [("a", 1.0)]


class TestSimilaritiesFollowChanges:
    """Both indexes give exact MaxP similarities of named records, also after passages are replaced and removed."""

    def check(self, index: ExactVectorIndex | HnswVectorIndex) -> None:
        x, z = np.array([1, 0, 0], dtype=np.float32), np.array([0, 0, 1], dtype=np.float32)
        near = pytest.approx  # HNSW keeps f16 vectors
        assert index.similarities(x, ["c", "a", "z"]) == near({"c": 0.0, "a": 1.0}, abs=1e-3)
        index.upsert([("c", 0, x)])  # c now points the way of x
        assert index.similarities(x, ["c"]) == near({"c": 1.0}, abs=1e-3)
        index.remove([("a", 0)])  # a keeps only its second passage, (0, 1, 0)
        assert index.similarities(x, ["a", "b"]) == near({"a": 0.0, "b": 0.6}, abs=1e-3)
        index.remove_keys(["a"])
        assert index.similarities(x, ["a"]) == {}
        index.extend(["a"], z[None, :])
        assert index.similarities(z, ["a"]) == near({"a": 1.0}, abs=1e-3)

    def test_exact(self) -> None:
        self.check(ExactVectorIndex(KEYS, MATRIX))

    def test_hnsw(self) -> None:
        self.check(HnswVectorIndex(KEYS, MATRIX))

    def test_hnsw_updates_its_record_rows_in_place(self) -> None:
        # rebuilt from every passage after each change, the map would cost about a second per change at 1 M
        index = HnswVectorIndex(KEYS, MATRIX)
        rows = index._rows
        index.upsert([("c", 0, MATRIX[0])])
        index.remove([("a", 1)])
        assert index._rows is rows
        assert rows == {"a": [0], "b": [2], "c": [4]}


@pytest.mark.parametrize("kind", [ExactVectorIndex, HnswVectorIndex])
def test_best_similarities_to_many_queries_equal_one_query_at_a_time(kind: type[ExactVectorIndex]) -> None:
    rng = np.random.default_rng(3)
    matrix = rng.normal(size=(7, 8)).astype(np.float32)
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    index = kind(["a", "a", "b", "c", "c", "c", "d"], matrix)
    queries = rng.normal(size=(3, 8)).astype(np.float32)
    many = index.best_similarities(queries, ["a", "c", "x"])
    assert set(many) == {"a", "c"}
    for row, query in enumerate(queries):
        one = index.similarities(query, ["a", "c", "x"])
        assert [float(many[k][row]) for k in ("a", "c")] == pytest.approx([one["a"], one["c"]])
