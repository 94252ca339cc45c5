"""Cell converters: each type converts good cells and reports bad ones with the right reason."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from techbridge.imports.convert import CellError, References, add_organization_name, make_converter, region_names
from techbridge.imports.mapping import FieldSpec
from techbridge.imports.schemas import Reason

REFS = References(regions={"21", "2102"}, org_by_credit={"914403001922038216": 5}, org_by_name={"东北大学": 9})


def convert(type_: str, value: object, **extra: object) -> object:
    return make_converter(FieldSpec(field="f", column="列", type=type_, **extra), REFS)(value)  # type: ignore[arg-type]


def reason_of(type_: str, value: object, **extra: object) -> Reason:
    with pytest.raises(CellError) as info:
        convert(type_, value, **extra)
    return info.value.reason


class TestConverters:
    @pytest.mark.parametrize("value", ["NaN", "nan", "inf", "-Infinity", "1e999999999"])
    def test_numbers_must_be_finite(self, value: str) -> None:
        assert reason_of("decimal", value, min=0) is Reason.WRONG_TYPE
        assert reason_of("float", value, min=0) is Reason.WRONG_TYPE

    def test_int_fits_an_integer_column(self) -> None:
        assert convert("int", str(2**31 - 1)) == 2**31 - 1
        assert reason_of("int", "1e300", min=0) is Reason.WRONG_TYPE
        assert reason_of("int", str(2**31)) is Reason.WRONG_TYPE

    def test_shipped_money_columns_fit_numeric_14_2(self) -> None:
        from techbridge.imports.mapping import load_mapping

        for entity, field in (("achievement", "price"), ("demand", "budget")):
            spec = next(f for f in load_mapping(entity).fields if f.field == field)
            assert make_converter(spec, REFS)("999999999999") == Decimal("999999999999")
            with pytest.raises(CellError):
                make_converter(spec, REFS)("1000000000000")

    def test_int_accepts_excel_floats_and_checks_range(self) -> None:
        assert convert("int", 5.0, min=1, max=9) == 5
        assert reason_of("int", "12", min=1, max=9) is Reason.OUT_OF_RANGE  # a number, but not one allowed
        assert reason_of("int", "abc") is Reason.WRONG_TYPE

    def test_decimal(self) -> None:
        assert convert("decimal", "1,200.5") == Decimal("1200.5")

    def test_dates_in_several_forms(self) -> None:
        assert convert("date", "2024/3/5") == date(2024, 3, 5)
        assert convert("date", "2024年3月5日") == date(2024, 3, 5)
        assert convert("date", datetime(2024, 3, 5, 10)) == date(2024, 3, 5)
        assert reason_of("date", "soon") is Reason.WRONG_TYPE

    @pytest.mark.parametrize("text", ["2024-03-05 00:00:00", "2024/3/5 10:30"])
    def test_a_date_exported_with_its_time_is_a_date(self, text: str) -> None:
        assert convert("date", text) == date(2024, 3, 5)

    def test_text_longer_than_its_column_is_refused_not_cut(self) -> None:
        assert convert("str", "长" * 8, max_length=8) == "长" * 8
        with pytest.raises(CellError) as info:
            convert("str", "长" * 9, max_length=8)
        assert info.value.reason is Reason.OUT_OF_RANGE
        assert "最多 8 个" in info.value.detail_zh

    def test_lists_split_on_chinese_and_ascii_separators(self) -> None:
        assert convert("list", "正极；锂电, 储能、材料") == ["正极", "锂电", "储能", "材料"]

    def test_json_arrays_stay_lists(self) -> None:
        assert convert("list", ["正极", " ", "锂电"]) == ["正极", "锂电"]
        assert convert("ipc_list", ["h01m"]) == ["H01M"]

    def test_enum_takes_label_or_value(self) -> None:
        choices = {"专利": "patent", "论文": "paper"}
        assert convert("enum", "专利", choices=choices) == "patent"
        assert convert("enum", "paper", choices=choices) == "paper"
        assert reason_of("enum", "发明", choices=choices) is Reason.UNKNOWN_CODE

    def test_credit_code(self) -> None:
        assert convert("credit_code", "91110000802100433b") == "91110000802100433B"
        assert reason_of("credit_code", "91110000802100433C") is Reason.BAD_CREDIT_CODE

    def test_region_must_exist(self) -> None:
        assert convert("region", "2102") == "2102"
        assert reason_of("region", "9999") is Reason.UNKNOWN_CODE

    def test_ipc_codes(self) -> None:
        assert convert("ipc_list", "H01M; g06f 16/35") == ["H01M", "G06F16/35"]
        assert reason_of("ipc_list", "Z99") is Reason.WRONG_TYPE

    def test_organization_by_credit_code_or_name(self) -> None:
        assert convert("organization", "914403001922038216") == 5
        assert convert("organization", "东北大学") == 9
        assert reason_of("organization", "无名公司") is Reason.UNKNOWN_CODE

    def test_an_organization_name_is_found_whatever_its_bracket_width_and_spaces(self) -> None:
        refs = References()
        add_organization_name(refs, "中兴-沈阳商业大厦(集团)股份有限公司", 233)
        spec = FieldSpec(field="owner", column="权利人", type="organization")
        assert make_converter(spec, refs)("中兴-沈阳商业大厦（集团） 股份有限公司") == 233

    def test_a_name_two_organizations_share_asks_for_the_credit_code(self) -> None:
        refs = References()
        add_organization_name(refs, "沈阳机床股份有限公司", 74)
        add_organization_name(refs, "沈阳机床股份有限公司", 28600)
        spec = FieldSpec(field="owner", column="权利人", type="organization")
        with pytest.raises(CellError) as info:
            make_converter(spec, refs)("沈阳机床股份有限公司")
        assert "统一社会信用代码" in info.value.detail_zh


REGION_ROWS = [
    ("21", "辽宁省", "province", None),
    ("2102", "大连市", "city", "21"),
    ("210202", "中山区", "county", "2102"),
    ("4420", "中山市", "city", "44"),
    ("110105", "朝阳区", "county", "11"),
    ("220104", "朝阳区", "county", "22"),
    ("2113", "朝阳市", "city", "21"),
]


class TestRegionNames:
    def test_full_and_short_names_map_to_codes(self) -> None:
        names = region_names(REGION_ROWS)
        assert (names["辽宁省"], names["辽宁"], names["大连市"], names["大连"]) == ("21", "21", "2102", "2102")

    def test_a_full_name_wins_over_a_short_one_and_a_city_over_a_county(self) -> None:
        names = region_names(REGION_ROWS)
        assert names["中山区"] == "210202"
        assert names["中山"] == "4420"
        assert names["朝阳"] == "2113"

    def test_a_name_two_regions_share_equally_is_marked_ambiguous(self) -> None:
        assert region_names(REGION_ROWS)["朝阳区"] == ""


class TestMessages:
    def test_a_lower_bound_alone_is_said_without_none(self) -> None:
        with pytest.raises(CellError) as info:
            convert("int", "-5", min=0)
        assert (info.value.detail, info.value.detail_zh) == ("-5 must be at least 0", "「-5」超出范围：应不小于 0")

    def test_an_unknown_choice_names_the_allowed_labels(self) -> None:
        with pytest.raises(CellError) as info:
            convert(
                "enum",
                "发明",
                choices={"专利": "patent", "技术成果": "technology"},
                choice_aliases={"技术": "technology"},
            )
        assert info.value.detail_zh == "「发明」不是可选值；可选值：专利、技术成果"
        assert info.value.detail == "'发明' is not one of the allowed values: 专利, 技术成果"

    def test_an_alias_of_a_choice_converts_to_its_value(self) -> None:
        extra = {"choices": {"技术成果": "technology"}, "choice_aliases": {"技术": "technology"}}
        assert [convert("enum", v, **extra) for v in ("技术成果", "技术", "technology")] == ["technology"] * 3

    @pytest.mark.parametrize(
        ("value", "code"), [("2102", "2102"), ("大连市 [2102]", "2102"), ("大连市（2102）", "2102")]
    )
    def test_a_region_cell_takes_a_code_or_a_picked_value(self, value: str, code: str) -> None:
        assert convert("region", value) == code

    def test_a_region_name_is_resolved_through_the_names(self) -> None:
        refs = References(regions={"21", "2102"}, region_by_name={"大连": "2102", "大连市": "2102"})
        assert make_converter(FieldSpec(field="f", column="列", type="region"), refs)("大连") == "2102"
