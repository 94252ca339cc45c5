"""The learned reranker: features, the shipped model, reordering inside the lexical search."""

from __future__ import annotations

import lightgbm
import numpy as np
import pytest

from techbridge.search.fulltext import FulltextIndex, IndexDocument
from techbridge.search.lexical import plan_query
from techbridge.search.rerank import (
    FEATURES,
    QueryView,
    Ranker,
    apply_ranker,
    load_ranker,
    pair_features,
    plan_features,
    reorder_scores,
    view_query,
)
from techbridge.search.tokenize import default_segmenter

DOCS = [
    IndexDocument("a:1", "锂电池正极材料制备方法", "高镍三元正极材料的烧结工艺"),
    IndexDocument("a:2", "锂电池隔膜", "陶瓷涂覆隔膜，提高锂电池安全性"),
    IndexDocument("a:3", "废旧锂电池回收", "正极材料回收与再利用"),
    IndexDocument("a:4", "正极材料检测装置", "用于检测锂电池正极材料的装置"),
    IndexDocument("a:5", "FMC公司杀虫剂", "农药制剂"),
]


class LastFirstRanker(Ranker):
    """A fake model that prefers the candidate the first stage ranked last."""

    def __init__(self) -> None:
        pass

    def predict(self, features: np.ndarray) -> np.ndarray:
        return np.asarray(features[:, FEATURES.index("log_rank")], dtype=np.float64)


@pytest.fixture
def index() -> FulltextIndex:
    built = FulltextIndex(None, default_segmenter())
    built.upsert(DOCS)
    return built


def _view(text: str, index: FulltextIndex) -> QueryView:
    found = index.candidates(plan_query(text, default_segmenter()), None, 10)
    return view_query(plan_query(text, default_segmenter()), found.doc_freq, found.n_docs)


def _feature(row: list[float], name: str) -> float:
    return row[FEATURES.index(name) - 3]  # pair_features starts at "coverage", the fourth feature


class TestPairFeatures:
    def test_a_title_holding_the_whole_query(self, index: FulltextIndex) -> None:
        row = pair_features(_view("锂电池隔膜", index), "锂电池隔膜", "陶瓷涂覆隔膜", 1.0)
        assert _feature(row, "query_in_title") == 1.0
        assert _feature(row, "title_in_query") == 1.0
        assert _feature(row, "coverage") == pytest.approx(1.0)
        assert _feature(row, "title_grams") == pytest.approx(1.0)

    def test_a_record_on_another_subject(self, index: FulltextIndex) -> None:
        row = pair_features(_view("锂电池隔膜", index), "农药制剂", "杀虫剂", 0.0)
        assert _feature(row, "coverage") == 0.0
        assert _feature(row, "body_grams") == 0.0
        assert _feature(row, "query_in_title") == 0.0

    def test_latin_tokens_count_whole_only(self, index: FulltextIndex) -> None:
        view = _view("FMCW雷达", index)
        assert _feature(pair_features(view, "fmc公司杀虫剂", "", 0.0), "latin") == 0.0
        assert _feature(pair_features(view, "fmcw雷达测距", "", 0.0), "latin") == 1.0
        assert _feature(pair_features(_view("锂电池", index), "锂电池", "", 0.0), "latin") == -1.0

    def test_best_line_reads_one_line(self, index: FulltextIndex) -> None:
        row = pair_features(_view("正极材料回收", index), "某公司", "锂电池隔膜\n正极材料回收", 0.0)
        assert _feature(row, "best_line") == pytest.approx(1.0)
        assert _feature(row, "title_grams") == 0.0

    def test_a_query_without_terms_shares_nothing(self) -> None:
        row = pair_features(QueryView({}, {}, [], "", 0), "锂电池", "隔膜", 0.0)
        assert _feature(row, "title_grams") == 0.0
        assert _feature(row, "title_words") == 0.0


class TestPlanFeatures:
    def test_one_row_of_every_feature_per_candidate(self, index: FulltextIndex) -> None:
        plan = plan_query("锂电池正极材料", default_segmenter())
        found = index.candidates(plan, None, 10)
        rows = plan_features(plan, found.texts, found.first_stage, found.scores, found.doc_freq, found.n_docs)
        assert rows.shape == (len(found.keys), len(FEATURES))
        best = int(np.argmax(found.scores))
        assert rows[best, FEATURES.index("lexical")] == 1.0
        assert rows[best, FEATURES.index("log_rank")] == 0.0


class TestReorderScores:
    def test_values_are_kept_and_handed_out_in_model_order(self) -> None:
        out = reorder_scores(np.array([3.0, 2.0, 1.0]), np.array([0.1, 0.5, 0.9]))
        assert out.tolist() == [1.0, 2.0, 3.0]

    def test_ties_keep_the_first_stage_order(self) -> None:
        out = reorder_scores(np.array([3.0, 2.0, 1.0]), np.zeros(3))
        assert out.tolist() == [3.0, 2.0, 1.0]


class TestRanker:
    def test_shipped_model_loads_with_the_features(self) -> None:
        assert tuple(load_ranker().booster.feature_name()) == FEATURES

    def test_a_model_over_other_features_is_refused(self) -> None:
        data = lightgbm.Dataset(
            np.array([[0.0, 1.0], [1.0, 0.0], [0.5, 0.5], [1.0, 1.0]]),
            np.array([0.0, 1.0, 0.0, 1.0]),
            group=[2, 2],
            feature_name=["a", "b"],
        )
        params = {"objective": "lambdarank", "verbose": -1, "min_data_in_leaf": 1, "num_threads": 1}
        booster = lightgbm.train(params, data, num_boost_round=1)
        with pytest.raises(ValueError, match="features"):
            Ranker(booster.model_to_string())


class TestSearchWithRanker:
    def test_the_shipped_model_reorders_deterministically(self, index: FulltextIndex) -> None:
        plan = plan_query("锂电池正极材料回收", default_segmenter())
        first = index.search(plan, ranker=load_ranker())
        again = index.search(plan, ranker=load_ranker())
        plain = index.search(plan)
        assert [(h.key, h.score) for h in first] == [(h.key, h.score) for h in again]
        assert {h.key for h in first} == {h.key for h in plain}
        assert sorted(h.score for h in first) == pytest.approx(sorted(h.score for h in plain))

    def test_the_ranker_decides_the_order(self, index: FulltextIndex) -> None:
        plan = plan_query("锂电池正极材料", default_segmenter())
        plain = index.search(plan)
        reordered = index.search(plan, ranker=LastFirstRanker())
        assert [h.key for h in reordered] == [h.key for h in plain][::-1]
        assert reordered[0].score == plain[0].score

    def test_a_single_candidate_is_left_alone(self, index: FulltextIndex) -> None:
        plan = plan_query("隔膜", default_segmenter())
        found = index.candidates(plan, None, 100)
        scores = np.where(np.arange(len(found.scores)) == 0, found.scores, 0.0)
        out = apply_ranker(
            LastFirstRanker(), plan, found.texts, found.first_stage, scores, found.doc_freq, found.n_docs
        )
        assert out.tolist() == scores.tolist()

    def test_without_a_ranker_the_order_is_the_lexical_one(self, index: FulltextIndex) -> None:
        plan = plan_query("锂电池正极材料", default_segmenter())
        found = index.candidates(plan, None, 100)
        expected = [found.keys[i] for i in np.argsort(-found.scores, kind="stable")]
        assert [h.key for h in index.search(plan)] == expected
