"""Cell converters: each type converts good cells and reports bad ones with the right reason."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from techbridge.imports.convert import CellError, References, make_converter
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
        assert reason_of("int", "12", min=1, max=9) is Reason.WRONG_TYPE
        assert reason_of("int", "abc") is Reason.WRONG_TYPE

    def test_decimal(self) -> None:
        assert convert("decimal", "1,200.5") == Decimal("1200.5")

    def test_dates_in_several_forms(self) -> None:
        assert convert("date", "2024/3/5") == date(2024, 3, 5)
        assert convert("date", "2024年3月5日") == date(2024, 3, 5)
        assert convert("date", datetime(2024, 3, 5, 10)) == date(2024, 3, 5)
        assert reason_of("date", "soon") is Reason.WRONG_TYPE

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
