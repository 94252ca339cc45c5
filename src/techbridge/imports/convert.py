"""Cell converters for the spreadsheet importer: one function per mapping type, raising CellError with the
reason (wrong type, unknown code, bad credit code) so the row and column can be reported."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from techbridge.imports.mapping import FieldSpec
from techbridge.imports.schemas import Reason
from techbridge.registry.resolve import clean_text, is_valid_credit_code

LIST_SPLIT = re.compile(r"[;；,，|、\n]+")
IPC_CODE = re.compile(r"[A-H](\d{2}([A-Z](\d{1,4}/\d{1,6})?)?)?")
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日")


class CellError(Exception):
    """A cell that cannot be converted."""

    def __init__(self, reason: Reason, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


@dataclass
class References:
    """Codes and organizations cells may refer to (an empty set means the table is not loaded: not checked)."""

    regions: set[str] = field(default_factory=set)
    gbt4754: set[str] = field(default_factory=set)
    org_by_credit: dict[str, int] = field(default_factory=dict)
    org_by_name: dict[str, int] = field(default_factory=dict)


Converter = Callable[[Any], Any]


def is_blank(value: Any) -> bool:
    """None or only whitespace."""
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _number(spec: FieldSpec, value: Any, kind: Callable[[str], Any]) -> Any:
    try:
        number = kind(_text(value).replace(",", ""))
    except (ValueError, InvalidOperation, OverflowError):
        raise CellError(Reason.WRONG_TYPE, f"{value!r} is not a number / 不是数字") from None
    if not math.isfinite(number):  # NaN and infinities: no column stores them, and NaN breaks the range check
        raise CellError(Reason.WRONG_TYPE, f"{value!r} is not a finite number / 不是有效数字")
    if (spec.min is not None and number < spec.min) or (spec.max is not None and number > spec.max):
        raise CellError(Reason.WRONG_TYPE, f"{number} outside {spec.min}..{spec.max} / 超出范围")
    return number


INTEGER_RANGE = (-(2**31), 2**31 - 1)
"""What an INTEGER column holds on every supported store (PostgreSQL's is 32-bit)."""


def _integer(text: str) -> int:
    number = float(text)
    if not number.is_integer() or not INTEGER_RANGE[0] <= number <= INTEGER_RANGE[1]:
        raise ValueError(text)
    return int(number)


def _date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise CellError(Reason.WRONG_TYPE, f"{text!r} is not a date (YYYY-MM-DD) / 不是日期")


def _split(value: Any) -> list[str]:
    """A list cell: a JSON Lines array as it is, or text split on , ， ; ； | 、 and line breaks."""
    if isinstance(value, list | tuple):
        return [_text(item) for item in value if not is_blank(item)]
    return [part.strip() for part in LIST_SPLIT.split(_text(value)) if part.strip()]


def _choice(spec: FieldSpec, text: str) -> str:
    values = set(spec.choices.values())
    if text in spec.choices:
        return spec.choices[text]
    if text in values:
        return text
    raise CellError(Reason.UNKNOWN_CODE, f"{text!r} not in {'/'.join(spec.choices)}")


def _credit(value: Any) -> str:
    code = clean_text(_text(value)).upper()
    if not is_valid_credit_code(code):
        raise CellError(Reason.BAD_CREDIT_CODE, f"{_text(value)!r} fails GB 32100-2015 / 校验失败")
    return code


def _checked(codes: set[str], label: str) -> Callable[[str], str]:
    def check(code: str) -> str:
        if codes and code not in codes:
            raise CellError(Reason.UNKNOWN_CODE, f"{label} {code!r}")
        return code

    return check


def _ipc(code: str) -> str:
    code = code.replace(" ", "").upper()
    if not IPC_CODE.fullmatch(code):
        raise CellError(Reason.WRONG_TYPE, f"{code!r} is not an IPC code / 不是 IPC 分类号")
    return code


def _organization(refs: References) -> Converter:
    def find(value: Any) -> int:
        text = _text(value)
        found = refs.org_by_credit.get(clean_text(text).upper()) or refs.org_by_name.get(text)
        if found is None:
            raise CellError(Reason.UNKNOWN_CODE, f"organization {text!r} not found / 未找到该机构")
        return found

    return find


def make_converter(spec: FieldSpec, refs: References) -> Converter:
    """The converter of one column (blank cells never reach it)."""
    simple: dict[str, Converter] = {
        "str": lambda v: _text(v)[: spec.max_length] if spec.max_length else _text(v),
        "text": _text,
        "int": lambda v: _number(spec, v, _integer),
        "float": lambda v: _number(spec, v, float),
        "decimal": lambda v: _number(spec, v, Decimal),
        "date": _date,
        "list": _split,
        "enum": lambda v: _choice(spec, _text(v)),
        "enum_list": lambda v: [_choice(spec, t) for t in _split(v)],
        "credit_code": _credit,
        "region": lambda v: _checked(refs.regions, "region")(_text(v)),
        "ipc_list": lambda v: [_ipc(t) for t in _split(v)],
        "gbt4754_list": lambda v: [_checked(refs.gbt4754, "GB/T 4754")(t) for t in _split(v)],
        "organization": _organization(refs),
    }
    return simple[spec.type]


def blank_value(spec: FieldSpec) -> Any:
    """The value of an empty optional cell."""
    return [] if spec.type in ("list", "enum_list", "ipc_list", "gbt4754_list") else None
