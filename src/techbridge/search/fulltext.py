"""The persistent lexical engine: a tantivy index over pre-tokenised fields, with filter fields.

Each field is BM25-scored by tantivy (k1 = 1.2, b = 0.75, Lucene idf — the same formula as `bm25.py`) and the
per-field scores are summed with `lexical.FIELD_WEIGHTS` through boosted term queries. Filters are constant-score
clauses, so they restrict without changing the ranking. Adds and deletes are incremental (commit per batch).
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import tantivy

from techbridge.search.lexical import (
    FIELD_WEIGHTS,
    QueryPlan,
    field_tokens,
    plan_query,
    rerank_candidate_texts,
)
from techbridge.search.need import Concept, weigh_by_technicality
from techbridge.search.rerank import RANKER_DEPTH, DocFreq, Ranker, apply_ranker
from techbridge.search.static import STATIC_DEPTH, DocVectors, StaticModel
from techbridge.search.tokenize import Segmenter

PLAN_CACHE_SIZE = 256
"""Analysed needs kept per index (`FulltextIndex.plan`); a plan is read, never changed, by the searches."""

WRITER_HEAP = 64_000_000
"""Bytes of tantivy writer memory for incremental updates; a bulk rebuild may pass more (fewer segments)."""
PAYLOAD_SEPARATOR = "\x1f"
"""ASCII unit separator between the stored title and body."""
STORED_BODY_CHARS = 600
"""Body characters kept in the index for phrase evidence and explanations."""
TAG_FIELDS = ("entity", "kind", "region", "field", "owner_type", "visibility")
NUMBER_FIELDS = ("trl", "owner_id", "year")


@dataclass(frozen=True)
class IndexDocument:
    """One searchable record: key "entity:id", text, and filterable tags and numbers."""

    key: str
    title: str
    body: str
    tags: dict[str, list[str]] = field(default_factory=dict)
    numbers: dict[str, int] = field(default_factory=dict)
    tokens: dict[str, list[str]] | None = None
    """Pre-computed `lexical.field_tokens` (e.g. from worker processes); computed on indexing when None."""


@dataclass(frozen=True)
class Filters:
    """Restrictions on a search; None means unrestricted. `visible` = allowed visibilities, or own records."""

    tags: dict[str, list[str]] = field(default_factory=dict)
    ranges: dict[str, tuple[int | None, int | None]] = field(default_factory=dict)
    visible: list[str] | None = None
    owner_id: int | None = None

    def admits(self, document: IndexDocument) -> bool:
        """Whether `document` passes these filters: the test `FulltextIndex` applies, in Python (the alert job checks
        new records with it, so a saved search admits exactly what its search would show): each tag takes any of
        its values, a range needs the number present and within it, visibility is a visible tag or the owner."""
        for name, values in self.tags.items():
            if values and not set(values) & set(document.tags.get(name, ())):
                return False
        for name, (low, high) in self.ranges.items():
            number = document.numbers.get(name)
            if (low is not None or high is not None) and (
                number is None or (low is not None and number < low) or (high is not None and number > high)
            ):
                return False
        if self.visible is None:
            return True
        owned = self.owner_id is not None and document.numbers.get("owner_id") == self.owner_id
        return owned or bool(set(self.visible) & set(document.tags.get("visibility", ())))


@dataclass(frozen=True)
class LexicalHit:
    """A lexical result: key, score, stored title and body lead (`lexical.matched_terms` gives the query terms
    it contains; computed by callers for the hits they show, not for every candidate)."""

    key: str
    score: float
    title: str
    body: str


@dataclass(frozen=True)
class Candidates:
    """The first stage's candidates of one query: keys, stored (title, body), the same texts normalised where
    the coverage factor read them, fielded BM25 scores, lexical scores, and the index's document frequencies."""

    keys: list[str]
    docs: list[tuple[str, str]]
    texts: list[tuple[str, str]]
    first_stage: np.ndarray
    scores: np.ndarray
    doc_freq: DocFreq
    n_docs: int


TANTIVY_META = "meta.json"
"""The file tantivy replaces (write to a temporary file, then rename) on every commit."""


def pack_payload(title: str, body: str) -> bytes:
    """Stored title and body lead: UTF-8 joined by PAYLOAD_SEPARATOR (a JSON object cost ~35 µs a document to
    encode in a bulk build); the separator is removed from the title, which comes first."""
    return f"{title.replace(PAYLOAD_SEPARATOR, ' ')}{PAYLOAD_SEPARATOR}{body}".encode()


def unpack_payload(raw: object) -> tuple[str, str]:
    """(title, body) from a stored payload; also reads the JSON payloads of indexes built before format 3."""
    data = raw if isinstance(raw, bytes) else b""
    if data.startswith(b'{"t"'):
        payload = json.loads(data)
        return str(payload["t"]), str(payload["b"])
    title, _, body = data.decode().partition(PAYLOAD_SEPARATOR)
    return title, body


def build_schema() -> tantivy.Schema:
    """Key, four pre-tokenised text fields, a stored payload, tag and number filter fields."""
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("key", stored=True, tokenizer_name="raw", index_option="basic")
    for name in FIELD_WEIGHTS:
        builder.add_text_field(name, tokenizer_name="whitespace", index_option="freq")
    builder.add_bytes_field("payload", stored=True)
    for name in TAG_FIELDS:
        builder.add_text_field(name, tokenizer_name="raw", index_option="basic")
    for name in NUMBER_FIELDS:
        builder.add_integer_field(name, indexed=True, fast=True)
    return builder.build()


class FulltextIndex:
    """A tantivy index in a directory (or in memory when `path` is None)."""

    def __init__(
        self, path: Path | None, segmenter: Segmenter, *, writer_heap: int = WRITER_HEAP, writer_threads: int = 1
    ) -> None:
        self.schema = build_schema()
        self.segmenter = segmenter
        self.writer_heap = writer_heap
        self.writer_threads = writer_threads
        self.path = path
        if path is None:
            self.index = tantivy.Index(self.schema)
        else:
            path.mkdir(parents=True, exist_ok=True)
            self.index = tantivy.Index(self.schema, path=str(path))
        self._writer: Any = None
        self._seen = self._commit_stamp()
        self._plans: OrderedDict[str, QueryPlan] = OrderedDict()
        self._plans_lock = threading.Lock()
        self._doc_vectors: DocVectors | None = None

    def plan(self, text: str) -> QueryPlan:
        """`lexical.plan_query` with this index's segmenter, remembered for the last PLAN_CACHE_SIZE texts: a match
        searches achievements and experts with the same need, and paging or filtering repeats it."""
        with self._plans_lock:
            plan = self._plans.get(text)
            if plan is not None:
                self._plans.move_to_end(text)
                return plan
        plan = plan_query(text, self.segmenter)
        with self._plans_lock:
            self._plans[text] = plan
            if len(self._plans) > PLAN_CACHE_SIZE:
                self._plans.popitem(last=False)
        return plan

    def technical_concepts(self, plan: QueryPlan) -> list[Concept]:
        """The plan's concepts weighted by how technical they are in this index (`need.weigh_by_technicality`, the
        document frequencies of the words field), as the coverage factor of `candidates` weighs them."""
        searcher = self.index.searcher()
        return weigh_by_technicality(
            plan.concepts,
            lambda word: int(searcher.doc_freq("words", word)),
            int(searcher.num_docs),
            plan.technicality_power,
        )

    def _commit_stamp(self) -> tuple[int, int, int]:
        """(inode, mtime, size) of tantivy's meta.json, which every commit (of any process) replaces by an atomic
        rename, so a new file: the inode changes even when two commits share a clock tick; zeros in memory."""
        if self.path is None:
            return (0, 0, 0)
        try:
            stat = (self.path / TANTIVY_META).stat()
        except FileNotFoundError:
            return (0, 0, 0)
        return (stat.st_ino, stat.st_mtime_ns, stat.st_size)

    def refresh(self) -> bool:
        """Reload the searcher only when a commit (the indexer's, in another process) changed the index since the
        last look: one stat() per query instead of a reload. Returns whether it reloaded."""
        stamp = self._commit_stamp()
        if stamp == self._seen:
            return False
        self._seen = stamp
        self.index.reload()
        return True

    def _document(self, doc: IndexDocument) -> tantivy.Document:
        out = tantivy.Document()
        out.add_text("key", doc.key)
        fields = doc.tokens if doc.tokens is not None else field_tokens(doc.title, doc.body, self.segmenter)
        for name, tokens in fields.items():
            out.add_text(name, " ".join(tokens))
        out.add_bytes("payload", pack_payload(doc.title, doc.body[:STORED_BODY_CHARS]))
        for name, values in doc.tags.items():
            for value in values:
                out.add_text(name, value)
        for name, number in doc.numbers.items():
            out.add_integer(name, number)
        return out

    def writer(self) -> Any:
        """The (single) index writer, opened on first use."""
        if self._writer is None:
            self._writer = self.index.writer(heap_size=self.writer_heap, num_threads=self.writer_threads)
        return self._writer

    def upsert(self, docs: Iterable[IndexDocument], *, commit: bool = True) -> int:
        """Replace documents by key; returns how many were written."""
        writer, count = self.writer(), 0
        for doc in docs:
            writer.delete_documents_by_term("key", doc.key)
            writer.add_document(self._document(doc))
            count += 1
        if commit:
            self.commit()
        return count

    def add_new(self, docs: Iterable[IndexDocument], *, commit: bool = True) -> int:
        """Add documents known not to be in the index yet (a fresh build): `upsert` without the delete by key,
        which costs ~20 µs a document in a bulk build. Adding a key twice this way leaves two documents."""
        writer, count = self.writer(), 0
        for doc in docs:
            writer.add_document(self._document(doc))
            count += 1
        if commit:
            self.commit()
        return count

    def delete(self, keys: Sequence[str]) -> None:
        """Remove documents by key."""
        writer = self.writer()
        for key in keys:
            writer.delete_documents_by_term("key", key)
        self.commit()

    def commit(self) -> None:
        """Make written changes searchable."""
        if self._writer is not None:
            self._writer.commit()
            self._writer.wait_merging_threads()
            self._writer = None
        self._seen = self._commit_stamp()
        self.index.reload()

    def count(self) -> int:
        """Documents in the index."""
        return int(self.index.searcher().num_docs)

    def search(
        self,
        plan: QueryPlan,
        filters: Filters | None = None,
        limit: int = 100,
        *,
        ranker: Ranker | None = None,
        static: StaticModel | None = None,
    ) -> list[LexicalHit]:
        """Top `limit` documents by fielded BM25 plus coverage and phrase bonus (applied within those `limit`),
        filtered; with a `ranker`, the top RANKER_DEPTH of at least RANKER_DEPTH candidates reordered by it; with a
        `static` model, at least STATIC_DEPTH candidates reordered by their fused cosine (`search.static`)."""
        depth = max(limit, RANKER_DEPTH) if ranker is not None else limit
        found = self.candidates(plan, filters, max(depth, STATIC_DEPTH) if static is not None else depth)
        scores = found.scores
        if ranker is not None:
            scores = apply_ranker(ranker, plan, found.texts, found.first_stage, scores, found.doc_freq, found.n_docs)
        if static is not None:
            scores = self.doc_vectors(static).rerank(plan, found.docs, scores)
        order = sorted(range(len(found.keys)), key=lambda i: -scores[i])[:limit]
        return [LexicalHit(found.keys[i], float(scores[i]), *found.docs[i]) for i in order]

    def doc_vectors(self, model: StaticModel) -> DocVectors:
        """The candidate-vector cache of this index for `model` (a new cache when the model changes)."""
        if self._doc_vectors is None or self._doc_vectors.model is not model:
            self._doc_vectors = DocVectors(model, self.segmenter)
        return self._doc_vectors

    def candidates(self, plan: QueryPlan, filters: Filters | None, depth: int) -> Candidates:
        """The first stage: top `depth` by fielded BM25, then coverage and phrase bonus (`rerank_candidate_texts`)."""
        if plan.is_empty:
            return Candidates([], [], [], np.zeros(0), np.zeros(0), lambda name, term: 0, 0)
        query = self._scoring_query(plan)
        if filters is not None:
            query = tantivy.Query.boolean_query(
                [(tantivy.Occur.Must, query), (tantivy.Occur.Must, self._filter_query(filters))]
            )
        searcher = self.index.searcher()
        rows = [(float(score), searcher.doc(address)) for score, address in searcher.search(query, depth).hits]
        docs = [unpack_payload(doc.get_first("payload")) for _, doc in rows]
        first = np.array([s for s, _ in rows], dtype=np.float64)
        n_docs = int(searcher.num_docs)

        def doc_freq(name: str, term: str) -> int:
            return int(searcher.doc_freq(name, term))

        scores, texts = rerank_candidate_texts(first, plan, docs, lambda word: doc_freq("words", word), n_docs)
        keys = [str(doc.get_first("key")) for _, doc in rows]
        return Candidates(keys, docs, texts, first, scores, doc_freq, n_docs)

    def lookup(self, keys: Sequence[str], filters: Filters | None = None) -> list[LexicalHit]:
        """The documents among `keys` that pass `filters`, with score 0 (for candidates found by other signals)."""
        if not keys:
            return []
        query = tantivy.Query.term_set_query(self.schema, "key", list(keys))
        if filters is not None:
            query = tantivy.Query.boolean_query(
                [(tantivy.Occur.Must, query), (tantivy.Occur.Must, self._filter_query(filters))]
            )
        searcher = self.index.searcher()
        hits = []
        for _, address in searcher.search(query, len(keys)).hits:
            doc = searcher.doc(address)
            title, body = unpack_payload(doc.get_first("payload"))
            hits.append(LexicalHit(str(doc.get_first("key")), 0.0, title, body))
        return hits

    def _scoring_query(self, plan: QueryPlan) -> tantivy.Query:
        clauses = []
        for name, weight in FIELD_WEIGHTS.items():
            terms = plan.words if name.endswith("words") else plan.grams
            for term in dict.fromkeys(terms):
                term_query = tantivy.Query.term_query(self.schema, name, term)
                boost = weight * plan.weight(term)
                clauses.append((tantivy.Occur.Should, tantivy.Query.boost_query(term_query, boost)))
        return tantivy.Query.boolean_query(clauses)

    def _filter_query(self, filters: Filters) -> tantivy.Query:
        must: list[tuple[Any, tantivy.Query]] = []
        for name, values in filters.tags.items():
            if values:
                must.append((tantivy.Occur.Must, self._any_term(name, values)))
        for name, (low, high) in filters.ranges.items():
            if low is not None or high is not None:
                must.append(
                    (
                        tantivy.Occur.Must,
                        tantivy.Query.range_query(
                            self.schema,
                            name,
                            tantivy.FieldType.Integer,
                            low if low is not None else -(2**62),
                            high if high is not None else 2**62,
                        ),
                    )
                )
        if filters.visible is not None:
            must.append((tantivy.Occur.Must, self._visibility_query(filters)))
        query = tantivy.Query.boolean_query(must) if must else tantivy.Query.all_query()
        return tantivy.Query.const_score_query(query, 0.0)

    def _visibility_query(self, filters: Filters) -> tantivy.Query:
        should = [(tantivy.Occur.Should, self._any_term("visibility", filters.visible or [""]))]
        if filters.owner_id is not None:
            should.append((tantivy.Occur.Should, tantivy.Query.term_query(self.schema, "owner_id", filters.owner_id)))
        return tantivy.Query.boolean_query(should)

    def _any_term(self, name: str, values: Sequence[str]) -> tantivy.Query:
        """Documents whose field `name` holds one of `values`: term queries (a term set query marks every matching
        document before the search starts, ~3× slower beside a need's terms on the real registry)."""
        terms = [tantivy.Query.term_query(self.schema, name, value) for value in dict.fromkeys(values)]
        if len(terms) == 1:
            return terms[0]
        return tantivy.Query.boolean_query([(tantivy.Occur.Should, term) for term in terms])
