"""Reading contract CSVs: good rows become facts, every problem of a bad row is reported with its line number."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from techbridge.errors import InvalidDataError
from techbridge.registry.resolve import credit_check_char
from techbridge.transfers.loader import ContractFile, parse_contracts, read_contracts
from techbridge.transfers.schemas import ContractType, PartyKind

DATA = Path(__file__).resolve().parents[2] / "data" / "contracts"


def _typed(cell: str) -> object:
    """A CSV cell as a spreadsheet user would type it: ISO dates as dates, plain whole numbers as numbers."""
    try:
        return date.fromisoformat(cell) if len(cell) == 10 and cell[4] == "-" else int(cell) if cell.isdigit() else cell
    except ValueError:
        return cell


class TestReadContracts:
    def test_good_rows_of_a_broken_file_survive(self) -> None:
        facts = read_contracts(DATA / "broken.csv").facts
        assert [f.contract_id for f in facts] == ["B1", "B8"]

    def test_chinese_labels_and_thousands_separators_are_accepted(self) -> None:
        facts = read_contracts(DATA / "broken.csv").facts
        b8 = facts[1]
        assert (b8.type, b8.seller_kind, b8.contract_value) == (ContractType.TRANSFER, PartyKind.UNIVERSITY, 1000)

    def test_a_gbk_csv_reads_as_its_utf8_twin(self, tmp_path: Path) -> None:
        gbk = tmp_path / "合同.csv"
        gbk.write_bytes((DATA / "basic.csv").read_text(encoding="utf-8").encode("gbk"))
        assert read_contracts(gbk).facts == read_contracts(DATA / "basic.csv").facts

    def test_a_workbook_reads_as_its_csv_twin_with_the_sheets_row_numbers(self, tmp_path: Path) -> None:
        from openpyxl import Workbook

        rows = list(csv.reader(io.StringIO((DATA / "broken.csv").read_text(encoding="utf-8"))))
        book = Workbook()
        sheet = book.active
        assert sheet is not None
        for number, row in enumerate(rows, start=1):
            typed: list[object] = [_typed(cell) for cell in row] if number > 1 else list(row)
            for column, value in enumerate(typed, start=1):
                sheet.cell(row=number, column=column, value=value)
        path = tmp_path / "合同.xlsx"
        book.save(path)
        from_sheet, from_csv = read_contracts(path), read_contracts(DATA / "broken.csv")
        assert from_sheet.facts == from_csv.facts
        assert {(e.row, e.column) for e in from_sheet.errors} == {(e.row, e.column) for e in from_csv.errors}

    def test_every_bad_row_is_reported_with_its_line(self) -> None:
        errors = read_contracts(DATA / "broken.csv").errors
        assert {(e.row, e.column) for e in errors} == {
            (3, "contract_value"),
            (4, "seller_region_code"),
            (5, "type"),
            (6, "registered_on"),
            (7, "contract_id"),
            (9, "seller_kind"),
            (9, "contract_value"),
        }

    def test_missing_required_column_fails_the_file(self, tmp_path: Path) -> None:
        path = tmp_path / "c.csv"
        path.write_text("contract_id,type\nX,transfer\n", encoding="utf-8")
        with pytest.raises(InvalidDataError, match="seller_kind"):
            read_contracts(path)

    def test_blank_income_is_unknown_not_zero(self) -> None:
        facts = read_contracts(DATA / "basic.csv").facts
        assert {f.contract_id: f.technology_income for f in facts}["C6"] is None
        assert {f.contract_id: f.technology_income for f in facts}["C7"] == Decimal("25.5")


def credit_code(division: str, body: str = "MA0000001") -> str:
    """A valid GB 32100 credit code registered in `division` (an organization of kind 91: an enterprise)."""
    stem = f"91{division}{body}"
    return stem + credit_check_char(stem)


HEADER = (
    "contract_id,type,seller_name,seller_credit_code,seller_region_code,seller_kind,buyer_name,buyer_credit_code,"
    "buyer_region_code,contract_value,technology_income,signed_on,registered_on,field\n"
)


def parse(*rows: str) -> ContractFile:
    return parse_contracts(io.StringIO(HEADER + "".join(f"{row}\n" for row in rows)))


def row(
    *,
    seller: tuple[str, str, str] = ("东北大学", "", "210102"),
    buyer: tuple[str, str, str] = ("沈阳甲公司", "", "210103"),
    value: str = "100",
    income: str = "80",
    signed: str = "2024-03-01",
    registered: str = "2024-03-15",
    kind: str = "development",
    number: str = "K1",
) -> str:
    return (
        f"{number},{kind},{','.join(seller)},university,{','.join(buyer)},{value},{income},{signed},{registered},新材料"
    )


def registered_row(number: str, registration: str) -> str:
    """A row of REG_HEADER: contract id and registration number."""
    return (
        f"{number},{registration},development,东北大学,210102,university,沈阳甲公司,210103,100,80,2024-03-01,2024-03-15"
    )


REG_HEADER = (
    "contract_id,registration_no,type,seller_name,seller_region_code,seller_kind,buyer_name,buyer_region_code,"
    "contract_value,technology_income,signed_on,registered_on\n"
)


class TestPartyRegions:
    def test_the_credit_code_gives_the_region_when_no_region_is_typed(self) -> None:
        parsed = parse(row(buyer=("北京乙公司", credit_code("110108"), "")))
        assert parsed.facts[0].buyer_region_code == "110108"

    def test_a_typed_region_of_another_province_is_a_row_error_naming_both(self) -> None:
        parsed = parse(row(buyer=("北京乙公司", credit_code("110108"), "210103")))
        assert parsed.facts == []
        [error] = parsed.errors
        assert (error.row, error.column) == (2, "buyer_region_code")
        assert all(part in error.message for part in ("210103", "110108", "province"))
        assert all(part in error.message_zh for part in ("210103", "110108", "省"))

    def test_a_typed_region_of_another_city_is_a_row_error(self) -> None:
        parsed = parse(row(seller=("大连某公司", credit_code("210200"), "210102")))
        assert [(e.column, "city" in e.message) for e in parsed.errors] == [("seller_region_code", True)]

    def test_a_typed_district_refines_a_city_level_code(self) -> None:
        parsed = parse(row(seller=("沈阳某公司", credit_code("210100"), "210102")))
        assert parsed.facts[0].seller_region_code == "210102"

    def test_the_code_wins_over_a_district_of_the_same_city(self) -> None:
        parsed = parse(row(seller=("沈阳某公司", credit_code("210104"), "210102")))
        assert parsed.facts[0].seller_region_code == "210104"

    def test_a_centrally_registered_code_leaves_the_typed_region(self) -> None:
        parsed = parse(row(seller=("东北大学", credit_code("100000", "400009565"), "210102")))
        assert (parsed.facts[0].seller_region_code, parsed.warnings) == ("210102", [])

    def test_a_region_code_that_is_no_division_is_a_row_error(self) -> None:
        parsed = parse(row(seller=("东北大学", "", "219999")))
        assert [(e.row, e.column) for e in parsed.errors] == [(2, "seller_region_code")]

    def test_a_buyer_with_neither_code_nor_region_is_outside_every_region(self) -> None:
        parsed = parse(row(buyer=("Siemens AG", "", "")))
        assert (parsed.errors, parsed.facts[0].buyer_region_code) == ([], "")

    def test_a_seller_with_neither_code_nor_region_is_a_row_error(self) -> None:
        parsed = parse(row(seller=("某大学", "", "")))
        assert [(e.column, "located" in e.message) for e in parsed.errors] == [("seller_region_code", True)]

    def test_a_failing_credit_code_is_a_warning_and_the_typed_region_stays(self) -> None:
        parsed = parse(row(seller=("某大学", "91210100XXXXXXXXX1", "210102")))
        assert parsed.facts[0].seller_credit_code == ""
        assert [(w.column, parsed.facts[0].seller_region_code) for w in parsed.warnings] == [
            ("seller_credit_code", "210102")
        ]


class TestAmounts:
    def test_income_above_the_contract_value_is_a_row_error(self) -> None:
        parsed = parse(row(value="100", income="150"))
        assert (parsed.facts, [(e.row, e.column) for e in parsed.errors]) == ([], [(2, "technology_income")])
        assert "150" in parsed.errors[0].message_zh

    def test_income_equal_to_the_contract_value_is_fine(self) -> None:
        assert parse(row(value="100", income="100")).errors == []


class TestRegistration:
    def test_registered_before_signing_is_a_row_error(self) -> None:
        parsed = parse(row(signed="2024-05-01", registered="2024-03-15"))
        assert (parsed.facts, [(e.row, e.column) for e in parsed.errors]) == ([], [(2, "registered_on")])

    def test_registered_more_than_30_days_after_signing_is_a_warning(self) -> None:
        parsed = parse(row(signed="2024-01-01", registered="2024-03-15"))
        assert (len(parsed.facts), parsed.errors) == (1, [])
        assert [(w.row, w.column) for w in parsed.warnings] == [(2, "registered_on")]
        assert "74 days" in parsed.warnings[0].message

    def test_registered_on_the_30th_day_is_on_time(self) -> None:
        assert parse(row(signed="2024-03-01", registered="2024-03-31")).warnings == []

    def test_one_registration_number_under_two_contract_ids_is_a_row_error(self) -> None:
        text = REG_HEADER + registered_row("R1", "2024210100000123") + "\n" + registered_row("R2", "2024210100000123")
        parsed = parse_contracts(io.StringIO(text + "\n"))
        assert [f.contract_id for f in parsed.facts] == ["R1"]
        assert [(e.row, e.column) for e in parsed.errors] == [(3, "registration_no")]
        assert "R1" in parsed.errors[0].message


class TestParties:
    def test_a_row_without_buyer_name_or_code_is_a_row_error(self) -> None:
        parsed = parse(row(buyer=("", "", "210103")))
        assert [(e.row, e.column) for e in parsed.errors] == [(2, "buyer_name")]

    def test_a_row_without_seller_name_or_code_is_a_row_error(self) -> None:
        parsed = parse(row(seller=("", "", "210102")))
        assert [(e.row, e.column) for e in parsed.errors] == [(2, "seller_name")]

    def test_a_credit_code_alone_names_a_party(self) -> None:
        assert parse(row(buyer=("", credit_code("210103"), ""))).errors == []


class TestLabelsAndUnits:
    @pytest.mark.parametrize(
        ("label", "kind"),
        [
            ("技术开发(委托)", ContractType.DEVELOPMENT),
            ("技术开发（合作）", ContractType.DEVELOPMENT),
            ("技术转让（专利权）", ContractType.TRANSFER),
            ("技术秘密转让", ContractType.TRANSFER),
            ("专利实施许可", ContractType.LICENSE),
            ("技术许可", ContractType.LICENSE),
            ("技术服务（技术中介）", ContractType.SERVICE),
            ("技术中介", ContractType.SERVICE),
            ("技术咨询", ContractType.CONSULTING),
            # the licence of every object whose transfer is accepted, in both label styles (许可 split from 转让)
            ("技术许可（植物新品种权）", ContractType.LICENSE),
            ("技术许可（集成电路布图设计专有权）", ContractType.LICENSE),
            ("技术许可（生物、医药新品种权）", ContractType.LICENSE),
            ("计算机软件著作权许可", ContractType.LICENSE),
            ("植物新品种权实施许可", ContractType.LICENSE),
            ("计算机软件著作权转让", ContractType.TRANSFER),
            ("植物新品种权转让", ContractType.TRANSFER),
            ("一般技术咨询", ContractType.CONSULTING),
        ],
    )
    def test_registration_office_labels_with_subtypes(self, label: str, kind: ContractType) -> None:
        assert parse(row(kind=label)).facts[0].type is kind

    def test_a_header_in_yuan_is_converted_to_wan_exactly(self) -> None:
        text = (
            "合同编号,合同类型,卖方名称,卖方行政区划代码,卖方类型,买方名称,合同金额(元),技术交易额（万元）,登记日期\n"
            '1,技术开发,东北大学,210102,高校,某公司,"1,234,567.89",100,2024-01-15\n'
        )
        fact = parse_contracts(io.StringIO(text)).facts[0]
        assert (fact.contract_value, fact.technology_income) == (Decimal("123.456789"), Decimal(100))

    def test_an_unknown_unit_fails_the_header(self) -> None:
        text = "合同编号,合同类型,卖方类型,成交额（美元）,登记日期\n"
        with pytest.raises(InvalidDataError, match="美元"):
            parse_contracts(io.StringIO(text))

    def test_text_longer_than_its_column_is_a_row_error(self) -> None:
        parsed = parse(row().replace("新材料", "长" * 65))
        assert [(e.row, e.column) for e in parsed.errors] == [(2, "field")]

    def test_an_overflowing_amount_is_a_row_error_not_a_traceback(self) -> None:
        parsed = parse(row(value="10000000000000", income=""))
        assert [(e.row, e.column) for e in parsed.errors] == [(2, "contract_value")]
