"""Score fusion and the Hit record."""

from __future__ import annotations

import pytest

from techbridge.search.hybrid import DENSE_FLOOR, Hit, fuse_scores, rescale_similarity


class TestFuseScores:
    def test_lexical_is_normalised_and_semantic_added(self) -> None:
        fused = fuse_scores([("a", 10.0), ("b", 5.0)], [("b", 1.0), ("c", DENSE_FLOOR)], semantic_weight=0.5)
        assert [row[0] for row in fused] == ["a", "b", "c"]
        assert fused[1][1] == pytest.approx(0.5 + 0.5)
        assert fused[2][1] == 0.0
        assert fused[0][3] is None

    def test_no_lexical_evidence(self) -> None:
        assert fuse_scores([("a", 0.0)], [])[0][1] == 0.0

    def test_rescale_clips(self) -> None:
        assert rescale_similarity(0.0) == 0.0
        assert rescale_similarity(1.0) == pytest.approx(1.0)


class TestHit:
    def test_key_parts(self) -> None:
        hit = Hit("achievement:12", 1.0, 1.0, None)
        assert (hit.entity, hit.entity_id) == ("achievement", 12)
