"""BEIR metrics and readers."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from techbridge.errors import InvalidDataError
from techbridge.search.evaluate import (
    evaluate_run,
    mrr_at_k,
    ndcg_at_k,
    read_corpus,
    read_qrels,
    read_queries,
    recall_at_k,
)

DATA = Path(__file__).resolve().parents[2] / "data" / "search"


class TestMetrics:
    def test_ndcg_hand_computed(self) -> None:
        judged = {"a": 1, "b": 1}
        expected = (1 / math.log2(3)) / (1 + 1 / math.log2(3))
        assert ndcg_at_k(["x", "a"], judged) == pytest.approx(expected)
        assert ndcg_at_k(["x"], {}) == 0.0

    def test_recall_and_mrr(self) -> None:
        assert recall_at_k(["a", "x"], {"a": 1, "b": 1}) == 0.5
        assert recall_at_k([], {"a": 0}) == 0.0
        assert mrr_at_k(["x", "y", "a"], {"a": 1}) == pytest.approx(1 / 3)
        assert mrr_at_k(["x"], {"a": 1}) == 0.0

    def test_run_average_over_judged_queries(self) -> None:
        metrics = evaluate_run({"q1": ["a"], "q2": ["x"]}, {"q1": {"a": 1}, "q2": {"b": 1}, "q3": {"c": 0}})
        assert metrics.queries == 2
        assert metrics.mrr_at_10 == 0.5
        assert metrics.as_dict("m") == {"method": "m", "ndcg@10": 0.5, "recall@100": 0.5, "mrr@10": 0.5, "queries": 2}
        assert evaluate_run({}, {}).queries == 0


class TestReaders:
    def test_shipped_sample(self) -> None:
        assert len(read_corpus(DATA / "corpus.jsonl")) == 12
        assert read_queries(DATA / "queries.jsonl")["q2"] == "FPGA"
        assert read_qrels(DATA / "qrels.tsv")["q1"] == {"d1": 1, "d2": 1, "d11": 1}

    def test_bad_json_line_has_a_location(self, tmp_path: Path) -> None:
        path = tmp_path / "c.jsonl"
        path.write_text('{"_id": "a"}\n\nnot json\n', encoding="utf-8")
        with pytest.raises(InvalidDataError) as info:
            read_corpus(path)
        assert info.value.location == (str(path), "line 3")

    def test_short_qrels_row(self, tmp_path: Path) -> None:
        path = tmp_path / "q.tsv"
        path.write_text("query-id\tcorpus-id\tscore\nq1\td1\n", encoding="utf-8")
        with pytest.raises(InvalidDataError):
            read_qrels(path)
