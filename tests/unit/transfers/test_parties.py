"""Party regions: the shipped division table and a region from a credit code's characters 3–8."""

from __future__ import annotations

import pytest

from techbridge.registry.regions import load_divisions
from techbridge.registry.resolve import credit_check_char
from techbridge.transfers.parties import disagreement, refine, region_of_credit_code


def credit_code(division: str) -> str:
    stem = f"91{division}MA0000001"
    return stem + credit_check_char(stem)


class TestDivisions:
    @pytest.mark.parametrize("code", ["210000", "210100", "210102", "110101", "110100"])
    def test_real_divisions(self, code: str) -> None:
        assert load_divisions().is_real(code)

    @pytest.mark.parametrize("code", ["219999", "219900", "990000", "2101", "21010x", "100000"])
    def test_codes_that_are_no_division(self, code: str) -> None:
        assert not load_divisions().is_real(code)

    def test_a_retired_county_is_located_at_its_city(self) -> None:
        assert load_divisions().nearest("210199") == "210100"


class TestRegionOfCreditCode:
    def test_characters_3_to_8_locate_the_party(self) -> None:
        assert region_of_credit_code(credit_code("210202"), load_divisions()) == "210202"

    def test_a_central_authority_locates_nothing(self) -> None:
        assert region_of_credit_code(credit_code("100000"), load_divisions()) is None

    def test_a_failing_check_character_locates_nothing(self) -> None:
        good = credit_code("210202")
        bad = good[:17] + ("0" if good[17] != "0" else "1")
        assert region_of_credit_code(bad, load_divisions()) is None


class TestDisagreement:
    @pytest.mark.parametrize(
        ("code", "typed", "level"),
        [
            ("110108", "210103", "province"),
            ("210200", "210102", "city"),
            ("210104", "210102", None),
            ("210000", "210102", None),
            ("210100", "210000", None),
        ],
    )
    def test_levels(self, code: str, typed: str, level: str | None) -> None:
        assert disagreement(code, typed) == level

    def test_the_more_precise_region_is_kept(self) -> None:
        assert (refine("210100", "210102"), refine("210104", "210102"), refine("210102", "210000")) == (
            "210102",
            "210104",
            "210102",
        )
