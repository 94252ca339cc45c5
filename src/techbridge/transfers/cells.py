"""Parsers of one contract-file cell: amounts, dates, labels and header units. Each returns the value or raises
CellError with an English and a Chinese reason; the loader turns that into a row error naming the row and column.

Amounts: digits with an optional decimal part; thousands separators only in proper 3-digit groups (`1,000.5`,
never `1,0,0`); no sign, exponent, NaN or infinity. A header unit (`成交额（元）`) scales the value to 万元 exactly
(Decimal), and the result must fit the storage column (an integer number of 分, at most 2^63 − 1) with no more
precision than 1 分; a unit written in the cell itself (`100万元`, `50万`, `300000元`) overrides the header's. Dates:
`YYYY-MM-DD`, `YYYY/MM/DD` or `YYYY年M月D日` (month and day may drop a leading zero), as spreadsheets write them.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from techbridge.models.transfer import FEN_PER_WAN

AMOUNT_RE = re.compile(r"^(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")
DATE_RES = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$"),
)
CELL_UNITS = (("万元", 0), ("万", 0), ("元", -4))
"""Units a cell may carry after its number, with the power of ten that turns one into 万元 (longest first)."""
UNIT_RE = re.compile(r"^(.*?)\s*[（(]\s*([^（）()]+?)\s*[）)]$")
MAX_WAN = Decimal(2**63 - 1) / FEN_PER_WAN
"""The largest amount the `Wan` column holds (an integer number of 分 in a BIGINT)."""
BRACKETS = str.maketrans({"(": "（", ")": "）", " ": "", "\u3000": ""})


class CellError(ValueError):
    """A cell that cannot be read, with the reason in English and Chinese."""

    def __init__(self, message: str, message_zh: str) -> None:
        super().__init__(message)
        self.message = message
        self.message_zh = message_zh


def parse_amount(text: str, exponent: int = 0) -> Decimal:
    """An amount in 万元 from a cell whose unit is 10^exponent 万元 (元: -4); see the module docstring."""
    for unit, power in CELL_UNITS:
        if text.endswith(unit) and len(text) > len(unit):
            text, exponent = text[: -len(unit)].strip(), power
            break
    if text.startswith("-") and AMOUNT_RE.match(text[1:]):
        raise CellError(f"{text!r} must be a non-negative amount", f"“{text}”必须是非负金额")
    if not AMOUNT_RE.match(text):
        raise CellError(
            f"{text!r} is not an amount (digits, optional 3-digit groups with commas and decimals)",
            f"“{text}”不是金额（数字，千分位逗号须每 3 位一组，可带小数）",
        )
    number = Decimal(text.replace(",", "")).scaleb(exponent)
    if number > MAX_WAN:
        raise CellError(
            f"{text!r} exceeds the largest storable amount ({MAX_WAN} 万元)",
            f"“{text}”超过可存储的最大金额（{MAX_WAN} 万元）",
        )
    fen = number * FEN_PER_WAN
    if fen != fen.to_integral_value():
        raise CellError(f"{text!r} is more precise than 1 fen (0.01 yuan)", f"“{text}”精度超过 1 分")
    return number


def parse_day(text: str) -> date:
    """A date written YYYY-MM-DD, YYYY/MM/DD or YYYY年M月D日."""
    found = next((m for m in (r.match(text) for r in DATE_RES) if m), None)
    try:
        if found is None:
            raise ValueError(text)
        return date(*(int(part) for part in found.groups()))
    except ValueError:
        raise CellError(
            f"{text!r} is not a date YYYY-MM-DD (or YYYY/MM/DD, YYYY年M月D日)",
            f"“{text}”不是 YYYY-MM-DD（或 YYYY/MM/DD、YYYY年M月D日）日期",
        ) from None


def label_key(text: str) -> str:
    """A label as looked up in the format's tables: trimmed, lower-case, spaces dropped, brackets full-width
    (技术开发(委托) and 技术开发（委托） are one label)."""
    return text.strip().lower().translate(BRACKETS)


def split_unit(header: str) -> tuple[str, str]:
    """(name, unit) of a header cell with a bracketed unit (`成交额（万元）` → 成交额, 万元); unit "" when none."""
    found = UNIT_RE.match(header.strip())
    return (found.group(1), found.group(2)) if found else (header.strip(), "")
