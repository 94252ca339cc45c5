"""Scoring new records against standing queries: concepts, whole-word Latin matches, thresholds, the naive twin."""

from __future__ import annotations

from techbridge.notifications.evaluate import BatchIndex, StandingQuery, concepts_of, score_batch, score_naive
from techbridge.search.tokenize import default_segmenter


def _query(key: int, text: str, threshold: float = 0.5) -> StandingQuery:
    return StandingQuery(key, concepts_of(text, default_segmenter()), threshold)


class TestConceptsOf:
    def test_stopwords_and_punctuation_are_not_concepts(self) -> None:
        words = [c.text for c in concepts_of("关于锂电池的问题，以及 TPU。", default_segmenter())]
        assert "锂电池" in words
        assert "tpu" in words
        assert "的" not in words
        assert "，" not in words


class TestScoreBatch:
    def test_a_record_covering_the_need_fits_and_says_which_concepts(self) -> None:
        batch = BatchIndex(["一种改善锂电池正极材料低温性能的方法", "粽叶清洗机"])
        fits = score_batch([_query(1, "锂电池正极材料低温性能")], batch)
        assert [(f.record_index, f.score) for f in fits] == [(0, 1.0)]
        assert set(fits[0].matched) == {"锂电池", "正极材料", "低温", "性能"}

    def test_latin_acronyms_match_whole_words_only(self) -> None:
        batch = BatchIndex(["刹那TPUS芯片", "FMC公司杀虫剂", "TPU 发泡鞋底"])
        tpu = score_batch([_query(1, "TPU", 0.9)], batch)
        fmcw = score_batch([_query(2, "FMCW", 0.1)], batch)
        assert [f.record_index for f in tpu] == [2]
        assert fmcw == []

    def test_below_the_threshold_is_not_a_fit(self) -> None:
        batch = BatchIndex(["锂电池回收"])
        assert score_batch([_query(1, "锂电池正极材料低温性能", 0.5)], batch) == []
        assert len(score_batch([_query(1, "锂电池正极材料低温性能", 0.2)], batch)) == 1

    def test_the_indexed_scorer_agrees_with_the_naive_loop(self) -> None:
        texts = ["锂电池正极材料", "高镍三元正极", "TPU发泡", "机器人减速器", "谐波减速器 RV减速器", "低温锂电池"]
        queries = [
            _query(1, "锂电池正极材料", 0.3),
            _query(2, "减速器", 0.5),
            _query(3, "TPU 发泡", 0.5),
            _query(4, "低温 锂电池", 0.4),
        ]
        assert score_batch(queries, BatchIndex(texts)) == score_naive(queries, texts)


class TestNeedWords:
    def test_boilerplate_is_no_concept_and_modifiers_weigh_less(self) -> None:
        concepts = {c.text: c.weight for c in concepts_of("新型高效钢渣处理装备相关问题", default_segmenter())}
        assert "问题" not in concepts
        assert "相关" not in concepts
        assert concepts["钢渣"] > concepts.get("新型", 0.0)

    def test_a_modifier_only_match_does_not_fit(self) -> None:
        batch = BatchIndex(["新型高效粽叶清洗机", "一种钢渣处理装备"])
        fits = score_batch([_query(1, "新型高效钢渣处理装备", 0.5)], batch)
        assert [f.record_index for f in fits] == [1]
