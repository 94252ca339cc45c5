"""Gaps: the change a gap names, fed back as a what-if, passes its criterion, and one step less does not; means,
growth rates and earlier years of a series give the right amount, on the right scale, for the right year."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from techbridge.policies.criteria import Compare, Group, Node
from techbridge.policies.evaluate import evaluate_enterprise
from techbridge.policies.expressions import Binary, Expr, Growth, Item
from techbridge.policies.facts import load_fact_specs
from techbridge.policies.gaps import input_of
from techbridge.policies.loader import shipped_policies
from techbridge.policies.service import apply_changes

DAYS = (date(2025, 6, 30), date(2026, 6, 30))  # the 2022 and the 2026 rules
PICK = (0, 1, 2, 3, 5, 45, 60, 100, 101, 250, 900, 1000, 1100, 1200, 1500, 3000, 5000, 5250, 5512, 10000, 35000)
# Every kind of input a shipped comparison's gap changes (checked against the rules below).
INPUT_KINDS = frozenset(
    {
        "FactValue",
        "Mean",
        "growth",
        "item[-1]",
        "item[-2]",
        "item[-4]",
        "add of FactValue",
        "add of item[-1]",
        "ratio of FactValue",
        "ratio of item[-1]",
        "ratio of item[-2]",
        "ratio of SumLast",
    }
)
SERIES = ("revenue_history", "main_revenue_history", "rd_expense_history", "st_activity_spend_history")


def result_of(facts: dict[str, Any], as_of: date, policy: str) -> dict[str, Any]:
    enterprise = {"id": "x", "facts": facts}
    (result,) = evaluate_enterprise(enterprise, as_of, shipped_policies(), [policy])["results"]
    return result


def verdict_of(facts: dict[str, Any], as_of: date, policy: str, criterion: str) -> str:
    found = [c["verdict"] for c in walk(result_of(facts, as_of, policy)["criteria"]) if c["id"] == criterion]
    assert len(found) == 1
    return found[0]


def walk(traces: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for trace in traces:
        yield trace
        yield from walk(trace.get("children", []))


def gap_of(facts: dict[str, Any], as_of: date, policy: str, criterion: str) -> dict[str, Any]:
    return next(g for g in result_of(facts, as_of, policy)["gaps"] if g["criterion"] == criterion)


def what_if(change: dict[str, Any], value: Any) -> dict[str, Any]:
    """A gap's change as the what-if input: one year of a series by its index, a plain fact by its value."""
    return {change["fact"]: value if "index" not in change else {"index": change["index"], "value": value}}


def one_step_less(change: dict[str, Any]) -> Decimal:
    whole = load_fact_specs()[change["fact"]].type in ("count", "counts")
    step = Decimal(1) if whole else Decimal("0.01")
    value = Decimal(str(change["value"]))
    return value - step if change["delta"] > 0 else value + step


def random_facts(rng: random.Random) -> dict[str, Any]:
    """Round numbers and decimals around the thresholds, every numeric input of the shipped rules."""

    def amount() -> Any:
        base = rng.choice(PICK)
        return base if rng.random() < 0.7 else float(Decimal(base) + Decimal(rng.randint(1, 99)) / 100)

    facts: dict[str, Any] = {name: [amount() for _ in range(rng.randint(1, 5))] for name in SERIES}
    facts["employees_history"] = [rng.choice(PICK) for _ in range(rng.randint(1, 5))]
    for name in ("employees", "st_staff", "rd_staff", "zjtx_score_2022", "max_single_vc_round"):
        facts[name] = rng.choice(PICK)
    for name in ("ip_class1", "ip_class2", "niche_market_rank_cn", "niche_years", "global_market_rank"):
        facts[name] = rng.choice((0, 1, 2, 3, 5))
    facts.update(awards=[], maker_china_top500_3y=False, is_sme=True, rd_institution_level="none")
    for name in ("total_assets", "total_liabilities", "hightech_revenue", "equity_financing_2y"):
        facts[name] = amount()
    facts["rd_domestic_share"] = rng.choice((0.3, 0.555, 0.6, 0.61))
    facts["hnte_innovation_score"] = rng.choice((60, 70, 71))
    facts["founded_on"] = rng.choice(("2010-01-01", "2024-12-01", "2019-06-30"))
    return facts


def leaves(node: Node) -> Iterator[Compare]:
    if isinstance(node, Group):
        for child in node.children:
            yield from leaves(child)
    elif isinstance(node, Compare):
        yield node


def kind(expr: Expr | None) -> str:
    """The kind of input a gap changes, for the coverage check."""
    if isinstance(expr, Growth):
        return "growth"
    if isinstance(expr, Binary) and expr.op == "div":
        return f"ratio of {kind(expr.left)}"
    if isinstance(expr, Binary):
        return f"{expr.op} of {kind(expr.left)}"
    if isinstance(expr, Item):
        return f"item[{expr.index}]"
    return type(expr).__name__


class TestGapsAsWhatIf:
    def test_every_gap_fed_back_as_a_what_if_passes_and_one_step_less_does_not(self) -> None:
        rng = random.Random(11)
        criteria = {(p.id, p.version, leaf.id): leaf for p in shipped_policies() for leaf in leaves(p.criteria)}
        covered: set[str] = set()
        policies = ("hnte", "zjtx_sme", "little_giant", "single_champion", "ln_gazelle", "tech_sme")
        for _ in range(100):
            facts = random_facts(rng)
            for as_of in DAYS:
                for policy in policies:
                    result = result_of(facts, as_of, policy)
                    for gap in result["gaps"]:
                        if "change" not in gap:
                            continue
                        change, criterion = gap["change"], gap["criterion"]
                        leaf = criteria[(policy, result["version"], criterion)]
                        covered.add(kind(leaf.left))
                        changed = apply_changes(facts, what_if(change, change["value"]), as_of)
                        assert verdict_of(changed, as_of, policy, criterion) == "pass", (policy, criterion, gap)
                        short = apply_changes(facts, what_if(change, one_step_less(change)), as_of)
                        assert verdict_of(short, as_of, policy, criterion) == "fail", (policy, criterion, gap)
        assert covered == INPUT_KINDS

    def test_every_input_kind_of_the_shipped_rules_is_covered(self) -> None:
        shipped = [leaf for p in shipped_policies() for leaf in leaves(p.criteria)]
        assert {kind(leaf.left) for leaf in shipped if input_of_leaf(leaf) is not None} == INPUT_KINDS


def input_of_leaf(leaf: Compare) -> object:
    expr = leaf.left
    if isinstance(expr, Growth):
        return input_of(expr.last)
    if isinstance(expr, Binary) and expr.op == "div":
        return input_of(expr.left)
    return None if expr is None else input_of(expr)


class TestMean:
    def test_a_mean_of_three_years_needs_three_times_the_shortfall_in_one_year(self) -> None:
        facts = {"main_revenue_history": [35000, 35000, 35000]}
        gap = gap_of(facts, date(2025, 6, 30), "single_champion", "main_revenue_mean")
        assert gap["change"] == {
            "fact": "main_revenue_history",
            "delta": 15000.0,
            "index": -1,
            "year": 2024,
            "value": 50000,
        }
        assert "+15000 × 10,000 yuan main-business revenue in 2024 (last year)" in gap["text"]["en"]
        assert "2024 年（上年度）主营业务收入+15000 万元" in gap["text"]["zh"]

    def test_a_mean_of_two_years_needs_twice_the_shortfall(self) -> None:
        facts = {"rd_expense_history": [900, 900], "zjtx_score_2022": 50, "equity_financing_2y": 0, "awards": []}
        gap = gap_of({**facts, "maker_china_top500_3y": False}, date(2025, 6, 30), "zjtx_sme", "rd_mean_2y")
        assert (gap["change"]["delta"], gap["change"]["value"], gap["change"]["year"]) == (200.0, 1100, 2024)


class TestGrowth:
    def test_current_and_target_are_rates(self) -> None:
        facts = {"revenue_history": [5000, 5250, 5512]}
        gap = gap_of(facts, date(2026, 4, 1), "little_giant", "revenue_growth")
        assert gap["current"] == pytest.approx(0.04995, abs=1e-5)
        assert gap["target"] == 0.05
        assert gap["change"] == {"fact": "revenue_history", "delta": 0.5, "index": -1, "year": 2025, "value": 5512.5}
        expected = "4.995% → 5.0%: +0.5 × 10,000 yuan revenue in 2025 (last year) at the revenue of 2023"
        assert expected in gap["text"]["en"]
        assert "4.995% → 5.0%：2025 年（上年度）营业收入+0.5 万元（按 2023 年营业收入）" in gap["text"]["zh"]

    def test_an_unknown_growth_rate_shows_a_rate_range(self) -> None:
        result = result_of({"revenue_history": [5000, 5250, None]}, date(2026, 4, 1), "little_giant")
        (trace,) = [c for c in walk(result["criteria"]) if c["id"] == "revenue_growth"]
        assert (trace["value_range"], trace["threshold"]) == ([-1, None], 0.05)

    def test_a_known_growth_rate_is_a_rate(self) -> None:
        result = result_of({"revenue_history": [5000, 5250, 5512.5]}, date(2026, 4, 1), "little_giant")
        (trace,) = [c for c in walk(result["criteria"]) if c["id"] == "revenue_growth"]
        assert (trace["verdict"], trace["value"]) == ("pass", 0.05)


class TestYearOfAChange:
    def test_a_gap_on_the_year_before_names_it_and_the_what_if_changes_it(self) -> None:
        as_of = date(2026, 6, 30)
        gap = gap_of({"rd_expense_history": [45, 100]}, as_of, "zjtx_sme", "rd_expense_prev")
        assert gap["change"] == {"fact": "rd_expense_history", "delta": 55.0, "index": -2, "year": 2024, "value": 100}
        assert "+55 × 10,000 yuan R&D expense in 2024 (the year before last)" in gap["text"]["en"]
        assert "2024 年（前年）研发费用+55 万元" in gap["text"]["zh"]
        changed = apply_changes({"rd_expense_history": [45, 100]}, {"rd_expense_history": {"index": -2, "value": 100}})
        assert changed == {"rd_expense_history": [100, 100]}
        assert verdict_of(changed, as_of, "zjtx_sme", "rd_expense_prev") == "pass"

    def test_percentages_short_of_the_target_never_read_as_equal(self) -> None:
        facts = {"rd_expense_history": [29.99], "revenue_history": [1000]}
        gap = gap_of(facts, date(2025, 6, 30), "zjtx_sme", "rd_intensity")
        assert "2.999% → 3.0%" in gap["text"]["en"]
