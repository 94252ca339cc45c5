"""Matching search: the process-wide query-vector cache in front of the embedder."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence

import numpy as np
import pytest
from sqlalchemy.orm import Session

from techbridge.access import ANONYMOUS
from techbridge.config import Settings
from techbridge.matching import build
from techbridge.matching.search import (
    QUERY_VECTORS,
    QueryVectorCache,
    forget_probe_vectors,
    hybrid_search,
    settings_ranker,
    settings_static,
)
from techbridge.search.embed import HashingEmbedder, Matrix
from techbridge.search.rerank import load_ranker
from techbridge.search.static import load_static_model
from tests.unit.matching.seed import seed_registry


class CountingEmbedder:
    """The test HashingEmbedder, counting the query texts it is asked to embed."""

    def __init__(self, name: str = HashingEmbedder.name, dim: int = 64) -> None:
        self.inner = HashingEmbedder(dim)
        self.name = name
        self.dim = dim
        self.queries: list[str] = []

    def embed_queries(self, texts: Sequence[str]) -> Matrix:
        self.queries.extend(texts)
        return self.inner.embed_queries(texts)

    def embed_passages(self, texts: Sequence[str]) -> Matrix:
        return self.inner.embed_passages(texts)


@pytest.fixture
def empty_process_cache() -> Iterator[None]:
    QUERY_VECTORS.clear()
    forget_probe_vectors()
    yield
    QUERY_VECTORS.clear()


class TestQueryVectorCache:
    def test_repeated_text_is_embedded_once(self) -> None:
        cache, embedder = QueryVectorCache(), CountingEmbedder()
        first = cache.embed_query(embedder, "锂电池 正极材料")
        again = cache.embed_query(embedder, "  锂电池\t正极材料 ")
        assert embedder.queries == ["锂电池 正极材料"]
        assert again is first
        assert np.array_equal(first, HashingEmbedder().embed_queries(["锂电池 正极材料"])[0])

    def test_model_is_part_of_the_key(self) -> None:
        cache, e5, other = QueryVectorCache(), CountingEmbedder("model-a"), CountingEmbedder("model-b", dim=32)
        cache.embed_query(e5, "FPGA")
        vector = cache.embed_query(other, "FPGA")
        assert other.queries == ["FPGA"]
        assert vector.shape == (32,)

    def test_least_recently_used_is_evicted(self) -> None:
        cache, embedder = QueryVectorCache(size=2), CountingEmbedder()
        for text in ("a1", "b2", "a1", "c3", "a1", "b2"):
            cache.embed_query(embedder, text)
        assert embedder.queries == ["a1", "b2", "c3", "b2"]
        assert len(cache) == 2

    def test_cached_vectors_are_read_only(self) -> None:
        vector = QueryVectorCache().embed_query(CountingEmbedder(), "检测")
        with pytest.raises(ValueError, match="read-only"):
            vector[0] = 1.0

    def test_concurrent_callers_share_one_cache(self) -> None:
        cache, embedder = QueryVectorCache(size=8), CountingEmbedder()
        cache.embed_query(embedder, "warm")
        threads = [threading.Thread(target=cache.embed_query, args=(embedder, "warm")) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert embedder.queries == ["warm"]


@pytest.mark.usefixtures("empty_process_cache")
class TestHybridSearch:
    def test_second_request_skips_the_embedder(self, session: Session, settings: Settings) -> None:
        ids = seed_registry(session)
        build.rebuild_lexical(session, settings)
        build.embed_all(session, HashingEmbedder())
        embedder = CountingEmbedder()
        first = hybrid_search(
            session, settings, ANONYMOUS, text="锂电池正极材料", entity="achievement", embedder=embedder
        )
        again = hybrid_search(
            session, settings, ANONYMOUS, text="锂电池正极材料 ", entity="achievement", embedder=embedder, limit=5
        )
        assert embedder.queries == ["锂电池正极材料"]
        assert ids.battery in [h.entity_id for h in first]
        assert [(h.key, h.semantic) for h in again] == [(h.key, h.semantic) for h in first][:5]


@pytest.mark.usefixtures("empty_process_cache")
class TestEnglishNeeds:
    def test_an_english_need_is_matched_across_languages_within_the_viewer_s_visibility(
        self, session: Session, settings: Settings
    ) -> None:
        ids = seed_registry(session)
        build.rebuild_lexical(session, settings)
        build.embed_all(session, HashingEmbedder())
        embedder = CountingEmbedder()
        hits = hybrid_search(
            session,
            settings,
            ANONYMOUS,
            text="lithium battery separator coating",
            entity="achievement",
            embedder=embedder,
        )
        assert hits  # found by vectors alone: no record of the registry has an English word of the need
        assert all(h.lexical == 0.0 for h in hits)
        assert ids.hidden not in [h.entity_id for h in hits]  # owner-only
        probes = len(embedder.queries) - 1
        assert probes >= 20
        hybrid_search(
            session, settings, ANONYMOUS, text="rice breeding for saline soil", entity="achievement", embedder=embedder
        )
        assert len(embedder.queries) == probes + 2  # the probe needs are embedded once per model


class TestSettingsRanker:
    def test_off_by_default(self) -> None:
        assert Settings(env="test").search_ranker is False
        assert settings_ranker(Settings(env="test")) is None

    def test_on_gives_the_shipped_model(self) -> None:
        assert settings_ranker(Settings(env="test", search_ranker=True)) is load_ranker()

    @pytest.mark.usefixtures("empty_process_cache")
    def test_matching_with_the_ranker_finds_the_same_records(self, session: Session, settings: Settings) -> None:
        ids = seed_registry(session)
        build.rebuild_lexical(session, settings)
        kwargs = {"text": "锂电池正极材料", "entity": "achievement", "embedder": HashingEmbedder()}
        plain = hybrid_search(session, settings, ANONYMOUS, **kwargs)  # type: ignore[arg-type]
        ranked = hybrid_search(
            session,
            settings.model_copy(update={"search_ranker": True}),
            ANONYMOUS,
            **kwargs,  # type: ignore[arg-type]
        )
        assert ids.battery in [h.entity_id for h in ranked]
        assert sorted(h.key for h in ranked) == sorted(h.key for h in plain)


class TestSettingsStatic:
    def test_off_by_default(self) -> None:
        assert Settings(env="test").search_static is False
        assert settings_static(Settings(env="test")) is None

    def test_on_gives_the_shipped_model(self) -> None:
        assert settings_static(Settings(env="test", search_static=True)) is load_static_model()

    @pytest.mark.usefixtures("empty_process_cache")
    def test_matching_with_the_static_embedding_scores_by_it(self, session: Session, settings: Settings) -> None:
        ids = seed_registry(session)
        build.rebuild_lexical(session, settings)
        kwargs = {"text": "锂电池正极材料", "entity": "achievement", "embedder": HashingEmbedder()}
        plain = hybrid_search(session, settings, ANONYMOUS, **kwargs)  # type: ignore[arg-type]
        fused = hybrid_search(
            session,
            settings.model_copy(update={"search_static": True}),
            ANONYMOUS,
            **kwargs,  # type: ignore[arg-type]
        )
        assert ids.battery in [h.entity_id for h in fused]
        assert sorted(h.key for h in fused) == sorted(h.key for h in plain)
        assert [h.score for h in fused] != [h.score for h in plain]
