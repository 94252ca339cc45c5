"""Product-name normalisation and synonym resolution."""

from __future__ import annotations

import pytest

from techbridge.chains.normalize import (
    Resolution,
    load_rules,
    normalize_name,
    parse_rules,
    parse_synonyms,
    resolve_name,
    strip_brackets,
)
from techbridge.errors import InvalidDataError

VOCAB = {"精对苯二甲酸", "涤纶长丝", "聚酯纤维", "石油化工", "对二甲苯", "丝"}


class TestResolveName:
    @pytest.mark.parametrize(
        ("raw", "name", "step"),
        [
            ("精对苯二甲酸生产销售", "精对苯二甲酸", "suffix 生产销售 removed"),
            ("PTA", "精对苯二甲酸", "synonym PTA = 精对苯二甲酸"),
            ("民用涤纶长丝", "涤纶长丝", "qualifier 民用 removed"),
            ("聚酯纤维生产和销售", "聚酯纤维", "suffix 生产和销售 removed"),
            ("石油化工分部", "石油化工", "suffix 分部 removed"),
            ("对二甲苯（PX）", "对二甲苯", "brackets removed"),
        ],
    )
    def test_noisy_names_reach_the_vocabulary_with_evidence(self, raw: str, name: str, step: str) -> None:
        found = resolve_name(raw, VOCAB)
        assert found is not None
        assert found.name == name
        assert step in found.steps
        assert found.evidence.startswith(f"{raw} → {name}")

    def test_exact_name_needs_no_steps(self) -> None:
        found = resolve_name("涤纶长丝", VOCAB)
        assert found == Resolution("涤纶长丝", "涤纶长丝", ())
        assert found.evidence == "涤纶长丝"

    def test_unknown_name_is_none(self) -> None:
        assert resolve_name("备配件", VOCAB) is None

    def test_never_strips_below_the_minimum_length(self) -> None:
        # 民用丝 minus 民用 would be 丝 (1 char): the qualifier is kept, the synonym table maps 民用丝 instead.
        found = resolve_name("民用丝", VOCAB)
        assert found is not None
        assert found.name == "涤纶长丝"
        assert found.steps == ("synonym 民用丝 = 涤纶长丝",)

    def test_synonym_of_a_stripped_name(self) -> None:
        found = resolve_name("石化分部", VOCAB)
        assert found is not None
        assert found.steps == ("suffix 分部 removed", "synonym 石化 = 石油化工")


class TestNormalizeName:
    def test_strips_brackets_suffixes_and_qualifiers(self) -> None:
        assert normalize_name("民用涤纶长丝（含税）生产销售") == "涤纶长丝"

    def test_roman_level_marks_of_industries(self) -> None:
        assert normalize_name("特钢Ⅲ") == "特钢"

    def test_nested_brackets_are_all_removed(self) -> None:
        assert strip_brackets("a(b)c(d)e", load_rules()) == "ace"


class TestParse:
    def test_synonym_rows_must_name_two_different_names(self) -> None:
        with pytest.raises(InvalidDataError) as err:
            parse_synonyms("alias,canonical,note\nPTA,PTA,x\n")
        assert err.value.location == ("synonyms.csv", 2)

    def test_duplicate_alias_is_an_error(self) -> None:
        with pytest.raises(InvalidDataError, match="twice"):
            parse_synonyms("alias,canonical,note\nPTA,a,x\nPTA,b,y\n")

    @pytest.mark.parametrize(
        ("raw", "field"),
        [
            ([], None),
            ({"brackets": ["()"], "suffixes": "x", "qualifiers": []}, "suffixes"),
            ({"brackets": ["(]"[:1]], "suffixes": [], "qualifiers": []}, "brackets"),
            ({"brackets": [], "suffixes": [], "qualifiers": [], "min_length": 0}, "min_length"),
        ],
    )
    def test_malformed_rules_name_the_field(self, raw: object, field: str | None) -> None:
        with pytest.raises(InvalidDataError) as err:
            parse_rules(raw, {})
        assert err.value.location == (("normalize.yaml", field) if field else ("normalize.yaml",))

    def test_shipped_files_load(self) -> None:
        rules = load_rules()
        assert rules.synonyms["PTA"] == "精对苯二甲酸"
        assert "生产销售" in rules.suffixes
