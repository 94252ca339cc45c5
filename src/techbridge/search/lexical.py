"""Lexical ranking shared by every engine: query analysis, field weights, phrase bonus, in-memory scorer.

A document (title + body) is indexed twice: as character bigrams (robust to segmentation errors and partial
Latin names) and as dictionary words (precise); the title alone is indexed again as character uni+bigrams and as
words with a small weight. A document's lexical score is the weighted sum of per-field BM25 scores, plus a bonus
for query segments found verbatim (phrase evidence). Stopwords are dropped from the query's words only: its grams
keep them, since template phrases ("一种…用…装置") carry evidence in patent-like text (measured in
docs/benchmarks.md).

Character unigrams are not searched for (a one-character run of the query is, and the title field keeps unigrams
so a one-character need such as 铜 still finds titles): single characters have posting lists as long as the
index, and OR-ing them made a query ~3× slower at 1 M documents for −0.004 / +0.000 nDCG@10 on the two
benchmarks (docs/benchmarks.md, "Search speed").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from techbridge.search.bm25 import BM25Params, InMemoryBM25, Scores
from techbridge.search.tokenize import (
    Segmenter,
    char_bigrams,
    normalize_text,
    normalized_char_bigrams,
    normalized_char_grams,
)

FIELD_WEIGHTS: dict[str, float] = {
    "grams": 1.0,
    "words": 0.5,
    "title_grams": 0.1,
    "title_words": 0.1,
}
"""Weight of each field's BM25 score in the lexical score."""
INDEX_FORMAT = 4
"""Version of what an index holds (`field_tokens`, stored payload): bumped whenever it changes, so an index built
before is rebuilt by `make run` and reported by `techbridge search status` (2: body bigrams without unigrams;
3: title/body payload without JSON; both 2026-11-26; 4: text borrowed from related records (owner names, patent
and achievement titles) only from public ones, 2026-12-03)."""
PHRASE_BONUS = 0.3
"""Per verbatim query segment, bonus as a share of the best lexical score (title counts full, body half)."""
PHRASE_BODY_SHARE = 0.5
PHRASE_RERANK_DEPTH = 200
MIN_PHRASE_CHARS = 2


@dataclass(frozen=True)
class QueryPlan:
    """An analysed query: words (stopwords dropped), character grams, and verbatim segments for the bonus."""

    text: str
    words: list[str]
    grams: list[str]
    segments: list[str] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        """Nothing to search for."""
        return not self.words and not self.grams


def plan_query(text: str, segmenter: Segmenter) -> QueryPlan:
    """Analyse a query: stopword-free words; grams and segments of the text with stopwords blanked out."""
    cleaned = "".join(" " if w.strip() in segmenter.stopwords else w for w in segmenter.cut(text))
    if not cleaned.strip():
        cleaned = normalize_text(text)
    segments = [s for s in cleaned.split() if len(s) >= MIN_PHRASE_CHARS]
    return QueryPlan(text=text, words=segmenter.query_terms(text), grams=char_bigrams(text), segments=segments)


def field_tokens(title: str, body: str, segmenter: Segmenter) -> dict[str, list[str]]:
    """The four indexed fields of one document."""
    norm_title, norm_body = normalize_text(title), normalize_text(body)
    title_words, title_grams = segmenter.tokenize_normalized(norm_title), normalized_char_grams(norm_title)
    return {
        "grams": normalized_char_bigrams(norm_title) + normalized_char_bigrams(norm_body),
        "words": title_words + segmenter.tokenize_normalized(norm_body),
        "title_grams": title_grams,
        "title_words": title_words,
    }


def matched_terms(plan: QueryPlan, title: str, body: str) -> list[str]:
    """Query words (or, failing those, segments) that occur in the document, longest first, for highlighting."""
    text = normalize_text(f"{title} {body}")
    found = [w for w in plan.words if w in text]
    found = [w for w in found if not any(w != o and w in o for o in found)]
    return sorted(dict.fromkeys(found), key=lambda w: (-len(w), w))


def phrase_hits(plan: QueryPlan, title: str, body: str) -> float:
    """Verbatim segment evidence: 1 per segment in the title, PHRASE_BODY_SHARE per segment only in the body."""
    if not plan.segments:
        return 0.0
    norm_title, norm_body = normalize_text(title), normalize_text(body)
    hits = 0.0
    for segment in plan.segments:
        if segment in norm_title:
            hits += 1.0
        elif segment in norm_body:
            hits += PHRASE_BODY_SHARE
    return hits / len(plan.segments)


class InMemoryLexical:
    """The fielded lexical scorer over a list of (title, body) documents held in memory."""

    def __init__(self, docs: Sequence[tuple[str, str]], segmenter: Segmenter, params: BM25Params | None = None) -> None:
        self.docs = list(docs)
        self.segmenter = segmenter
        tokens = [field_tokens(t, b, segmenter) for t, b in self.docs]
        self.fields = {name: InMemoryBM25([tk[name] for tk in tokens], params) for name in FIELD_WEIGHTS}

    def score(self, plan: QueryPlan) -> Scores:
        """Lexical score of every document, phrase bonus included for the top PHRASE_RERANK_DEPTH."""
        scores = np.zeros(len(self.docs), dtype=np.float64)
        for name, weight in FIELD_WEIGHTS.items():
            terms = plan.words if name.endswith("words") else plan.grams
            scores += weight * self.fields[name].score(terms)
        return add_phrase_bonus(scores, plan, self.docs)


def add_phrase_bonus(scores: Scores, plan: QueryPlan, docs: Sequence[tuple[str, str]]) -> Scores:
    """Raise the top candidates by PHRASE_BONUS × best score × their verbatim-segment evidence."""
    if not plan.segments or not len(scores) or scores.max() <= 0:
        return scores
    best = float(scores.max())
    depth = min(PHRASE_RERANK_DEPTH, len(scores))
    top = np.argpartition(-scores, depth - 1)[:depth]
    out = scores.copy()
    for row in top:
        if scores[row] > 0:
            title, body = docs[row]
            out[row] += PHRASE_BONUS * best * phrase_hits(plan, title, body)
    return out
