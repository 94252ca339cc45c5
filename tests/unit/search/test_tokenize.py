"""Tokenizer: normalisation, character grams, rjieba words with the shipped dictionary, stopwords."""

from __future__ import annotations

import unicodedata

import pytest

from techbridge.errors import InvalidDataError
from techbridge.search.tokenize import (
    CharGramTokenizer,
    Segmenter,
    char_bigrams,
    char_grams,
    default_segmenter,
    load_dictionary,
    load_stopwords,
    normalize_text,
    read_word_lines,
    stem_latin,
    unit_runs,
)


class TestNormalizeText:
    def test_full_width_becomes_half_width_lower_case(self) -> None:
        assert normalize_text("ＦＰＧＡ５Ｇ") == "fpga5g"

    @pytest.mark.parametrize(
        "text",
        [
            "精对苯二甲酸（ＰＴＡ），纯度≥９９％",
            "Ａ\u0301ｃｃｅｎｔ and ｅ\u0308",  # full-width letters followed by combining marks compose
            "\u3000锂电池\u3000",
            "①②　㎡ ﬁ Ⅻ ｶﾞ ︰",  # other compatibility characters go through NFKC itself
        ],
    )
    def test_the_same_as_nfkc_then_lower_case(self, text: str) -> None:
        assert normalize_text(text) == unicodedata.normalize("NFKC", text).lower()


class TestCharGrams:
    def test_unigrams_and_bigrams_within_runs(self) -> None:
        assert char_grams("锂电池，5G") == ["锂", "电", "池", "锂电", "电池", "5", "g", "5g"]

    def test_punctuation_splits_runs(self) -> None:
        assert "池5" not in char_grams("锂电池，5G")

    def test_tokenizer_protocol(self) -> None:
        assert CharGramTokenizer().tokenize("芯片") == ["芯", "片", "芯片"]

    def test_bigrams_keep_single_units(self) -> None:
        assert char_bigrams("芯 片材") == ["芯", "片材"]

    def test_units_of_mixed_text(self) -> None:
        assert [list(run) for run in unit_runs(normalize_text("C反应 Ti-6Al"))] == [
            ["c", "反", "应"],
            ["t", "i", "6", "a", "l"],
        ]

    def test_non_unit_word_characters_are_skipped_without_splitting_the_run(self) -> None:
        # "é" is a word character but not a unit: dropped, its neighbours still form a bigram
        assert char_grams("aé+b_c，芯") == ["a", "b", "ab", "c", "芯"]

    def test_empty_and_punctuation_only_text(self) -> None:
        assert char_grams("") == []
        assert char_grams(" ，。__ ") == []


class TestSegmenter:
    def test_dictionary_words_stay_whole(self) -> None:
        words = default_segmenter().tokenize("C反应蛋白检测与FPGA设计")
        assert "c反应蛋白" in words
        assert "fpga" in words

    def test_alloy_grade_is_one_word(self) -> None:
        assert "ti-6al-4v" in default_segmenter().tokenize("Ti-6Al-4V合金")

    def test_extra_words_from_the_registry(self) -> None:
        plain = Segmenter().tokenize("高镍三元正极")
        assert "高镍三元" not in plain
        assert "高镍三元" in Segmenter(["高镍三元"]).tokenize("高镍三元正极")

    def test_repeated_text_gives_the_same_words_and_punctuation_is_dropped(self) -> None:
        segmenter = Segmenter()
        first = segmenter.tokenize("锂电池，正极材料！ 锂电池")
        assert first == segmenter.tokenize("锂电池，正极材料！ 锂电池")
        assert "锂电池" in first
        assert not {"，", "！", " ", ""} & set(first)

    def test_short_words_are_ignored(self) -> None:
        segmenter = Segmenter(["x", " "])
        assert segmenter.tokenize("x") == ["x"]

    def test_query_terms_drop_stopwords(self) -> None:
        terms = default_segmenter().query_terms("我们需要一种锂电池正极材料的技术")
        assert "锂电池" in terms
        assert not {"我们", "需要", "一种", "的", "技术"} & set(terms)

    def test_query_of_only_stopwords_keeps_them(self) -> None:
        assert default_segmenter().query_terms("技术") == ["技术"]

    def test_plain_cut_keeps_punctuation(self) -> None:
        assert default_segmenter().cut("电池，芯片") == ["电池", ",", "芯片"]


class TestWordFiles:
    def test_comments_blank_lines_and_frequencies(self) -> None:
        assert read_word_lines("# c\n\n芯片 100\n电池 # x\n", "f.txt") == ["芯片", "电池"]

    def test_too_long_word_is_an_error_with_location(self) -> None:
        with pytest.raises(InvalidDataError) as info:
            read_word_lines("a" * 65, "dict/x.txt")
        assert info.value.location == ("dict/x.txt", "line 1")

    def test_shipped_files_load(self) -> None:
        assert "正极材料" in load_dictionary()
        assert "的" in load_stopwords()


class TestLatinRunsOfMixedWords:
    def test_a_dictionary_word_mixing_latin_and_chinese_also_yields_its_latin_run(self) -> None:
        words = Segmenter(["FPGA芯片"]).tokenize("FPGA芯片设计")
        assert "fpga芯片" in words
        assert "fpga" in words

    def test_pure_words_are_not_expanded(self) -> None:
        assert Segmenter().tokenize("fpga") == ["fpga"]


class TestWholeLatinWords:
    """Registry words such as IT or ion must never cut an English word into letters and pieces."""

    segmenter = Segmenter(["IT", "ion", "ca", "m芯片"])

    def test_english_words_stay_whole_in_search_mode(self) -> None:
        words = self.segmenter.tokenize("Lithium battery cathode positioning")
        assert words == ["lithium", "battery", "cathode", "positioning"]

    def test_plain_cut_stays_a_partition_of_the_text(self) -> None:
        text = "Lithium-ion电池, CAR-T细胞 fpgam芯片"
        cut = self.segmenter.cut(text)
        assert "".join(cut) == normalize_text(text)
        assert {"lithium", "car-t", "fpgam芯片"} <= set(cut)
        assert not {"l", "it", "hium", "ca"} & set(cut)

    def test_a_latin_dictionary_word_standing_alone_is_kept(self) -> None:
        assert self.segmenter.tokenize("IT 行业") == ["it", "行业"]

    def test_hyphens_stay_word_edges(self) -> None:
        assert {"lithium", "ion"} <= set(self.segmenter.tokenize("lithium-ion"))


class TestStemLatin:
    @pytest.mark.parametrize(
        ("word", "stem"),
        [
            ("batteries", "battery"),
            ("cathodes", "cathode"),
            ("processes", "process"),
            ("boxes", "box"),
            ("glass", "glass"),
            ("analysis", "analysis"),
            ("gas", "gas"),
            ("fpga", "fpga"),
            ("ti-6al-4v", "ti-6al-4v"),
        ],
    )
    def test_plurals_become_singular_and_nothing_else_changes(self, word: str, stem: str) -> None:
        assert stem_latin(word) == stem

    def test_index_and_query_words_are_stemmed_alike(self) -> None:
        assert Segmenter().tokenize("Lithium Batteries") == Segmenter().tokenize("lithium battery")
