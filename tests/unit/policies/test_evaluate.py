"""Evaluation: fast path agrees with exact arithmetic, gaps give the smallest change, traces and scores."""

from __future__ import annotations

import random
from datetime import date
from fractions import Fraction
from typing import Any

import pytest

from techbridge.policies.criteria import Compare, Group, Node
from techbridge.policies.evaluate import evaluate_enterprise, evaluate_facts, evaluate_line
from techbridge.policies.expressions import Env, completed_years
from techbridge.policies.loader import shipped_policies

AS_OF = date(2026, 6, 30)


def leaves(node: Node) -> list[Compare]:
    """Every comparison of a criteria tree."""
    if isinstance(node, Group):
        return [leaf for child in node.children for leaf in leaves(child)]
    return [node] if isinstance(node, Compare) else []


def near_threshold_facts(rng: random.Random) -> dict[str, Any]:
    """Round numbers around the thresholds, so that ties are frequent."""
    pick = [Fraction(v) for v in (0, 1, 2, 3, 4, 5, 10, 60, 100, 1000, 1200, 5000, 10000, 20000)]
    series = [tuple(rng.choice(pick) for _ in range(rng.randint(1, 4))) for _ in range(4)]
    return {
        "revenue_history": series[0],
        "rd_expense_history": series[1],
        "main_revenue_history": series[2],
        "st_activity_spend_history": series[3],
        "employees": rng.choice(pick),
        "st_staff": rng.choice(pick),
        "total_assets": rng.choice(pick),
        "total_liabilities": rng.choice(pick),
        "ip_class1": rng.choice(pick),
        "niche_years": rng.choice(pick),
    }


class TestFastPath:
    def test_fast_and_exact_verdicts_agree(self) -> None:
        rng = random.Random(7)
        comparisons = [leaf for policy in shipped_policies() for leaf in leaves(policy.criteria)]
        for _ in range(200):
            env = Env(facts=near_threshold_facts(rng), as_of=AS_OF)
            for leaf in comparisons:
                if "score" in str(leaf.left):
                    continue
                assert leaf.evaluate(env)[0] == leaf.evaluate_exact(env)[0], leaf.id


class TestGaps:
    def test_ratio_gap_is_the_amount_at_this_revenue(self) -> None:
        facts = {"rd_expense_history": (Fraction(290),), "revenue_history": (Fraction(10000),)}
        (result,) = evaluate_facts(facts, date(2025, 6, 30), shipped_policies(), ["zjtx_sme"])
        gap = next(g for g in result["gaps"] if g["criterion"] == "rd_intensity")
        assert gap["change"] == {"fact": "rd_expense_history", "delta": 10.0, "index": -1, "year": 2024, "value": 300}
        assert "2.9% → 3.0%: +10 × 10,000 yuan R&D expense in 2024 (last year) at this revenue" in gap["text"]["en"]
        assert "2024 年（上年度）研发费用+10 万元（按当前营业收入）" in gap["text"]["zh"]

    def test_debt_gap_is_a_reduction(self) -> None:
        facts = {"total_liabilities": Fraction(900), "total_assets": Fraction(1000)}
        (result,) = evaluate_facts(facts, date(2026, 6, 30), shipped_policies(), ["zjtx_sme"])
        gap = next(g for g in result["gaps"] if g["criterion"] == "debt")
        assert gap["change"] == {"fact": "total_liabilities", "delta": -100.0, "value": 800}

    def test_gaps_only_for_ineligible(self) -> None:
        (result,) = evaluate_facts({}, AS_OF, shipped_policies(), ["hnte"])
        assert result["verdict"] == "unknown"
        assert result["gaps"] == []


class TestAge:
    @pytest.mark.parametrize(
        ("start", "end", "years"),
        [
            (date(2004, 2, 29), date(2025, 2, 28), 20),
            (date(2004, 2, 29), date(2025, 3, 1), 21),
            (date(2004, 2, 29), date(2024, 2, 29), 20),
            (date(2015, 6, 30), date(2025, 6, 29), 9),
            (date(2015, 6, 30), date(2025, 6, 30), 10),
        ],
    )
    def test_completed_years(self, start: date, end: date, years: int) -> None:
        assert completed_years(start, end) == years


class TestLines:
    def test_malformed_line_is_an_error_object(self) -> None:
        assert evaluate_line("{", 4, AS_OF, shipped_policies())["line"] == 4

    def test_wrong_type_keeps_the_id(self) -> None:
        result = evaluate_line('{"id": "x", "facts": {"listed": "no"}}', 2, AS_OF, shipped_policies())
        assert (result["id"], result["line"]) == ("x", 2)

    def test_python_float_facts_are_evaluated_exactly(self) -> None:
        enterprise = {"id": "x", "facts": {"rd_domestic_share": 0.6}}
        (result,) = evaluate_enterprise(enterprise, AS_OF, shipped_policies(), ["hnte"])["results"]
        share = next(c for c in result["criteria"] if c["id"] == "rd_domestic_share")
        assert (share["verdict"], share["value"]) == ("pass", 0.6)

    def test_a_number_floats_cannot_hold_is_an_error_for_that_line(self) -> None:
        # 10**400 made float() raise OverflowError, which stopped `tiers evaluate` at this line
        result = evaluate_line('{"id": "x", "facts": {"ip_class1": 1' + "0" * 400 + "}}", 3, AS_OF, shipped_policies())
        assert (result["id"], result["line"]) == ("x", 3)
        assert "ip_class1" in result["error"]

    def test_amounts_whose_float_sum_overflows_are_refused_not_misjudged(self) -> None:
        # R&D 2e307 over revenue 2e308 is 10% (passes 3%), but the float sum of revenue was inf, read as unbounded,
        # and the ratio came out 0: `rd_intensity` failed
        line = '{"id": "x", "facts": {"revenue_history": [1e308, 1e308], "rd_expense_history": [1e307, 1e307]}}'
        result = evaluate_line(line, 1, AS_OF, shipped_policies(), ["hnte"])
        assert "revenue_history" in result["error"]

    def test_missing_id_is_an_error(self) -> None:
        assert "error" in evaluate_line('{"facts": {}}', 1, AS_OF, shipped_policies())

    def test_before_any_version_a_policy_is_not_in_force(self) -> None:
        (result,) = evaluate_facts({}, date(2022, 7, 31), shipped_policies(), ["innovative_sme"])
        assert (result["version"], result["verdict"]) == (None, "ineligible")

    def test_score_indicators_and_subtotals_are_traced(self) -> None:
        (result,) = evaluate_facts({"ip_class1": Fraction(1)}, AS_OF, shipped_policies(), ["tech_sme"])
        assert result["score_range"] == [30, 100]
        assert {i["id"]: i["points_range"] for i in result["indicators"]}["achievements"] == [30, 30]
        assert result["subtotals"]["rd"] == [0, 50]
