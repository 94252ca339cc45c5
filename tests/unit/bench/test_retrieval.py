"""The retrieval benchmark's query-by-query comparison with the BM25 baseline."""

from __future__ import annotations

import pytest
from bench.retrieval import Paired, paired, render_paired

from techbridge.search.evaluate import Metrics, ndcg_per_query
from techbridge.search.methods import MethodResult


class TestPaired:
    def test_mean_difference_counts_and_an_interval_around_it(self) -> None:
        method = {"q1": 1.0, "q2": 0.5, "q3": 0.4, "q4": 0.9}
        baseline = {"q1": 0.5, "q2": 0.5, "q3": 0.6, "q4": 0.3}
        d = paired(method, baseline)
        assert d.mean == pytest.approx((0.5 + 0.0 - 0.2 + 0.6) / 4)
        assert (d.better, d.worse) == (2, 1)
        assert d.low < d.mean < d.high
        assert d.low >= -0.2
        assert d.high <= 0.6

    def test_only_queries_both_scored_are_paired_and_the_seed_fixes_the_interval(self) -> None:
        d = paired({"q1": 1.0, "q2": 0.0, "extra": 1.0}, {"q1": 0.0, "q2": 0.0})
        assert d.mean == pytest.approx(0.5)
        assert d == paired({"q1": 1.0, "q2": 0.0}, {"q1": 0.0, "q2": 0.0})

    def test_no_common_query(self) -> None:
        assert paired({"a": 1.0}, {"b": 1.0}) == Paired(0.0, 0.0, 0.0, 0, 0)


class TestRenderPaired:
    def result(self, method: str, per_query: dict[str, float]) -> MethodResult:
        return MethodResult(method, Metrics(0.0, 0.0, 0.0, len(per_query)), 0.0, per_query)

    def test_a_row_per_set_and_compared_method(self) -> None:
        rows = [self.result("bm25-ref", {"q": 0.5}), self.result("hybrid", {"q": 0.75})]
        table = render_paired({"needs": rows})
        assert table[-1] == "| needs | hybrid | +0.250 | +0.250 to +0.250 | 1 | 0 |"

    def test_nothing_without_the_baseline(self) -> None:
        assert render_paired({"needs": [self.result("hybrid", {"q": 0.75})]}) == []


def test_per_query_ndcg_covers_the_judged_queries_only() -> None:
    run = {"q1": ["d1"], "q2": ["d9"]}
    qrels = {"q1": {"d1": 2}, "q2": {"d2": 1}, "q3": {"d3": 0}}
    assert ndcg_per_query(run, qrels) == {"q1": pytest.approx(1.0), "q2": 0.0}
