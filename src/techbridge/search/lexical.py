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

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from techbridge.search.bm25 import BM25Params, InMemoryBM25, Scores
from techbridge.search.need import (
    BOILERPLATE_GRAM_WEIGHT,
    LATIN_WORD_BOOST,
    MODIFIER_WEIGHT,
    TECHNICALITY_POWER,
    Concept,
    NeedAnalysis,
    Role,
    analyse_need,
    contains_term,
    coverage_scorer,
    load_need_words,
    own_substance_words,
    weigh_by_technicality,
    word_role,
)
from techbridge.search.tokenize import (
    CJK_CHAR,
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
INDEX_FORMAT = 9
"""Version of what an index holds (`field_tokens`, stored payload): bumped whenever it changes, so an index built
before is rebuilt by `make run` and reported by `techbridge search status` (2: body bigrams without unigrams;
3: title/body payload without JSON; both 2026-11-26; 4: text borrowed from related records (owner names, patent
and achievement titles) only from public ones; 5: words also hold the Latin runs of mixed words, fpga芯片 → fpga;
both 2026-12-03; 6: a dictionary word such as it or ion no longer cuts a Latin word, lithium stays whole,
English plurals are stemmed, and the registry's words are no longer added to the segmenter
(`matching.build._segmenter_for`), 2026-12-04; 7: a hydrocarbon's name is not a word of a text that holds it only
inside another substance's name, 聚丙烯 of 聚丙烯腈, `need.own_substance_words`, 2026-12-04; 8: an expert's
affiliation name only when that organization is public, `matching.queries.ExpertRow`, 2026-12-05; 9: the owner
kinds and regions that the owner-type and region filters match, and an expert's region, only from public owners and
affiliations, 2026-12-05)."""
PHRASE_BONUS = 0.3
"""Per verbatim query segment, bonus as a share of the best lexical score (title counts full, body half)."""
PHRASE_BODY_SHARE = 0.5
PHRASE_RERANK_DEPTH = 200
MIN_PHRASE_CHARS = 2
GRAM_WEIGHTS = {Role.MODIFIER: MODIFIER_WEIGHT, Role.BOILERPLATE: BOILERPLATE_GRAM_WEIGHT}
"""Query character bigrams that a modifier or boilerplate adds (alone or joined to a content word, as 臭技), and
their weight; a content word's bigrams weigh 1. Latin acronyms add none (`need.LATIN_NAME_CHARS`)."""
NORMALIZED_CACHE = 8192
"""Stored documents whose normalised text is kept in each process (`normalized_document`)."""
COVERAGE_FLOOR = 0.5
"""Share of its score a candidate keeps when it covers none of the need's concepts (`need.coverage`); one
covering them all keeps all of it. Candidates below PHRASE_RERANK_DEPTH are scaled by the floor."""


@dataclass(frozen=True)
class QueryPlan:
    """An analysed query: words (stopwords dropped), character grams, and verbatim segments for the bonus;
    per-term weights (default 1) and the need's concepts for the coverage factor (`search.need`)."""

    text: str
    words: list[str]
    grams: list[str]
    segments: list[str] = field(default_factory=list)
    weights: dict[str, float] = field(default_factory=dict)
    concepts: list[Concept] = field(default_factory=list)
    technicality_power: float = TECHNICALITY_POWER
    """How sharply the coverage factor favours the need's rare concepts (`need.weigh_by_technicality`)."""

    @property
    def is_empty(self) -> bool:
        """Nothing to search for."""
        return not self.words and not self.grams

    def weight(self, term: str) -> float:
        """The term's weight in the query (1 unless a modifier's or a Latin token's)."""
        return self.weights.get(term, 1.0)


def plan_query(text: str, segmenter: Segmenter) -> QueryPlan:
    """Analyse a need (`need.analyse_need`): grams of its content words (stopwords kept, see the module text)
    plus its modifiers' grams at MODIFIER_WEIGHT; boilerplate and Latin tokens give no grams; words without
    stopwords and boilerplate, Latin tokens boosted; segments of content words only."""
    need = analyse_need(text, segmenter)
    grams = char_bigrams(need.text_of(Role.CONTENT, Role.STOP, Role.NAME))
    weights: dict[str, float] = {}
    for role, weight in GRAM_WEIGHTS.items():
        if weight <= 0:
            continue
        extra = [g for g in char_bigrams(need.text_of(Role.CONTENT, Role.STOP, role)) if g not in grams]
        weights.update(dict.fromkeys(extra, weight))
        grams += extra
    words, word_weights = _query_words(text, need, segmenter)
    weights.update(word_weights)
    whole = need.text_of(Role.CONTENT, Role.LATIN, Role.NAME)
    segments = [s for s in whole.split() if len(s) >= MIN_PHRASE_CHARS]
    return QueryPlan(text, words, grams, segments, weights, need.concepts)


def _query_words(text: str, need: NeedAnalysis, segmenter: Segmenter) -> tuple[list[str], dict[str, float]]:
    """Search-mode words without stopwords and boilerplate (all stopword-free words if none is left), with
    the weights of modifiers and Latin tokens."""
    content = set(need.words_of(Role.CONTENT))
    lists = load_need_words()
    words, weights = [], {}
    for word in dict.fromkeys(own_substance_words(segmenter.tokenize(text), normalize_text(text))):
        role = Role.CONTENT if word in content else word_role(word, segmenter, lists)
        if role in (Role.STOP, Role.BOILERPLATE):
            continue
        words.append(word)
        if role != Role.CONTENT:
            weights[word] = MODIFIER_WEIGHT if role == Role.MODIFIER else LATIN_WORD_BOOST
    return (words, weights) if words else (segmenter.query_terms(text), {})


def field_tokens(title: str, body: str, segmenter: Segmenter) -> dict[str, list[str]]:
    """The four indexed fields of one document."""
    norm_title, norm_body = normalize_text(title), normalize_text(body)
    title_words = own_substance_words(segmenter.tokenize_normalized(norm_title), norm_title)
    title_grams = normalized_char_grams(norm_title)
    return {
        "grams": normalized_char_bigrams(norm_title) + normalized_char_bigrams(norm_body),
        "words": title_words + own_substance_words(segmenter.tokenize_normalized(norm_body), norm_body),
        "title_grams": title_grams,
        "title_words": title_words,
    }


def matched_terms(plan: QueryPlan, title: str, body: str) -> list[str]:
    """Query words that occur in the document (Latin tokens whole), longest first, none inside a longer one found
    (what `chains` measures a match's coverage of a node name by)."""
    return _found_terms(plan.words, title, body)


def shown_terms(plan: QueryPlan, title: str, body: str) -> list[str]:
    """The terms a reader is shown (highlighting and the "matched terms" reason): `matched_terms` with the need's
    concepts joined from single characters as candidates too (二噁英, which no search word is), and without a
    single Chinese character when anything longer is found: search-mode words hold fragments (光 of 光催化剂,
    二/噁/英 of 二噁英) that say nothing to a reader beside the whole word."""
    joined = [c.text for c in plan.concepts if CJK_CHAR.search(c.text)]
    found = _found_terms([*plan.words, *joined], title, body)
    if any(len(w) > 1 for w in found):
        found = [w for w in found if len(w) > 1 or not CJK_CHAR.match(w)]
    return found


def _found_terms(candidates: Sequence[str], title: str, body: str) -> list[str]:
    """The candidates the document holds, none inside a longer one found, longest first."""
    text = " ".join(normalized_document(title, body))
    found = [w for w in dict.fromkeys(candidates) if contains_term(text, w)]
    found = [w for w in found if not any(w != o and w in o for o in found)]
    return sorted(found, key=lambda w: (-len(w), w))


@lru_cache(maxsize=NORMALIZED_CACHE)
def normalized_document(title: str, body: str) -> tuple[str, str]:
    """A stored (title, body) normalised (`normalize_text`): NFKC costs ~50 µs a document, and the candidates of one
    need are largely those of the last ones, so the most recent NORMALIZED_CACHE documents are kept (~4 MB)."""
    return normalize_text(title), normalize_text(body)


def phrase_hits(plan: QueryPlan, title: str, body: str) -> float:
    """Verbatim segment evidence: 1 per segment in the title, PHRASE_BODY_SHARE per segment only in the body."""
    if not plan.segments:
        return 0.0
    norm_title, norm_body = normalized_document(title, body)
    hits = 0.0
    for segment in plan.segments:
        if contains_term(norm_title, segment):
            hits += 1.0
        elif contains_term(norm_body, segment):
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
            scores += weight * self.fields[name].score(terms, [plan.weight(t) for t in terms])
        return rerank_candidates(scores, plan, self.docs, self.fields["words"].df, len(self.docs))


def rerank_candidates(
    scores: Scores,
    plan: QueryPlan,
    docs: Sequence[tuple[str, str]],
    doc_freq: Callable[[str], int] | None = None,
    n_docs: int = 0,
) -> Scores:
    """The top PHRASE_RERANK_DEPTH candidates scaled by how much of the need they cover (COVERAGE_FLOOR at
    none), the others by the floor, then the phrase bonus (`add_phrase_bonus`). `doc_freq` (documents holding
    a word in the words field, out of `n_docs`) weighs the concepts by technicality."""
    return rerank_candidate_texts(scores, plan, docs, doc_freq, n_docs)[0]


def rerank_candidate_texts(
    scores: Scores,
    plan: QueryPlan,
    docs: Sequence[tuple[str, str]],
    doc_freq: Callable[[str], int] | None = None,
    n_docs: int = 0,
) -> tuple[Scores, list[tuple[str, str]]]:
    """`rerank_candidates` and the candidates' texts, normalised for the top PHRASE_RERANK_DEPTH (for the learned
    reranker, `search.rerank`, which reads the same texts)."""
    if not plan.concepts or not len(scores) or scores.max() <= 0:
        return add_phrase_bonus(scores, plan, docs), list(docs)
    concepts = (
        plan.concepts
        if doc_freq is None
        else weigh_by_technicality(plan.concepts, doc_freq, n_docs, plan.technicality_power)
    )
    depth = min(PHRASE_RERANK_DEPTH, len(scores))
    top = set(np.argpartition(-scores, depth - 1)[:depth].tolist())
    factors = np.full(len(scores), COVERAGE_FLOOR)
    share_of = coverage_scorer(concepts)
    # each candidate's text normalised once (`normalized_document`), so the phrase bonus below reads the same texts
    normalized = [normalized_document(t, b) if row in top else (t, b) for row, (t, b) in enumerate(docs)]
    for row in top:
        if scores[row] > 0:
            title, body = normalized[row]
            share = share_of(f"{title} {body}")
            factors[row] = COVERAGE_FLOOR + (1.0 - COVERAGE_FLOOR) * share
    return add_phrase_bonus(scores * factors, plan, normalized), normalized


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
