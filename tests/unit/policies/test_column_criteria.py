"""Criteria over columns decide as the compiled closures do, for every operator and right-hand side; kinds without
a columnar form are refused (their policy then goes row by row)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import numpy as np
import pytest
from tests.unit.policies.test_loader import HEAD

from techbridge.policies.column_criteria import FAIL, PASS, UNKNOWN, column_check
from techbridge.policies.columnar import evaluate_columns
from techbridge.policies.columns import Columns, column_expr
from techbridge.policies.compiled import compile_node
from techbridge.policies.expressions import Env, Expr, Score
from techbridge.policies.facts import parse_float_facts
from techbridge.policies.loader import parse_policy
from techbridge.policies.schema import Policy

AS_OF = date(2026, 6, 30)
RAWS: list[dict[str, Any]] = [
    {},
    {"employees": 100, "st_staff": 10, "revenue_history": [Decimal(100), Decimal(150)], "total_assets": 0},
    {"employees": 99, "st_staff": 0, "revenue_history": [None, Decimal(120)], "total_assets": Decimal("0.5")},
    {"employees": 101, "revenue_history": [Decimal(100)], "total_liabilities": Decimal(3)},
    {"employees": 0, "st_staff": 0, "revenue_history": [], "founded_on": "2020-02-29"},
]


def policy(leaf: str) -> Policy:
    return parse_policy(HEAD + "criteria: {id: root, label: {zh: 甲, en: r}, all: [" + leaf + "]}\n", "x.yaml")


def leaf(body: str) -> str:
    return "{id: a, label: {zh: 甲, en: a}, " + body + "}"


def both(leaf_body: str) -> tuple[list[int], list[int]]:
    """The columnar verdict codes and the compiled closure's, over RAWS."""
    node = policy(leaf(leaf_body)).criteria.children[0]
    check = column_check(node)
    assert check is not None
    rows = [parse_float_facts(raw) for raw in RAWS]
    verdicts, _near = check(Columns(rows, AS_OF))
    closure = compile_node(node)
    codes = {True: PASS, False: FAIL, None: UNKNOWN}
    expected = [codes[closure(Env(facts={}, as_of=AS_OF, floats=row, detail=False))] for row in rows]
    return verdicts.tolist(), expected


class TestColumnCheck:
    @pytest.mark.parametrize("op", ["ge", "gt", "le", "lt"])
    def test_whole_comparisons_decide_ties_in_floats(self, op: str) -> None:
        columnar, compiled = both(f"left: {{fact: employees}}, op: {op}, value: 100")
        assert columnar == compiled
        assert UNKNOWN in columnar

    @pytest.mark.parametrize("op", ["ge", "gt", "le", "lt"])
    def test_an_expression_on_the_right(self, op: str) -> None:
        columnar, compiled = both(f"left: {{fact: st_staff}}, op: {op}, value: {{div: [{{fact: employees}}, 10]}}")
        assert columnar == compiled

    def test_a_ratio_with_a_zero_or_missing_denominator(self) -> None:
        columnar, compiled = both("left: {div: [{fact: total_liabilities}, {fact: total_assets}]}, op: le, value: 70%")
        assert columnar == compiled
        assert columnar[1] == UNKNOWN  # total assets 0: undefined

    def test_sums_means_and_differences(self) -> None:
        for expr in (
            "{sum_last: [revenue_history, 3]}",
            "{mean_last: [revenue_history, 2]}",
            "{sub: [{item: [revenue_history, -1]}, {item: [revenue_history, -2]}]}",
            "{add: [{fact: employees}, {fact: st_staff}]}",
        ):
            assert both(f"left: {expr}, op: ge, value: 120")[0] == both(f"left: {expr}, op: ge, value: 120")[1]

    def test_age_in_days(self) -> None:
        columnar, compiled = both("left: {days_since: founded_on}, op: ge, value: 365")
        assert columnar == compiled
        assert columnar[4] == PASS

    def test_a_score_part_the_chunk_has_not_computed_is_undefined(self) -> None:
        expr = column_expr(Score("total"))
        assert expr is not None
        _lo, _hi, defined, _missing = expr(Columns([{}, {}], AS_OF))
        assert defined.tolist() == [False, False]
        assert Score("total").fast(Env(facts={}, as_of=AS_OF))[2] is False

    def test_an_expression_kind_without_a_columnar_form_is_refused(self) -> None:
        assert column_expr(Expr()) is None

    def test_growth_against_a_band_has_no_columnar_form(self) -> None:
        band = "{band: {by: {fact: employees}, rules: [[ge, 100, 20%]], else: 10%}}"
        growth = "{growth: [{item: [revenue_history, -1]}, {item: [revenue_history, -2]}], years: 1}"
        node = policy(leaf(f"left: {growth}, op: ge, value: {band}")).criteria.children[0]
        assert column_check(node) is None


class TestNotInForce:
    def test_counts_every_enterprise_ineligible(self) -> None:
        batch = evaluate_columns([{}, {"employees": 3}], date(2015, 1, 1), [policy(leaf("fact: listed, op: is_true"))])
        assert batch.verdict_counts() == {"ineligible": 2 * 10}  # the 9 shipped ids and x, none in force
        assert np.all(batch.policies[0].verdicts == FAIL)
