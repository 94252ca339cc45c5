"""What-if changes over raw facts (the pure part of the tier service): a gap's change names its year and is applied
to that year; the older input forms keep their meaning."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from techbridge.policies.facts import FactError
from techbridge.policies.service import apply_changes

RAW = {"rd_expense_history": [45, 100], "employees": 80}
AS_OF = date(2026, 6, 30)


class TestApplyChanges:
    def test_a_single_number_still_replaces_the_last_year(self) -> None:
        assert apply_changes(RAW, {"rd_expense_history": 120})["rd_expense_history"] == [45, 120]

    def test_a_list_replaces_the_series_and_null_removes_a_fact(self) -> None:
        changed = apply_changes(RAW, {"rd_expense_history": [1, 2, 3], "employees": None})
        assert changed == {"rd_expense_history": [1, 2, 3]}

    def test_an_index_changes_that_year(self) -> None:
        changed = apply_changes(RAW, {"rd_expense_history": {"index": -2, "value": 100}})
        assert changed["rd_expense_history"] == [100, 100]
        assert RAW["rd_expense_history"] == [45, 100]

    def test_a_year_is_counted_back_from_the_year_before_as_of(self) -> None:
        changed = apply_changes(RAW, {"rd_expense_history": {"year": 2024, "value": 100}}, AS_OF)
        assert changed["rd_expense_history"] == [100, 100]

    def test_a_year_before_the_series_pads_it_with_missing_years(self) -> None:
        changed = apply_changes(RAW, {"rd_expense_history": {"index": -4, "value": 7}, "revenue_history": 9})
        assert changed["rd_expense_history"] == [7, None, 45, 100]
        assert changed["revenue_history"] == [9]

    @pytest.mark.parametrize(
        "change",
        [
            {"index": 0, "value": 1},
            {"index": -1},
            {"index": True, "value": 1},
            {"index": -1, "year": 2025, "value": 1},
            {"year": 2026, "value": 1},
            {"year": "2024", "value": 1},
            {"index": -51, "value": 1},
        ],
    )
    def test_a_bad_position_is_an_error_naming_the_fact(self, change: dict[str, Any]) -> None:
        with pytest.raises(FactError, match="rd_expense_history"):
            apply_changes(RAW, {"rd_expense_history": change}, AS_OF)

    def test_a_year_needs_the_evaluation_date(self) -> None:
        with pytest.raises(FactError, match="rd_expense_history"):
            apply_changes(RAW, {"rd_expense_history": {"year": 2024, "value": 1}})
