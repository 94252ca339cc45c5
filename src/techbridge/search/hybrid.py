"""Fusion of lexical and semantic evidence into ranked, explained hits.

Score fusion (not rank fusion): the lexical score is divided by the query's best lexical score (so it lies in
[0, 1] whatever the query length), and the cosine similarity enters as a z-score: how many standard deviations a
record's similarity lies above the mean similarity of this query's lexical candidates, times SEMANTIC_WEIGHT.
e5 similarities crowd into a narrow band whose place moves from query to query (the mean over one need's lexical
candidates lies between about 0.83 and 0.88 from need to need, 5th–95th percentile; their standard deviation within
a need is about 0.013), so a fixed rescaling of the cosine gave the dense side almost no say; standardised per query
it does (docs/benchmarks.md, Retrieval quality). Measured against reciprocal-rank fusion on both dev
benchmarks: RRF throws away how far ahead the lexical leader is, which matters for exact-term needs.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from techbridge.search import crosslingual
from techbridge.search.embed import Matrix
from techbridge.search.fulltext import Filters, FulltextIndex, LexicalHit
from techbridge.search.lexical import QueryPlan, normalized_document, shown_terms
from techbridge.search.need import coverage_scorer, object_coverage_scorer
from techbridge.search.rerank import Ranker
from techbridge.search.static import StaticModel
from techbridge.search.vectors import ExactVectorIndex, HnswVectorIndex

SEMANTIC_WEIGHT = 0.15
"""Weight of the similarity's z-score against the normalised lexical score (weight 1); chosen on the natural-needs
`tune` half and both benchmarks' dev queries (0.1–0.2 tried)."""
SPREAD_MIN = 0.01
"""Floor of the candidates' standard deviation of similarity: when they are all about equally similar to the need
(or only a few have a vector), small differences are not blown up into large z-scores."""
NOTABLE_Z = 1.0
"""A record at least this many standard deviations more similar than the candidates is "semantically close" (the
reason shown)."""
CANDIDATE_DEPTH = 200
"""Lexical candidates fused for a need matched against achievements (the portal and the benchmarks): the coverage
re-rank and the z-score's reference see all of them (at 50, the written needs lose about 0.015 nDCG@10)."""
DENSE_DEPTH = 50
"""Dense neighbours looked at for records the lexical side missed (shown only at SEMANTIC_ONLY_MIN or above; at 200
every dev set's nDCG@10 was the same)."""
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
    semantic_z: float | None = None
    """How far the similarity lies above the candidates' mean, in standard deviations (None without a vector)."""

    @property
    def entity(self) -> str:
        """The entity part of the key ("achievement")."""
        return self.key.split(":", 1)[0]

    @property
    def entity_id(self) -> int:
        """The numeric id part of the key."""
        return int(self.key.split(":", 1)[1])


def similarity_z(reference: Sequence[float]) -> Callable[[float], float] | None:
    """The z-score of a similarity against the `reference` similarities (the lexical candidates' own), or None when
    there is none to compare with."""
    if not reference:
        return None
    mean = statistics.fmean(reference)
    spread = max(statistics.pstdev(reference), SPREAD_MIN)
    return lambda similarity: (similarity - mean) / spread


def fuse_scores(
    lexical: Sequence[tuple[str, float]],
    semantic: Sequence[tuple[str, float]],
    *,
    semantic_weight: float = SEMANTIC_WEIGHT,
) -> list[tuple[str, float, float, float | None, float | None]]:
    """(key, fused, normalised lexical, cosine, z-score) for the union of both lists, best first, ties by key.

    The z-score is taken against the similarities of the lexical candidates that have one (dense-only candidates
    are scored against them too but do not move the reference). A key without a similarity (not embedded yet)
    counts as average (contributes 0); a key missing from the lexical list contributes lexical 0.
    """
    best = max((s for _, s in lexical), default=0.0)
    lex = {k: (s / best if best > 0 else 0.0) for k, s in lexical}
    sem = dict(semantic)
    zscore = similarity_z([sem[k] for k in lex if k in sem])
    fused = []
    for key in dict.fromkeys([*lex, *sem]):
        similarity = sem.get(key)
        z = zscore(similarity) if similarity is not None and zscore is not None else None
        fused.append((key, lex.get(key, 0.0) + semantic_weight * (z or 0.0), lex.get(key, 0.0), similarity, z))
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
    semantic_weight: float = SEMANTIC_WEIGHT,
    min_coverage: float = 0.0,
) -> list[Hit]:
    """Top `limit` fused hits: lexical candidates (filtered in the index), dense candidates, score fusion.

    A dense-only candidate is shown only at SEMANTIC_ONLY_MIN or above, so only those are looked up in the index
    (which applies the filters and visibility and supplies title and body), best first and no more than the page
    can use. Matched terms are computed for the returned hits only. A `ranker` and a `static` model reorder the
    lexical candidates (`FulltextIndex.search`) before fusion. With `min_coverage`, a hit (a dense-only one too)
    whose body (not its title: a name or an affiliation is no evidence) covers less than that share of what the
    need is about (`need.object_coverage_scorer`, concepts weighted by `FulltextIndex.technical_concepts`) is
    left out.
    """
    lexical = index.search(plan, filters, limit=max(limit, lexical_depth), ranker=ranker, static=static)
    lexical = [h for h in lexical if h.key not in exclude]
    found: dict[str, LexicalHit] = {h.key: h for h in lexical}
    semantic: dict[str, float] = {}
    if vectors is not None and query_vector is not None:
        dense = [(k, s) for k, s in vectors.search(query_vector, max(limit, dense_depth)) if k not in exclude]
        semantic = vectors.similarities(query_vector, list(found))
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
    fused = fuse_scores([(h.key, h.score) for h in lexical], sorted(semantic.items()), semantic_weight=semantic_weight)
    shown = [row for row in fused if row[2] > 0 or (row[3] is not None and row[3] >= SEMANTIC_ONLY_MIN)]
    if min_coverage > 0 and plan.concepts:
        covers = object_coverage_scorer(index.technical_concepts(plan))
        shown = [r for r in shown if covers(normalized_document("", found[r[0]].body)[1]) >= min_coverage]
    hits = []
    for key, score, lex, sim, z in shown[:limit]:
        doc = found[key]
        terms = shown_terms(plan, doc.title, doc.body)
        hits.append(Hit(key, score, lex, sim, terms, doc.title, doc.body, semantic_z=z))
    return hits


def search_cross_lingual(
    index: FulltextIndex,
    plan: QueryPlan,
    filters: Filters | None,
    *,
    vectors: ExactVectorIndex | HnswVectorIndex,
    query_vector: Matrix,
    probes: Matrix,
    limit: int,
    lexical_depth: int,
    exclude: frozenset[str] = frozenset(),
) -> list[Hit]:
    """Top `limit` hits for a need written in English (`crosslingual.is_cross_lingual`): the dense neighbours and
    the lexical candidates, ranked by the z-score of their hub-corrected similarity (`crosslingual.corrected_z`)
    plus `crosslingual.LEXICAL_WEIGHT` times the record's coverage of the need. Every hit passes the filters and
    visibility (looked up in the index); none needs SEMANTIC_ONLY_MIN, which across languages no record reaches.
    The lexical evidence counts by how much of the need a record covers (`need.coverage_scorer`, concepts weighted
    by how technical they are), not by its score over the best candidate's: when the need's words are all missing
    from the registry, its best lexical candidate may share only a modifier (equipment) with it."""
    lexical = [h for h in index.search(plan, filters, limit=max(limit, lexical_depth)) if h.key not in exclude]
    found: dict[str, LexicalHit] = {h.key: h for h in lexical}
    dense = [k for k, _ in vectors.search(query_vector, crosslingual.DENSE_DEPTH) if k not in exclude]
    for hit in index.lookup([k for k in dense if k not in found], filters):
        found[hit.key] = hit
    keys = list(found)
    similarity = vectors.similarities(query_vector, keys)
    z = crosslingual.corrected_z(similarity, crosslingual.hubness(probes, vectors.best_similarities, keys))
    best = max((h.score for h in lexical), default=0.0)
    lex = {h.key: (h.score / best if best > 0 else 0.0) for h in lexical}
    covers = coverage_scorer(index.technical_concepts(plan)) if plan.concepts else lambda _: 0.0
    coverage = {
        k: covers(" ".join(normalized_document(found[k].title, found[k].body))) if k in lex else 0.0 for k in keys
    }
    scored = sorted(
        ((z.get(k, 0.0) + crosslingual.LEXICAL_WEIGHT * coverage[k], k) for k in keys), key=lambda r: (-r[0], r[1])
    )
    hits = []
    for score, key in scored[:limit]:
        doc = found[key]
        hits.append(
            Hit(
                key,
                score,
                lex.get(key, 0.0),
                similarity.get(key),
                shown_terms(plan, doc.title, doc.body),
                doc.title,
                doc.body,
                semantic_z=z.get(key),
            )
        )
    return hits
