"""The learned reranker: LightGBM LambdaRank over the lexical ranker's top candidates.

The first stage (`fulltext.FulltextIndex.search`: fielded BM25, need coverage, phrase bonus) hands over its top
RANKER_DEPTH candidates; `candidate_features` describes each (query, candidate) pair by signals the product already
computes, and the model (`data/ranker/model.txt`, trained by `python -m bench.train_ranker` on data disjoint from
the benchmarks and the needs dev set, see `data/ranker/SOURCE.md`) orders them. The reordered candidates keep the
first stage's score values, handed out in the model's order (`reorder_scores`), so the scale that hybrid fusion and
explanations read is unchanged and only the order is learned.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np

from techbridge.search.bm25 import Scores, bm25_idf
from techbridge.search.lexical import QueryPlan, phrase_hits
from techbridge.search.need import Concept, contains_term, coverage_scorer, weigh_by_technicality
from techbridge.search.tokenize import normalize_text

RANKER_DEPTH = 100
"""Candidates of the first stage the model reorders (the rest keep their order below them)."""
MODEL_FILE = "data/ranker/model.txt"
FEATURES = (
    "first_stage",
    "lexical",
    "log_rank",
    "coverage",
    "title_coverage",
    "phrase",
    "title_grams",
    "body_grams",
    "title_words",
    "body_words",
    "best_line",
    "best_line_coverage",
    "latin",
    "query_in_title",
    "title_in_query",
    "query_units",
    "concepts",
)
"""Feature names, in column order; the model file must list the same. No document-length features (title, body,
lines): trained on two of the three training sources and tested on the third, the model with them ranked the
held-out source worse than without (`bench/train_ranker.py`, `data/ranker/SOURCE.md`)."""

DocFreq = Callable[[str, str], int]
"""(field, term) → documents holding the term in that field of the index searched."""
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class QueryView:
    """What the features read of one query: its grams and words with idf × plan weight, its concepts."""

    grams: dict[str, float]
    words: dict[str, float]
    concepts: list[Concept]
    compact: str
    units: int


def view_query(plan: QueryPlan, doc_freq: DocFreq, n_docs: int) -> QueryView:
    """The query's terms weighted by their idf in the index (Lucene BM25 idf) times their weight in the plan;
    its concepts weighted by technicality as the coverage factor weighs them."""
    n = max(n_docs, 1)
    gram_w = {g: bm25_idf(n, min(doc_freq("grams", g), n)) * plan.weight(g) for g in dict.fromkeys(plan.grams)}
    word_w = {w: bm25_idf(n, min(doc_freq("words", w), n)) * plan.weight(w) for w in dict.fromkeys(plan.words)}
    concepts = weigh_by_technicality(plan.concepts, lambda w: doc_freq("words", w), n, plan.technicality_power)
    compact = _SPACE.sub("", normalize_text(plan.text))
    return QueryView(gram_w, word_w, concepts, compact, len(compact))


def _share(weights: dict[str, float], text: str, *, whole: bool) -> float:
    total = sum(weights.values())
    if total <= 0:
        return 0.0
    hit = sum(w for t, w in weights.items() if (contains_term(text, t) if whole else t in text))
    return hit / total


def _latin_share(concepts: list[Concept], text: str) -> float:
    latin = [c for c in concepts if c.is_latin]
    if not latin:
        return -1.0
    return sum(contains_term(text, c.text, latin_edge=True) for c in latin) / len(latin)


def pair_features(query: QueryView, title: str, body: str, phrase: float) -> list[float]:
    """The text features of one candidate (normalised title and body) from `coverage` to `concepts`."""
    full = f"{title} {body}"
    cover = coverage_scorer(query.concepts)
    compact_title = _SPACE.sub("", title)
    lines = [title, *(line for line in body.split("\n") if line.strip())]
    return [
        cover(full),
        cover(title),
        phrase,
        _share(query.grams, title, whole=False),
        _share(query.grams, body, whole=False),
        _share(query.words, title, whole=True),
        _share(query.words, body, whole=True),
        max(_share(query.grams, line, whole=False) for line in lines),
        max(cover(line) for line in lines),
        _latin_share(query.concepts, full),
        float(bool(query.compact) and query.compact in compact_title),
        float(bool(compact_title) and compact_title in query.compact),
        math.log1p(query.units),
        float(len(query.concepts)),
    ]


def candidate_features(
    query: QueryView, docs: Sequence[tuple[str, str]], first: Scores, lexical: Scores, phrases: Sequence[float]
) -> np.ndarray:
    """One row of FEATURES per candidate (normalised docs, first-stage and lexical scores, phrase evidence)."""
    first_best = float(first.max()) if len(first) else 0.0
    lex_best = float(lexical.max()) if len(lexical) else 0.0
    ranks = np.empty(len(lexical), dtype=np.int64)
    ranks[np.argsort(-lexical, kind="stable")] = np.arange(len(lexical))
    rows = []
    for i, (title, body) in enumerate(docs):
        head = [
            float(first[i]) / first_best if first_best > 0 else 0.0,
            float(lexical[i]) / lex_best if lex_best > 0 else 0.0,
            math.log1p(float(ranks[i])),
        ]
        rows.append(head + pair_features(query, title, body, phrases[i]))
    return np.asarray(rows, dtype=np.float64).reshape(len(docs), len(FEATURES))


def reorder_scores(scores: Scores, order_by: Scores) -> Scores:
    """The same score values handed out in the order of `order_by` (best value to the best-predicted row; ties
    keep the first stage's order)."""
    by_score = np.argsort(-scores, kind="stable")
    by_model = sorted(range(len(scores)), key=lambda i: (-order_by[i], -scores[i], i))
    out = np.empty_like(scores)
    out[by_model] = scores[by_score]
    return out


def top_candidates(lexical: Scores, depth: int) -> list[int]:
    """Rows of the `depth` best lexical scores above zero, best first (ties by row)."""
    order = np.argsort(-lexical, kind="stable")[:depth]
    return [int(i) for i in order if lexical[i] > 0]


def plan_features(
    plan: QueryPlan, docs: Sequence[tuple[str, str]], first: Scores, lexical: Scores, doc_freq: DocFreq, n_docs: int
) -> np.ndarray:
    """FEATURES of the given candidates of one query (used by the product and by the training-data builder)."""
    query = view_query(plan, doc_freq, n_docs)
    norm = [(normalize_text(t), normalize_text(b)) for t, b in docs]
    phrases = [phrase_hits(plan, t, b) for t, b in norm]
    return candidate_features(query, norm, first, lexical, phrases)


class Ranker:
    """A trained LightGBM model over FEATURES."""

    def __init__(self, model_text: str) -> None:
        import lightgbm  # imported here: ~0.3 s, paid only when the ranker is used

        self.booster: Any = lightgbm.Booster(model_str=model_text)
        names = tuple(self.booster.feature_name())
        if names != FEATURES:
            raise ValueError(f"ranker model features {names} differ from {FEATURES}")

    def predict(self, features: np.ndarray) -> Scores:
        """The model's score of each row (deterministic: one thread)."""
        return np.asarray(self.booster.predict(features, num_threads=1), dtype=np.float64)


@lru_cache(maxsize=1)
def load_ranker() -> Ranker:
    """The shipped model (`data/ranker/model.txt`), loaded once per process."""
    return Ranker(resources.files("techbridge").joinpath(MODEL_FILE).read_text(encoding="utf-8"))


def apply_ranker(
    ranker: Ranker,
    plan: QueryPlan,
    docs: Sequence[tuple[str, str]],
    first: Scores,
    lexical: Scores,
    doc_freq: DocFreq,
    n_docs: int,
    depth: int = RANKER_DEPTH,
) -> Scores:
    """The lexical scores with the top `depth` candidates reordered by the model (`reorder_scores`)."""
    rows = top_candidates(lexical, depth)
    if len(rows) < 2:
        return lexical
    features = plan_features(plan, [docs[i] for i in rows], first[rows], lexical[rows], doc_freq, n_docs)
    out = lexical.copy()
    out[rows] = reorder_scores(lexical[rows], ranker.predict(features))
    return out
