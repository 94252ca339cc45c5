"""Cell converters for the spreadsheet importer: one function per mapping type, raising CellError with the
reason (wrong type, unknown code, bad credit code) in English and as a Chinese sentence naming the allowed values,
so the row and column can be reported in the user's language."""

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
from techbridge.registry.pickers import REGION_SUFFIXES
from techbridge.registry.resolve import clean_text, is_valid_credit_code

LIST_SPLIT = re.compile(r"[;；,，|、\n]+")
IPC_CODE = re.compile(r"[A-H](\d{2}([A-Z](\d{1,4}/\d{1,6})?)?)?")
DATE_FORMATS = (
    *("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日"),
    *("%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M"),
)
"""Dates as people and spreadsheet exports write them; a time of day (Excel and pandas CSV exports) is dropped."""


class CellError(Exception):
    """A cell that cannot be converted: the reason, and what is wrong in English (`detail`) and Chinese."""

    def __init__(self, reason: Reason, detail: str, detail_zh: str = "") -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail
        self.detail_zh = detail_zh or detail


@dataclass
class References:
    """Codes and organizations cells may refer to (an empty set means the table is not loaded: not checked)."""

    regions: set[str] = field(default_factory=set)
    region_by_name: dict[str, str] = field(default_factory=dict)
    """Full (大连市) and short (大连) region names → code; "" marks a name several regions share."""
    gbt4754: set[str] = field(default_factory=set)
    org_by_credit: dict[str, int] = field(default_factory=dict)
    org_by_name: dict[str, int] = field(default_factory=dict)
    """Cleaned name (`clean_text`: width, brackets, spaces, case) → organization id; AMBIGUOUS when several share it."""


AMBIGUOUS = 0
"""The id `References.org_by_name` gives a name several organizations share (ids start at 1)."""


def add_organization_name(refs: References, name: str, org_id: int) -> None:
    """File `name` under its cleaned form; a second organization of the same name makes it AMBIGUOUS."""
    key = clean_text(name)
    held = refs.org_by_name.get(key)
    refs.org_by_name[key] = org_id if held is None or held == org_id else AMBIGUOUS


Converter = Callable[[Any], Any]


def is_blank(value: Any) -> bool:
    """None or only whitespace."""
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _short_text(spec: FieldSpec, value: Any) -> str:
    """The text of a cell, refused (never cut) when longer than the column's `max_length`."""
    text = _text(value)
    if spec.max_length and len(text) > spec.max_length:
        raise CellError(
            Reason.OUT_OF_RANGE,
            f"{len(text)} characters, at most {spec.max_length}",
            f"共 {len(text)} 个字符，最多 {spec.max_length} 个",
        )
    return text


def _number(spec: FieldSpec, value: Any, kind: Callable[[str], Any]) -> Any:
    try:
        number = kind(_text(value).replace(",", ""))
    except (ValueError, InvalidOperation, OverflowError):
        raise CellError(Reason.WRONG_TYPE, f"{_text(value)!r} is not a number", f"「{_text(value)}」不是数字") from None
    if not math.isfinite(number):  # NaN and infinities: no column stores them, and NaN breaks the range check
        raise CellError(
            Reason.WRONG_TYPE, f"{_text(value)!r} is not a finite number", f"「{_text(value)}」不是有效数字"
        )
    if (spec.min is not None and number < spec.min) or (spec.max is not None and number > spec.max):
        raise _out_of_range(spec, number)
    return number


def _bound(value: float) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _out_of_range(spec: FieldSpec, number: Any) -> CellError:
    """'-5 must be at least 0' / 「-5」超出范围：应不小于 0 (only the bounds the column has)."""
    low, high = spec.min, spec.max
    if low is not None and high is not None:
        en, zh = f"between {_bound(low)} and {_bound(high)}", f"应在 {_bound(low)} 到 {_bound(high)} 之间"
    elif low is not None:
        en, zh = f"at least {_bound(low)}", f"应不小于 {_bound(low)}"
    else:
        en, zh = f"at most {_bound(high or 0)}", f"应不大于 {_bound(high or 0)}"
    return CellError(Reason.OUT_OF_RANGE, f"{number} must be {en}", f"「{number}」超出范围：{zh}")


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
    raise CellError(
        Reason.WRONG_TYPE,
        f"{text!r} is not a date (YYYY-MM-DD)",
        f"「{text}」不是日期，请写成 YYYY-MM-DD，如 2024-05-01",
    )


def _split(value: Any) -> list[str]:
    """A list cell: a JSON Lines array as it is, or text split on , ， ; ； | 、 and line breaks."""
    if isinstance(value, list | tuple):
        return [_text(item) for item in value if not is_blank(item)]
    return [part.strip() for part in LIST_SPLIT.split(_text(value)) if part.strip()]


def _choice(spec: FieldSpec, text: str) -> str:
    """The stored value of a label (技术成果), an accepted other spelling (技术) or the value itself (technology)."""
    found = spec.choices.get(text) or spec.choice_aliases.get(text)
    if found:
        return found
    if text in set(spec.choices.values()):
        return text
    raise CellError(
        Reason.UNKNOWN_CODE,
        f"{text!r} is not one of the allowed values: {', '.join(spec.choices)}",
        f"「{text}」不是可选值；可选值：{'、'.join(spec.choices)}",
    )


def _credit(value: Any) -> str:
    code = clean_text(_text(value)).upper()
    if not is_valid_credit_code(code):
        raise CellError(
            Reason.BAD_CREDIT_CODE,
            f"{_text(value)!r} fails the GB 32100-2015 check",
            f"「{_text(value)}」不是有效的 18 位统一社会信用代码（GB 32100-2015 校验失败）",
        )
    return code


def _checked(codes: set[str], label: str) -> Callable[[str], str]:
    def check(code: str) -> str:
        if codes and code not in codes:
            raise CellError(
                Reason.UNKNOWN_CODE, f"no {label} code {code!r}", f"「{code}」不是国民经济行业分类（{label}）代码"
            )
        return code

    return check


REGION_KEY = re.compile(r"[\[(（]#?(\d+)[\])）]\s*$")
"""A code at the end of a picked value: 大连市 [2102] (the template's region list) or 大连市 (2102)."""


LEVEL_RANK = {"province": 0, "city": 1, "county": 2}


def region_names(rows: list[tuple[str, str, str, str | None]]) -> dict[str, str]:
    """Full and short names (大连市, 大连) → code, the way `registry.pickers.resolve_region` reads a typed name: a full
    name before a short one, a higher level before a lower one; a name two regions share equally maps to ""."""
    best: dict[str, tuple[tuple[int, int], str]] = {}
    for code, name, level, _parent in rows:
        short = next((name[: -len(s)] for s in sorted(REGION_SUFFIXES, key=len, reverse=True) if name.endswith(s)), "")
        for text, exact in ((name, 0), (short, 1)):
            if not text:
                continue
            rank = (exact, LEVEL_RANK.get(level, 3))
            held = best.get(text)
            if held is None or rank < held[0]:
                best[text] = (rank, code)
            elif rank == held[0] and code != held[1]:
                best[text] = (rank, "")
    return {text: code for text, (_rank, code) in best.items()}


def _region(refs: References) -> Converter:
    def find(value: Any) -> str:
        text = _text(value)
        key = REGION_KEY.search(text)
        code = key.group(1) if key else text
        if code.isdigit() and (not refs.regions or code in refs.regions):
            return code
        named = refs.region_by_name.get(text)
        if named:
            return named
        if named == "":
            raise CellError(
                Reason.UNKNOWN_CODE,
                f"{text!r} names several regions; use the name with its code from the Regions sheet",
                f"「{text}」对应多个地区，请填写模板「地区」表中带代码的名称，如 大连市 [2102]",
            )
        raise CellError(
            Reason.UNKNOWN_CODE,
            f"no region {text!r}; write its Chinese name, such as 大连 or 大连市, or a code from the Regions sheet",
            f"未找到地区「{text}」；请填写地区名称（如 大连、大连市）或模板「地区」表中的代码",
        )

    return find


def _ipc(code: str) -> str:
    code = code.replace(" ", "").upper()
    if not IPC_CODE.fullmatch(code):
        raise CellError(
            Reason.WRONG_TYPE, f"{code!r} is not an IPC code", f"「{code}」不是 IPC 分类号，应如 H01M 或 H01M4/36"
        )
    return code


def _organization(refs: References) -> Converter:
    def find(value: Any) -> int:
        text = _text(value)
        found = refs.org_by_credit.get(clean_text(text).upper()) or refs.org_by_name.get(clean_text(text))
        if found == AMBIGUOUS:
            raise CellError(
                Reason.UNKNOWN_CODE,
                f"several organizations are named {text!r}; give its unified social credit code",
                f"有多个机构名为「{text}」；请填写该机构的统一社会信用代码",
            )
        if found is None:
            raise CellError(
                Reason.UNKNOWN_CODE,
                f"organization {text!r} not found",
                f"未找到机构「{text}」；请填写已登记机构的全称或统一社会信用代码",
            )
        return found

    return find


def make_converter(spec: FieldSpec, refs: References) -> Converter:
    """The converter of one column (blank cells never reach it)."""
    simple: dict[str, Converter] = {
        "str": lambda v: _short_text(spec, v),
        "text": _text,
        "int": lambda v: _number(spec, v, _integer),
        "float": lambda v: _number(spec, v, float),
        "decimal": lambda v: _number(spec, v, Decimal),
        "date": _date,
        "list": _split,
        "enum": lambda v: _choice(spec, _text(v)),
        "enum_list": lambda v: [_choice(spec, t) for t in _split(v)],
        "credit_code": _credit,
        "region": _region(refs),
        "ipc_list": lambda v: [_ipc(t) for t in _split(v)],
        "gbt4754_list": lambda v: [_checked(refs.gbt4754, "GB/T 4754")(t) for t in _split(v)],
        "organization": _organization(refs),
    }
    return simple[spec.type]


def blank_value(spec: FieldSpec) -> Any:
    """The value of an empty optional cell."""
    return [] if spec.type in ("list", "enum_list", "ipc_list", "gbt4754_list") else None
