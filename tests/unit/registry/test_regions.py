"""The shipped region lookup: which codes name a region, and regions' English names."""

from __future__ import annotations

import csv
import io
import shutil
from collections import Counter
from importlib import resources
from pathlib import Path

import pytest

from techbridge.errors import InvalidDataError
from techbridge.registry.regions import (
    SPECIAL_REGIONS,
    check_english_names,
    code_of_english_name,
    codes_of_english_name,
    english_codes_like,
    english_names,
    is_known_region,
    load_divisions,
    localize_names,
    names_folder,
    region_name,
)


def shipped_names(name: str) -> dict[str, str]:
    folder = resources.files("techbridge") / "data" / "sample" / "admin_divisions" / "raw"
    rows = csv.DictReader(io.StringIO((folder / name).read_text(encoding="utf-8")))
    return {row["code"]: row["name"] for row in rows}


def english_rows(name: str = "names_en.csv") -> list[dict[str, str]]:
    text = (resources.files("techbridge") / "data" / "regions" / name).read_text(encoding="utf-8")
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
        assert {row["code"] for row in english_rows()} == wanted

    def test_its_chinese_column_is_the_tables_name(self) -> None:
        table = {**shipped_names("provinces.csv"), **shipped_names("cities.csv")}
        table.update({str(r["code"]): str(r["name"]) for r in SPECIAL_REGIONS})
        assert {row["code"]: row["name"] for row in english_rows()} == table

    def test_names_are_unique_whatever_the_case(self) -> None:
        names = [row["name_en"].casefold() for row in english_rows()]
        assert len(names) == len(set(names))

    def test_counties_are_not_in_it(self) -> None:
        assert not {row["code"] for row in english_rows()} & load_divisions().counties

    @pytest.mark.parametrize(
        ("code", "english"),
        [("21", "Liaoning"), ("2101", "Shenyang"), ("2102", "Dalian"), ("15", "Inner Mongolia"), ("11", "Beijing")],
    )
    def test_official_spellings(self, code: str, english: str) -> None:
        assert english_names()[code] == english


class TestCountyNamesFile:
    def test_every_county_has_one_and_no_other_code(self) -> None:
        codes = [row["code"] for row in english_rows("counties_en.csv")]
        assert len(codes) == len(set(codes))
        assert set(codes) == load_divisions().counties
        assert set(english_names()) == {*load_divisions().counties, *(row["code"] for row in english_rows())}

    def test_its_chinese_column_is_the_tables_name(self) -> None:
        table = shipped_names("areas.csv")
        assert {row["code"]: row["name"] for row in english_rows("counties_en.csv")} == table

    def test_no_county_is_called_as_a_province_or_city_is(self) -> None:
        cities = {row["name_en"].casefold() for row in english_rows()}
        assert not [r for r in english_rows("counties_en.csv") if r["name_en"].casefold() in cities]

    def test_two_counties_of_one_city_have_different_names(self) -> None:
        names = Counter((r["code"][:4], r["name_en"].casefold()) for r in english_rows("counties_en.csv"))
        assert [key for key, count in names.items() if count > 1] == []

    @pytest.mark.parametrize(
        ("code", "english"),
        [
            ("210102", "Heping District"),
            ("210103", "Shenhe District"),
            ("210212", "Lüshunkou District"),
            ("210224", "Changhai County"),  # 长 read chang, not zhang
            ("210281", "Wafangdian City"),
            ("210321", "Tai'an County"),
            ("210323", "Xiuyan Manchu Autonomous County"),
            ("211005", "Gongchangling District"),
            ("211321", "Chaoyang County"),  # 朝 read chao, not zhao
            ("211324", "Harqin Left Wing Mongol Autonomous County"),  # the established Mongol name: an override
            ("140428", "Zhangzi County"),  # but 长子 is Zhangzi: an override
            ("371722", "Shan County"),  # 单县
            ("152921", "Alxa Left Banner"),
            ("622926", "Dongxiang Autonomous County"),
            ("530925", "Shuangjiang Lahu, Va, Blang and Dai Autonomous County"),
            ("410104", "Guancheng Hui District"),
            ("140303", "Kuang District"),
            ("429021", "Shennongjia Forest District"),
            ("130271", "Hebei Tangshan Lutai Economic Development Zone"),
        ],
    )
    def test_spellings(self, code: str, english: str) -> None:
        assert english_names()[code] == english


class TestCheckEnglishNames:
    def test_the_shipped_files_pass(self) -> None:
        counts = check_english_names()
        assert counts["counties_en.csv"] == len(load_divisions().counties)
        assert counts["counties_en_overrides.csv"] > 0

    @staticmethod
    def _copy(tmp_path: Path) -> Path:
        folder = tmp_path / "regions"
        shutil.copytree(str(names_folder()), folder)
        return folder

    @staticmethod
    def _append(path: Path, line: str) -> None:
        path.write_text(path.read_text(encoding="utf-8") + line + "\n", encoding="utf-8")

    @pytest.mark.parametrize(
        ("line", "field", "said"),
        [
            ("219999,无此区,Nowhere District", "code", "no region has the code '219999'"),
            ("210102,和平区,Heping District", "code", "code 210102 is listed twice"),
            ("", "code", "no region has the code ''"),
        ],
    )
    def test_a_bad_county_row_is_named(self, tmp_path: Path, line: str, field: str, said: str) -> None:
        folder = self._copy(tmp_path)
        self._append(folder / "counties_en.csv", line or ",,")
        rows = len(load_divisions().counties) + 2
        with pytest.raises(InvalidDataError) as error:
            check_english_names(folder)
        assert error.value.location == ("counties_en.csv", f"row {rows}", field)
        assert said in error.value.message

    def test_an_override_not_written_into_the_county_file_is_named(self, tmp_path: Path) -> None:
        folder = self._copy(tmp_path)
        self._append(folder / "counties_en_overrides.csv", "210102,和平区,Peace District,test")
        with pytest.raises(InvalidDataError) as error:
            check_english_names(folder)
        assert error.value.location is not None
        assert (error.value.location[0], error.value.location[2]) == ("counties_en_overrides.csv", "name_en")
        assert "region_names_en.py" in error.value.message


class TestNames:
    def test_an_english_page_gets_the_english_name(self) -> None:
        assert region_name("2101", "沈阳市", "en") == "Shenyang"
        assert region_name("2101", "沈阳市", "zh") == "沈阳市"

    def test_a_county_is_named_in_english_too(self) -> None:
        assert region_name("210211", "甘井子区", "en") == "Ganjingzi District"
        assert region_name("210211", "甘井子区", "zh") == "甘井子区"

    def test_a_region_without_an_english_name_keeps_its_chinese_one(self) -> None:
        assert region_name("219901", "某新区", "en") == "某新区"

    def test_localize_names(self) -> None:
        names = {"21": "辽宁省", "210211": "甘井子区"}
        assert localize_names(names, "en") == {"21": "Liaoning", "210211": "Ganjingzi District"}

    @pytest.mark.parametrize(
        ("text", "code"),
        [
            ("Dalian", "2102"),
            ("dalian", "2102"),
            (" inner  MONGOLIA ", "15"),
            ("Jilin City", "2202"),
            ("Changhai County", "210224"),
            ("wafangdian city", "210281"),
            ("Lushunkou District", "210212"),  # ü typed as u
            ("Luliang", "1411"),
            ("Taian County", "210321"),  # without the apostrophe
        ],
    )
    def test_english_names_resolve_in_any_case(self, text: str, code: str) -> None:
        assert code_of_english_name(text) == code

    def test_an_unknown_english_name_resolves_to_nothing(self) -> None:
        assert code_of_english_name("Atlantis") is None
        assert codes_of_english_name("Atlantis") == ()

    def test_a_county_name_several_cities_have_stands_for_each(self) -> None:
        assert codes_of_english_name("Heping District") == ("120101", "210102")
        assert code_of_english_name("Heping District") is None

    @pytest.mark.parametrize(
        ("text", "codes"),
        [
            ("Heping District, Shenyang", ("210102",)),
            ("heping district,tianjin", ("120101",)),
            ("Heping District, Liaoning", ("210102",)),
            ("Heping District, Dalian", ()),
            ("Heping District, Atlantis", ()),
        ],
    )
    def test_its_city_or_province_tells_them_apart(self, text: str, codes: tuple[str, ...]) -> None:
        assert codes_of_english_name(text) == codes

    def test_english_codes_like(self) -> None:
        found = english_codes_like("shen")
        assert found[:3] == ["2101", "2190", "4403"]  # provinces and cities before counties
        assert "210103" in found  # Shenhe District
        assert all(len(code) == 6 for code in found[3:])
