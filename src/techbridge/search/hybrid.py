"""Fusion of lexical and semantic evidence into ranked, explained hits.

Score fusion (not rank fusion): the lexical score is divided by the query's best lexical score (so it lies in
[0, 1] whatever the query length), the cosine similarity is rescaled from [DENSE_FLOOR, 1] to [0, 1], and the two
are mixed with SEMANTIC_WEIGHT. Measured against reciprocal-rank fusion on both dev benchmarks
(docs/benchmarks.md): RRF throws away how far ahead the lexical leader is, which matters for exact-term needs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from techbridge.search.embed import Matrix
from techbridge.search.fulltext import Filters, FulltextIndex, LexicalHit
from techbridge.search.lexical import QueryPlan, matched_terms
from techbridge.search.rerank import Ranker
from techbridge.search.static import StaticModel
from techbridge.search.vectors import ExactVectorIndex, HnswVectorIndex

SEMANTIC_WEIGHT = 0.5
"""Weight of the rescaled cosine similarity against the normalised lexical score (weight 1)."""
DENSE_FLOOR = 0.70
"""Cosine similarity treated as "unrelated" (e5 similarities of unrelated Chinese texts sit around 0.7–0.75)."""
CANDIDATE_DEPTH = 200
"""How many candidates each signal contributes before fusion."""
SEMANTIC_ONLY_MIN = 0.88
"""A hit with no lexical evidence is shown only above this cosine (≈ the 99th percentile of query–document
similarities on both dev benchmarks: e5 similarities of unrelated Chinese texts sit around 0.82–0.85)."""


@dataclass(frozen=True)
class Hit:
    """One fused result with the evidence behind it."""

    key: str
    score: float
    lexical: float
    semantic: float | None
    matched_terms: list[str] = field(default_factory=list)
    title: str = ""
    body: str = ""

    @property
    def entity(self) -> str:
        """The entity part of the key ("achievement")."""
        return self.key.split(":", 1)[0]

    @property
    def entity_id(self) -> int:
        """The numeric id part of the key."""
        return int(self.key.split(":", 1)[1])


def rescale_similarity(similarity: float) -> float:
    """Cosine similarity mapped from [DENSE_FLOOR, 1] to [0, 1] (clipped)."""
    return max(0.0, (similarity - DENSE_FLOOR) / (1.0 - DENSE_FLOOR))


def fuse_scores(
    lexical: Sequence[tuple[str, float]],
    semantic: Sequence[tuple[str, float]],
    *,
    semantic_weight: float = SEMANTIC_WEIGHT,
) -> list[tuple[str, float, float, float | None]]:
    """(key, fused, normalised lexical, cosine) for the union of both lists, best first, ties by key.

    A key missing from the semantic list has no similarity (None) and contributes 0 there; a key missing from
    the lexical list contributes lexical 0.
    """
    best = max((s for _, s in lexical), default=0.0)
    lex = {k: (s / best if best > 0 else 0.0) for k, s in lexical}
    sem = dict(semantic)
    fused = []
    for key in dict.fromkeys([*lex, *sem]):
        similarity = sem.get(key)
        dense = rescale_similarity(similarity) if similarity is not None else 0.0
        fused.append((key, lex.get(key, 0.0) + semantic_weight * dense, lex.get(key, 0.0), similarity))
    fused.sort(key=lambda row: (-row[1], row[0]))
    return fused


def search_hybrid(
    index: FulltextIndex,
    plan: QueryPlan,
    filters: Filters | None,
    *,
    vectors: ExactVectorIndex | HnswVectorIndex | None,
    query_vector: Matrix | None,
    limit: int,
    lexical_depth: int,
    dense_depth: int,
    exclude: frozenset[str] = frozenset(),
    ranker: Ranker | None = None,
    static: StaticModel | None = None,
) -> list[Hit]:
    """Top `limit` fused hits: lexical candidates (filtered in the index), dense candidates, score fusion.

    A dense-only candidate is shown only at SEMANTIC_ONLY_MIN or above, so only those are looked up in the index
    (which applies the filters and visibility and supplies title and body), best first and no more than the page
    can use. Matched terms are computed for the returned hits only. A `ranker` and a `static` model reorder the
    lexical candidates (`FulltextIndex.search`) before fusion.
    """
    lexical = index.search(plan, filters, limit=max(limit, lexical_depth), ranker=ranker, static=static)
    lexical = [h for h in lexical if h.key not in exclude]
    found: dict[str, LexicalHit] = {h.key: h for h in lexical}
    semantic: dict[str, float] = {}
    if vectors is not None and query_vector is not None:
        dense = [(k, s) for k, s in vectors.search(query_vector, max(limit, dense_depth)) if k not in exclude]
        if isinstance(vectors, ExactVectorIndex):
            semantic = vectors.similarities(query_vector, list(found))
        else:
            semantic = {k: s for k, s in dense if k in found}
        extra = [(k, s) for k, s in dense if k not in found and s >= SEMANTIC_ONLY_MIN]
        accepted = 0
        for start in range(0, len(extra), limit):
            batch = dict(extra[start : start + limit])
            for hit in index.lookup(list(batch), filters):
                found[hit.key] = hit
                semantic[hit.key] = batch[hit.key]
                accepted += 1
            if accepted >= limit:
                break
    fused = fuse_scores([(h.key, h.score) for h in lexical], sorted(semantic.items()))
    shown = [row for row in fused if row[2] > 0 or (row[3] is not None and row[3] >= SEMANTIC_ONLY_MIN)]
    hits = []
    for key, score, lex, sim in shown[:limit]:
        doc = found[key]
        hits.append(Hit(key, score, lex, sim, matched_terms(plan, doc.title, doc.body), doc.title, doc.body))
    return hits
