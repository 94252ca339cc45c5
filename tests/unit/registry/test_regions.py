"""The shipped region lookup: which codes name a region, and regions' English names."""

from __future__ import annotations

import csv
import io
from importlib import resources

import pytest

from techbridge.registry.regions import (
    SPECIAL_REGIONS,
    code_of_english_name,
    english_codes_like,
    english_names,
    is_known_region,
    load_divisions,
    localize_names,
    region_name,
)


def shipped_names(name: str) -> dict[str, str]:
    folder = resources.files("techbridge") / "data" / "sample" / "admin_divisions" / "raw"
    rows = csv.DictReader(io.StringIO((folder / name).read_text(encoding="utf-8")))
    return {row["code"]: row["name"] for row in rows}


def english_rows() -> list[dict[str, str]]:
    text = (resources.files("techbridge") / "data" / "regions" / "names_en.csv").read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


class TestIsKnownRegion:
    @pytest.mark.parametrize("code", ["21", "2102", "210202", "210000", "210200", "2190", "65", "6501"])
    def test_codes_of_the_table_are_known(self, code: str) -> None:
        assert is_known_region(code)

    @pytest.mark.parametrize("code", ["99", "2115", "9901", "219999", "990000", "", "21a", "大连", "2"])
    def test_codes_naming_nothing_are_not(self, code: str) -> None:
        assert not is_known_region(code)


class TestEnglishNamesFile:
    def test_every_province_and_city_has_one_and_no_other_code(self) -> None:
        wanted = {*shipped_names("provinces.csv"), *shipped_names("cities.csv"), *(r["code"] for r in SPECIAL_REGIONS)}
        assert set(english_names()) == wanted

    def test_its_chinese_column_is_the_tables_name(self) -> None:
        table = {**shipped_names("provinces.csv"), **shipped_names("cities.csv")}
        table.update({str(r["code"]): str(r["name"]) for r in SPECIAL_REGIONS})
        assert {row["code"]: row["name"] for row in english_rows()} == table

    def test_names_are_unique_whatever_the_case(self) -> None:
        names = [name.casefold() for name in english_names().values()]
        assert len(names) == len(set(names))

    def test_counties_are_not_in_it(self) -> None:
        assert not set(english_names()) & load_divisions().counties

    @pytest.mark.parametrize(
        ("code", "english"),
        [("21", "Liaoning"), ("2101", "Shenyang"), ("2102", "Dalian"), ("15", "Inner Mongolia"), ("11", "Beijing")],
    )
    def test_official_spellings(self, code: str, english: str) -> None:
        assert english_names()[code] == english


class TestNames:
    def test_an_english_page_gets_the_english_name(self) -> None:
        assert region_name("2101", "沈阳市", "en") == "Shenyang"
        assert region_name("2101", "沈阳市", "zh") == "沈阳市"

    def test_a_county_keeps_its_chinese_name_in_english(self) -> None:
        assert region_name("210211", "甘井子区", "en") == "甘井子区"

    def test_localize_names(self) -> None:
        assert localize_names({"21": "辽宁省", "210211": "甘井子区"}, "en") == {"21": "Liaoning", "210211": "甘井子区"}

    @pytest.mark.parametrize(
        ("text", "code"), [("Dalian", "2102"), ("dalian", "2102"), (" inner  MONGOLIA ", "15"), ("Jilin City", "2202")]
    )
    def test_english_names_resolve_in_any_case(self, text: str, code: str) -> None:
        assert code_of_english_name(text) == code

    def test_an_unknown_english_name_resolves_to_nothing(self) -> None:
        assert code_of_english_name("Atlantis") is None

    def test_english_codes_like(self) -> None:
        assert english_codes_like("shen") == ["2101", "2190", "4403"]
