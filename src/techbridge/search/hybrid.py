"""Fusion of lexical and semantic evidence into ranked, explained hits.

Score fusion (not rank fusion): the lexical score is divided by the query's best lexical score (so it lies in
[0, 1] whatever the query length), the cosine similarity is rescaled from [DENSE_FLOOR, 1] to [0, 1], and the two
are mixed with SEMANTIC_WEIGHT. Measured against reciprocal-rank fusion on both dev benchmarks
(docs/benchmarks.md): RRF throws away how far ahead the lexical leader is, which matters for exact-term needs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

SEMANTIC_WEIGHT = 0.5
"""Weight of the rescaled cosine similarity against the normalised lexical score (weight 1)."""
DENSE_FLOOR = 0.70
"""Cosine similarity treated as "unrelated" (e5 similarities of unrelated Chinese texts sit around 0.7–0.75)."""
CANDIDATE_DEPTH = 200
"""How many candidates each signal contributes before fusion."""


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
