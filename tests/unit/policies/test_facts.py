"""Parsing one enterprise's raw facts: exact values, null = absent, wrong types are errors."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest

from techbridge.policies.facts import Event, FactError, parse_facts, parse_float_facts


def parse(text: str) -> dict[str, Any]:
    return parse_facts(json.loads(text, parse_float=Decimal))


class TestParseFacts:
    def test_decimals_are_exact(self) -> None:
        assert parse('{"rd_domestic_share": 0.6}')["rd_domestic_share"] == Fraction(3, 5)

    def test_null_is_absent(self) -> None:
        assert parse('{"employees": null}') == {}

    def test_series_keep_missing_years(self) -> None:
        assert parse('{"revenue_history": [1, null, 2.5]}')["revenue_history"] == (1, None, Fraction(5, 2))

    def test_events_and_dates(self) -> None:
        facts = parse('{"awards": [{"level": "national", "year": 2024}], "founded_on": "2020-02-29"}')
        assert facts["awards"] == (Event("national", 2024, None),)
        assert facts["founded_on"] == date(2020, 2, 29)

    @pytest.mark.parametrize(
        "text",
        [
            '{"employees": "many"}',
            '{"employees": true}',
            '{"employees": 1.5}',
            '{"employees": -1}',
            '{"in_hnte_field": 1}',
            '{"rd_domestic_share": 1.2}',
            '{"founded_on": "2020-13-01"}',
            '{"rd_institution_level": "city"}',
            '{"awards": [{"level": "global", "year": 2024}]}',
            '{"titles": "hnte"}',
            '{"revenue_history": 5}',
            '{"hnte_innovation_score": 101}',
            '{"turnover": 1}',
            '{"ip_class1": 1' + "0" * 101 + "}",
            '{"revenue_history": [1e101]}',
            '{"total_assets": 1e-101}',
            '{"rd_expense_history": [5e-322]}',
        ],
    )
    def test_wrong_types_and_unknown_ids_are_errors(self, text: str) -> None:
        with pytest.raises(FactError):
            parse(text)

    def test_python_floats_are_read_exactly(self) -> None:
        facts = parse_facts({"rd_domestic_share": 0.6, "revenue_history": [5000, 0.1], "niche_years": 2.5})
        assert facts["rd_domestic_share"] == Fraction(3, 5)
        assert facts["revenue_history"] == (5000, Fraction(1, 10))
        assert facts["niche_years"] == Fraction(5, 2)

    @pytest.mark.parametrize("value", [float("nan"), float("inf"), -float("inf"), Decimal("NaN"), True])
    def test_nan_infinity_and_bool_are_errors_naming_the_fact(self, value: Any) -> None:
        with pytest.raises(FactError, match="rd_domestic_share"):
            parse_facts({"rd_domestic_share": value})

    def test_a_whole_float_is_a_count(self) -> None:
        assert parse_facts({"employees": 12.0})["employees"] == 12
        with pytest.raises(FactError, match="employees"):
            parse_facts({"employees": 12.5})

    def test_facts_must_be_an_object(self) -> None:
        with pytest.raises(FactError):
            parse_facts([1])

    @pytest.mark.parametrize(
        "text", ['{"ip_class1": 1' + "0" * 100 + "}", '{"total_assets": 1e-100}', '{"employees": 0}']
    )
    def test_zero_and_magnitudes_from_1e_100_to_1e100_are_read(self, text: str) -> None:
        assert parse(text)

    @pytest.mark.parametrize(
        "number", ["1e100", "1.0000000000000000000001e100", "1e-100", "0.9999999999999999999999e-100", "1e-400"]
    )
    def test_the_fast_parse_agrees_with_the_exact_parse_at_the_ends_of_the_range(self, number: str) -> None:
        raw = {"total_assets": Decimal(number), "revenue_history": [Decimal(number)]}
        try:
            exact = parse_facts(raw)
        except FactError:
            with pytest.raises(FactError):
                parse_float_facts(raw)
        else:
            assert parse_float_facts(raw) == {
                k: float(v) if k == "total_assets" else (float(v[0]),) for k, v in exact.items()
            }

    def test_the_fast_parse_refuses_what_the_exact_parse_refuses(self) -> None:
        raw = json.loads('{"revenue_history": [1e400], "ip_class1": 1' + "0" * 400 + "}", parse_float=Decimal)
        for one in ({"revenue_history": raw["revenue_history"]}, {"ip_class1": raw["ip_class1"]}):
            with pytest.raises(FactError, match="1e100"):
                parse_float_facts(one)
