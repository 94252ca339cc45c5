"""Needs written in English, matched across languages against a Chinese registry (search/crosslingual.py)."""

from __future__ import annotations

import numpy as np
import pytest

from techbridge.search import crosslingual
from techbridge.search.fulltext import Filters, FulltextIndex, IndexDocument
from techbridge.search.hybrid import SEMANTIC_ONLY_MIN, search_cross_lingual
from techbridge.search.lexical import plan_query
from techbridge.search.tokenize import default_segmenter
from techbridge.search.vectors import ExactVectorIndex


@pytest.mark.parametrize(
    ("text", "english"),
    [
        ("lithium battery cathode cycle life", True),
        ("TPU foaming process", True),
        ("TPU foaming", False),
        ("Roots blower noise", True),
        ("FPGA", False),  # an acronym alone: the lexical side finds it in Chinese records
        ("CAR-T", False),
        ("5G base station", True),
        ("PLC MES integration", False),  # acronyms do not count: the lexical side finds them in Chinese records
        ("LITHIUM BATTERY CATHODE", True),  # all capitals: every word counts
        ("锂电池 cathode material", False),  # any Chinese character: the Chinese path
        ("", False),
    ],
)
def test_which_needs_are_read_as_english(text: str, english: bool) -> None:
    assert crosslingual.is_cross_lingual(text) is english


def test_the_probes_are_shipped_and_unrelated_to_each_other() -> None:
    probes = crosslingual.probe_needs()
    assert len(probes) >= 20
    assert len(set(probes)) == len(probes)
    assert all(crosslingual.is_cross_lingual(p) for p in probes)


def test_a_record_close_to_every_english_need_loses_its_lead() -> None:
    similarity = {"hub": 0.84, "topic": 0.82, "other": 0.78}
    hub = {"hub": 0.83, "topic": 0.76, "other": 0.76}  # mean similarity to the probe needs
    z = crosslingual.corrected_z(similarity, hub)
    assert max(z, key=lambda k: z[k]) == "topic"
    assert z["hub"] < z["topic"]
    assert sum(z.values()) == pytest.approx(0.0, abs=1e-9)


def test_hubness_is_the_mean_similarity_to_the_probes() -> None:
    probes = np.stack([np.array([1.0, 0.0], dtype=np.float32), np.array([0.0, 1.0], dtype=np.float32)])

    vectors = ExactVectorIndex(["a", "b"], np.stack([_unit(1.0, 0.0), _unit(0.6, 0.8)]))
    hub = crosslingual.hubness(probes, vectors.best_similarities, ["a", "b", "c"])
    assert hub == pytest.approx({"a": 0.5, "b": 0.7})


def _unit(*values: float) -> np.ndarray:
    vector = np.array(values, dtype=np.float32)
    return vector / np.linalg.norm(vector)


class TestSearchCrossLingual:
    """Over a real tantivy index and exact vectors: dimension 0 is the need's subject, dimension 1 "being English"
    (what the probes share), dimension 2 anything else."""

    @pytest.fixture
    def index(self) -> FulltextIndex:
        built = FulltextIndex(None, default_segmenter())
        built.upsert(
            [
                IndexDocument(
                    "a:1", "ELECTRONIC DEVICE FOR PROVIDING PLATFORM", "workflow", {"visibility": ["public"]}
                ),
                IndexDocument("a:2", "锂电池正极材料循环寿命提升", "高镍三元", {"visibility": ["public"]}),
                IndexDocument("a:3", "锂电池正极包覆（未公开）", "包覆", {"visibility": ["owner"]}),
                IndexDocument("a:4", "水稻育种", "盐碱地", {"visibility": ["public"]}),
                IndexDocument("a:5", "Lithium cathode coating", "cathode", {"visibility": ["public"]}),
            ]
        )
        return built

    def _search(self, index: FulltextIndex, text: str, filters: Filters | None) -> list[str]:
        keys = ["a:1", "a:2", "a:3", "a:4", "a:5"]
        matrix = np.stack(
            [
                _unit(0.5, 1.0, 0.0),
                _unit(1.0, 0.1, 0.2),
                _unit(1.0, 0.1, 0.1),
                _unit(0.0, 0.1, 1.0),
                _unit(0.6, 1.0, 0.0),
            ]
        )
        hits = search_cross_lingual(
            index,
            plan_query(text, default_segmenter()),
            filters,
            vectors=ExactVectorIndex(keys, matrix),
            query_vector=_unit(1.0, 1.0, 0.0),
            probes=np.stack([_unit(0.0, 1.0, 0.3), _unit(0.0, 1.0, -0.3)]),
            limit=3,
            lexical_depth=10,
        )
        assert all(h.semantic is None or h.semantic < 1.0 for h in hits)
        return [h.key for h in hits]

    def test_the_chinese_record_on_the_subject_beats_the_english_hub(self, index: FulltextIndex) -> None:
        keys = self._search(index, "lithium battery cathode cycle life", Filters(visible=["public"]))
        assert keys.index("a:2") < keys.index("a:1") if "a:1" in keys else keys[0] == "a:2"

    def test_an_english_record_sharing_the_need_s_words_is_kept(self, index: FulltextIndex) -> None:
        assert "a:5" in self._search(index, "lithium cathode coating", Filters(visible=["public"]))

    def test_every_hit_passes_the_filters_and_dense_only_hits_need_no_cosine_bar(self, index: FulltextIndex) -> None:
        keys = self._search(index, "lithium battery cathode cycle life", Filters(visible=["public"]))
        assert "a:3" not in keys  # owner-only, though the nearest after the hub correction
        assert "a:2" in keys  # dense-only: its cosine to the English need is below SEMANTIC_ONLY_MIN
        assert float(_unit(1.0, 1.0, 0.0) @ _unit(1.0, 0.1, 0.2)) < SEMANTIC_ONLY_MIN
        assert "a:3" in self._search(index, "lithium battery cathode cycle life", None)
