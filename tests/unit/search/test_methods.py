"""Benchmark methods on the shipped sample: every method runs, quality floors hold, unknown names fail."""

from __future__ import annotations

from pathlib import Path

import pytest

from techbridge.errors import InvalidDataError
from techbridge.search.embed import HashingEmbedder
from techbridge.search.evaluate import read_corpus, read_qrels, read_queries
from techbridge.search.methods import METHODS, Corpus, evaluate_methods, needs_embedder, reference_grams
from techbridge.search.tokenize import default_segmenter

DATA = Path(__file__).resolve().parents[2] / "data" / "search"


@pytest.fixture(scope="module")
def results() -> dict[str, float]:
    corpus = Corpus(read_corpus(DATA / "corpus.jsonl"), default_segmenter(), HashingEmbedder())
    found = evaluate_methods(
        corpus=corpus,
        queries=read_queries(DATA / "queries.jsonl"),
        qrels=read_qrels(DATA / "qrels.tsv"),
        methods=list(METHODS),
    )
    return {r.method: r.metrics.recall_at_100 for r in found} | {
        f"{r.method}:ndcg": r.metrics.ndcg_at_10 for r in found
    }


class TestMethods:
    def test_every_method_runs(self, results: dict[str, float]) -> None:
        assert set(METHODS) <= set(results)

    def test_product_recall_floor(self, results: dict[str, float]) -> None:
        assert results["lexical"] >= 0.85
        assert results["hybrid"] >= 0.85
        assert results["hybrid:ndcg"] >= results["fts5-trigram:ndcg"]

    def test_unknown_method(self) -> None:
        corpus = Corpus([], default_segmenter())
        with pytest.raises(InvalidDataError):
            evaluate_methods(corpus=corpus, queries={}, qrels={}, methods=["nope"])

    def test_dense_needs_an_embedder(self) -> None:
        assert needs_embedder(["hybrid"])
        assert not needs_embedder(["bm25-ref"])
        with pytest.raises(ValueError, match="embedder"):
            Corpus([], default_segmenter()).vectors()

    def test_reference_grams_are_plain_characters(self) -> None:
        assert reference_grams("5G 芯片") == ["5", "g", "5g", "芯", "片", "芯片"]
