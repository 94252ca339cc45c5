"""One contract cell at a time: amounts, dates, labels and header units."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from techbridge.transfers.cells import CellError, label_key, parse_amount, parse_day, split_unit


class TestParseAmount:
    @pytest.mark.parametrize(
        ("text", "value"),
        [("100", "100"), ("1,000.5", "1000.5"), ("12,345,678", "12345678"), ("0.000001", "0.000001"), ("0", "0")],
    )
    def test_accepted(self, text: str, value: str) -> None:
        assert parse_amount(text) == Decimal(value)

    @pytest.mark.parametrize("text", ["1,0,0", "1,00", "10,00.5", "1e5", "1E13", "NaN", "Infinity", "abc", "1.", ".5"])
    def test_refused(self, text: str) -> None:
        with pytest.raises(CellError):
            parse_amount(text)

    def test_a_negative_amount_says_so(self) -> None:
        with pytest.raises(CellError, match="non-negative"):
            parse_amount("-5")

    def test_an_amount_the_column_cannot_hold_is_refused(self) -> None:
        with pytest.raises(CellError, match="largest"):
            parse_amount("10000000000000")

    def test_yuan_become_wan_exactly(self) -> None:
        assert parse_amount("1,234,567.89", -4) == Decimal("123.456789")

    @pytest.mark.parametrize(("text", "value"), [("100万元", "100"), ("50万", "50"), ("300,000元", "30")])
    def test_a_unit_in_the_cell_overrides_the_header(self, text: str, value: str) -> None:
        assert parse_amount(text, -4) == parse_amount(text) == Decimal(value)

    @pytest.mark.parametrize("text", ["万元", "元", "100美元", "-100万元"])
    def test_a_unit_alone_or_another_currency_is_refused(self, text: str) -> None:
        with pytest.raises(CellError):
            parse_amount(text)

    def test_more_precise_than_one_fen_is_refused(self) -> None:
        with pytest.raises(CellError, match="1 fen"):
            parse_amount("1.0000001")


class TestParseDay:
    @pytest.mark.parametrize(
        ("text", "day"),
        [
            ("2024-03-15", date(2024, 3, 15)),
            ("2024/3/5", date(2024, 3, 5)),
            ("2024-3-5", date(2024, 3, 5)),  # as spreadsheets write a date without leading zeros
            ("2024年3月15日", date(2024, 3, 15)),
        ],
    )
    def test_accepted(self, text: str, day: date) -> None:
        assert parse_day(text) == day

    @pytest.mark.parametrize("text", ["2024-W11-5", "20240315", "2024/13/45", "2024-02-30", "15.03.2024", "2024年3月"])
    def test_refused(self, text: str) -> None:
        with pytest.raises(CellError):
            parse_day(text)


class TestLabels:
    def test_either_bracket_style_is_one_label(self) -> None:
        assert label_key("技术开发(委托)") == label_key("技术开发（委托）") == label_key(" 技术开发 （委托） ")

    def test_a_header_unit_is_split_off(self) -> None:
        assert [split_unit(h) for h in ("成交额（万元）", "合同金额(元)", "成交额")] == [
            ("成交额", "万元"),
            ("合同金额", "元"),
            ("成交额", ""),
        ]
