"""Pure scoring of a batch of new records against many standing queries (subscriptions).

A subscription's query is cut into its concepts: plain rjieba segmentation; stopwords, punctuation and the need
boilerplate of `search/need.py` dropped; its modifiers (新型, 高效, 提高 …) down-weighted; Latin words and acronyms
kept whole. A record fits when it covers enough of them: the score is the weighted share of the query's concepts
found in the record's text (weight = min(len, 4) for Chinese words, 3 for Latin words), so it reads the same for a
batch of one record or of ten thousand and can be compared with a fixed threshold.

Speed: the batch is indexed once by character bigram (Chinese concepts are checked only on records holding all their
bigrams) and by whole Latin word; each distinct concept is looked up once per batch, however many subscriptions share
it. `score_naive` is the plain double loop the benchmark compares against.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import reduce

from techbridge.search.need import MODIFIER_WEIGHT, Role, load_need_words, word_role
from techbridge.search.tokenize import Segmenter, normalize_text

MAX_CONCEPTS = 24
LATIN_WEIGHT = 3.0
BODY_SHARE = 0.25
_LATIN = re.compile(r"[a-z0-9][a-z0-9+\-.]*[a-z0-9+]|[a-z0-9]")
_CJK = re.compile(r"^[\u3400-\u9fff\uf900-\ufaff]+$")


@dataclass(frozen=True)
class Concept:
    """One concept of a query and its weight."""

    text: str
    weight: float

    @property
    def is_latin(self) -> bool:
        """A Latin word, acronym or number: matched as a whole word only (TPU never inside TPUS or FMC inside FMCW)."""
        return _LATIN.fullmatch(self.text) is not None


@dataclass(frozen=True)
class StandingQuery:
    """A subscription as the scorer sees it."""

    key: int
    concepts: tuple[Concept, ...]
    threshold: float

    @property
    def total_weight(self) -> float:
        """Sum of the concepts' weights."""
        return sum(c.weight for c in self.concepts)


@dataclass(frozen=True)
class Fit:
    """A record that fits a standing query: its score and the concepts it covers."""

    query_key: int
    record_index: int
    score: float
    matched: tuple[str, ...]
    total: int


def concepts_of(text: str, segmenter: Segmenter) -> tuple[Concept, ...]:
    """The query's distinct concepts, in order, at most MAX_CONCEPTS. The first line is the title (a saved demand's
    title, a search's text): its concepts weigh fully; those of later lines (a description) weigh BODY_SHARE."""
    title, _, body = text.partition("\n")
    lists = load_need_words()
    seen: dict[str, Concept] = {}
    for part, share in ((title, 1.0), (body, BODY_SHARE)):
        for raw in segmenter.cut(part):
            word = raw.strip()
            role = word_role(word, segmenter, lists)
            if word in seen or role in (Role.STOP, Role.BOILERPLATE):
                continue
            weight = _weight(word) * (MODIFIER_WEIGHT if role is Role.MODIFIER else 1.0)
            if weight:
                seen[word] = Concept(word, weight * share)
    return tuple(seen.values())[:MAX_CONCEPTS]


def _weight(word: str) -> float:
    """Chinese words by length (capped at 4), Latin words and acronyms 3; single letters and bare numbers 0."""
    if _LATIN.fullmatch(word):
        return LATIN_WEIGHT if len(word) >= 2 and any(ch.isalpha() for ch in word) else 0.0
    if len(word) >= 2 and _CJK.match(word):
        return float(min(len(word), 4))
    return 0.0


class BatchIndex:
    """The texts of one batch of records, findable by concept."""

    def __init__(self, texts: Sequence[str]) -> None:
        self.texts = [normalize_text(t) for t in texts]
        self._bigrams: dict[str, set[int]] = defaultdict(set)
        self._latin: dict[str, set[int]] = defaultdict(set)
        for index, text in enumerate(self.texts):
            for start in range(len(text) - 1):
                self._bigrams[text[start : start + 2]].add(index)
            for word in _LATIN.findall(text):
                self._latin[word].add(index)
        self._memo: dict[str, frozenset[int]] = {}

    def __len__(self) -> int:
        return len(self.texts)

    def records_with(self, concept: Concept) -> frozenset[int]:
        """Indexes of the records containing the concept (memoised for the batch)."""
        found = self._memo.get(concept.text)
        if found is None:
            found = self._find(concept)
            self._memo[concept.text] = found
        return found

    def _find(self, concept: Concept) -> frozenset[int]:
        if concept.is_latin:
            return frozenset(self._latin.get(concept.text, ()))
        word = concept.text
        grams = [self._bigrams.get(word[i : i + 2], set()) for i in range(len(word) - 1)]
        if not grams:
            return frozenset(i for i, text in enumerate(self.texts) if word in text)
        ordered = sorted(grams, key=len)
        candidates = reduce(set.intersection, ordered[1:], set(ordered[0]))
        return frozenset(i for i in candidates if word in self.texts[i])


def score_batch(queries: Iterable[StandingQuery], batch: BatchIndex) -> list[Fit]:
    """Every (query, record) pair whose coverage reaches the query's threshold, best first per query."""
    fits: list[Fit] = []
    for query in queries:
        total = query.total_weight
        if total <= 0:
            continue
        covered: dict[int, list[Concept]] = defaultdict(list)
        for concept in query.concepts:
            for index in batch.records_with(concept):
                covered[index].append(concept)
        fits.extend(_fits_of(query, covered, total))
    return fits


def _fits_of(query: StandingQuery, covered: dict[int, list[Concept]], total: float) -> list[Fit]:
    found = []
    for index, concepts in covered.items():
        score = sum(c.weight for c in concepts) / total
        if score >= query.threshold:
            matched = tuple(c.text for c in concepts)
            found.append(Fit(query.key, index, round(score, 4), matched, len(query.concepts)))
    return sorted(found, key=lambda f: (-f.score, f.record_index))


def score_naive(queries: Iterable[StandingQuery], texts: Sequence[str]) -> list[Fit]:
    """The same result by the plain double loop (every query × every record): the benchmark's baseline."""
    normalized = [normalize_text(t) for t in texts]
    latin = [set(_LATIN.findall(t)) for t in normalized]
    fits: list[Fit] = []
    for query in queries:
        total = query.total_weight
        if total <= 0:
            continue
        covered: dict[int, list[Concept]] = {}
        for index, text in enumerate(normalized):
            hit = [c for c in query.concepts if (c.text in latin[index] if c.is_latin else c.text in text)]
            if hit:
                covered[index] = hit
        fits.extend(_fits_of(query, covered, total))
    return fits
