"""Lexical scoring: query plans, phrase bonus, matched terms, the in-memory fielded scorer."""

from __future__ import annotations

import numpy as np

from techbridge.search.lexical import (
    InMemoryLexical,
    QueryPlan,
    add_phrase_bonus,
    field_tokens,
    matched_terms,
    phrase_hits,
    plan_query,
    shown_terms,
)
from techbridge.search.tokenize import default_segmenter

DOCS = [
    ("锂电池正极材料制备", "高镍三元正极材料"),
    ("锂电池隔膜", "陶瓷涂覆隔膜，提升电池安全"),
    ("水稻育种", "盐碱地水稻"),
]


class TestPlanQuery:
    def test_words_drop_stopwords_grams_keep_everything(self) -> None:
        plan = plan_query("一种锂电池的技术", default_segmenter())
        assert "一种" not in plan.words
        assert "一种" in plan.grams
        assert plan.segments == ["锂电池"]

    def test_stopword_only_query_keeps_its_text(self) -> None:
        plan = plan_query("技术", default_segmenter())
        assert plan.segments == ["技术"]
        assert not plan.is_empty

    def test_empty_query(self) -> None:
        assert plan_query("，", default_segmenter()).is_empty


class TestPhrase:
    def test_title_counts_full_body_half(self) -> None:
        plan = QueryPlan("x", ["正极材料"], [], ["正极材料", "隔膜"])
        assert phrase_hits(plan, "正极材料", "") == 0.5
        assert phrase_hits(plan, "", "隔膜") == 0.25
        assert phrase_hits(QueryPlan("x", [], []), "a", "b") == 0.0

    def test_bonus_raises_verbatim_matches(self) -> None:
        plan = QueryPlan("x", [], [], ["隔膜"])
        scores = add_phrase_bonus(np.array([1.0, 1.0, 0.0]), plan, DOCS)
        assert scores[1] > scores[0]
        assert scores[2] == 0.0

    def test_no_bonus_without_positive_scores(self) -> None:
        plan = QueryPlan("x", [], [], ["隔膜"])
        assert add_phrase_bonus(np.zeros(3), plan, DOCS).tolist() == [0.0, 0.0, 0.0]


class TestMatchedTerms:
    def test_longest_terms_only(self) -> None:
        plan = QueryPlan("x", ["锂电池", "电池", "芯片"], [])
        assert matched_terms(plan, "锂电池隔膜", "") == ["锂电池"]

    def test_no_single_character_fragment_beside_a_longer_term(self) -> None:
        plan = plan_query("光催化剂降解有机污染物", default_segmenter())
        assert "光" in plan.words  # a search-mode fragment of 光催化剂
        assert shown_terms(plan, "异相光催化原理、TiO2光催化剂的应用", "") == ["催化剂"]
        assert "光" in matched_terms(plan, "异相光催化原理、TiO2光催化剂的应用", "")  # chains measure coverage by it

    def test_a_word_cut_into_characters_is_shown_whole(self) -> None:
        plan = plan_query("垃圾焚烧二噁英排放控制", default_segmenter())
        assert shown_terms(plan, "一种降低铅冶炼烟气中二噁英浓度的新型布袋", "") == ["二噁英"]

    def test_a_single_character_need_still_shows_its_match(self) -> None:
        assert shown_terms(plan_query("光", default_segmenter()), "光学元件", "") == ["光"]


class TestInMemoryLexical:
    def test_relevant_document_ranks_first(self) -> None:
        lexical = InMemoryLexical(DOCS, default_segmenter())
        scores = lexical.score(plan_query("正极材料", default_segmenter()))
        assert int(np.argmax(scores)) == 0
        assert scores[2] == 0.0

    def test_fields(self) -> None:
        fields = field_tokens("芯片", "设计", default_segmenter())
        assert fields["title_words"] == ["芯片"]
        assert fields["grams"] == ["芯片", "设计"]
        assert fields["title_grams"] == ["芯", "片", "芯片"]

    def test_query_grams_are_bigrams_and_single_characters_still_find_titles(self) -> None:
        assert plan_query("黄铜管", default_segmenter()).grams == ["黄铜", "铜管"]
        lexical = InMemoryLexical([("黄铜管材", "冷轧工艺"), ("铝合金型材", "挤压工艺")], default_segmenter())
        scores = lexical.score(plan_query("铜", default_segmenter()))
        assert scores[0] > 0
        assert scores[1] == 0.0
