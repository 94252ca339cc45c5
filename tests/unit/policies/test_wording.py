"""Criteria in plain words: templates per operator come from the catalogue, every shipped criterion gets a sentence
with its threshold and unit, and none shows an operator code or a fact id."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from tests.integration.test_tiers_cli import HNTE_READY

from techbridge.i18n.loader import load_catalog
from techbridge.policies.criteria import OPERATORS
from techbridge.policies.evaluate import evaluate_facts
from techbridge.policies.facts import load_fact_specs, parse_facts
from techbridge.policies.loader import shipped_policies
from techbridge.policies.service import exact_json
from techbridge.policies.wording import describe_results, facts_to_supply, number, show_fact

DAY = date(2025, 6, 30)
CODE = re.compile(r"\b(ge|gt|le|lt|is_true|is_false|contains_any|exists)\b|levels=|within_years|rank_le|[{}]")


def described(facts: dict[str, Any], lang: str) -> dict[str, dict[str, dict[str, str]]]:
    results = evaluate_facts(parse_facts(exact_json(facts)), DAY, shipped_policies())
    return describe_results(results, lang, {"hnte": "高新技术企业"})


class TestTemplates:
    def test_every_operator_and_group_has_a_sentence_in_both_languages(self) -> None:
        catalog = load_catalog()
        missing = [op for op in (*OPERATORS, "all", "any") if f"tiers.rule.{op}" not in catalog]
        assert missing == []


class TestDescribeResults:
    @pytest.mark.parametrize("lang", ["zh", "en"])
    @pytest.mark.parametrize("facts", [{}, HNTE_READY], ids=["nothing", "hnte_ready"])
    def test_every_criterion_is_a_sentence_without_codes_or_fact_ids(self, lang: str, facts: dict[str, Any]) -> None:
        words = described(facts, lang)
        assert set(words) >= {"hnte", "tech_sme", "little_giant"}
        fact_ids = [fact for fact in load_fact_specs() if "_" in fact]
        for policy, criteria in words.items():
            for criterion, said in criteria.items():
                text = " ".join(said.values())
                assert CODE.search(text) is None, (policy, criterion, text)
                assert [f for f in fact_ids if f in text] == [], (policy, criterion, text)

    def test_threshold_unit_value_and_advice(self) -> None:
        zh = described({**HNTE_READY, "employees": 700}, "zh")["tech_sme"]["employees"]
        assert zh == {
            "rule": "职工总数需不超过 500人",
            "now": "目前 700人",
            "advice": "职工总数需不超过 500人（目前 700人）",
        }
        en = described({**HNTE_READY, "employees": 700}, "en")["tech_sme"]["employees"]
        assert en["advice"] == "employees must be at most 500 people (now 700 people)"

    def test_a_ratio_names_the_input_to_change(self) -> None:
        facts = {**HNTE_READY, "rd_expense_history": [200, 225, 140]}
        advice = described(facts, "zh")["hnte"]["rd_intensity"]["advice"]
        assert advice.startswith("近 3 年研发费用合计占近 3 年营业收入合计的比例需不低于 ")
        assert advice.endswith("：2024 年（上年度）研发费用需增加 110万元")

    def test_a_mean_names_the_year_and_the_whole_amount(self) -> None:
        facts = {"main_revenue_history": [35000, 35000, 35000]}
        results = evaluate_facts(parse_facts(exact_json(facts)), DAY, shipped_policies(), ["single_champion"])
        said = describe_results(results, "en", {})["single_champion"]["main_revenue_mean"]
        assert said["advice"].endswith(": main-business revenue in 2024 (last year) needs 15000 × 10,000 yuan more")

    def test_an_unknown_growth_rate_is_missing_not_at_least_minus_100_percent(self) -> None:
        facts = parse_facts(exact_json({"revenue_history": [5000, 5250, None]}))
        results = evaluate_facts(facts, date(2026, 6, 30), shipped_policies(), ["little_giant"])
        said = describe_results(results, "zh", {})["little_giant"]["revenue_growth"]
        assert said["now"] == "尚未填写"

    def test_a_missing_fact_says_so(self) -> None:
        said = described({}, "zh")["tech_sme"]["total_assets"]
        assert said["advice"] == "资产总额需不超过 20000万元（尚未填写）"

    def test_levels_and_titles_are_words(self) -> None:
        said = described({}, "zh")["tech_sme"]
        assert said["national_award"]["rule"] == "科技奖励：近 5 年内有国家级（排名前 3）"
        assert said["hnte_title"]["rule"] == "称号需包含：高新技术企业"


class TestFacts:
    def test_amounts_are_in_ten_thousand_yuan(self) -> None:
        spec = load_fact_specs()["revenue_history"]
        assert (spec.unit("zh"), spec.unit("en")) == ("万元", "× 10,000 yuan")

    def test_shown_values(self) -> None:
        assert show_fact("revenue_history", [4000, 4500], "zh", {}) == "4000 / 4500万元"
        assert show_fact("rd_domestic_share", 0.6, "en", {}) == "60%"
        assert show_fact("no_major_incident", True, "zh", {}) == "是"
        assert (
            show_fact("awards", [{"level": "national", "year": 2022, "rank": 2}], "zh", {}) == "国家级 2022（排名 2）"
        )
        assert number(0.125, percent=True) == "12.5%"

    def test_to_supply_lists_each_fact_once_with_its_policies(self) -> None:
        items = facts_to_supply({"hnte": ["total_assets"], "tech_sme": ["total_assets"]}, {"hnte": "高企"}, "zh")
        assert items == [
            {"fact": "total_assets", "label": "资产总额", "unit": "万元", "policies": ["高企", "tech_sme"]}
        ]


class TestPartlyKnown:
    def test_a_sum_with_a_missing_part_shows_what_is_known(self) -> None:
        said = described({"ip_class1": 1}, "zh")["hnte"]["ip_owned"]
        assert said["now"] == "目前 至少 1项"
        assert described({"ip_class1": 1}, "en")["hnte"]["ip_owned"]["now"] == "now at least 1 items"
