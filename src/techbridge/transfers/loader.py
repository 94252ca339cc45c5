"""Read transfers data: the shipped YAML configuration and contract CSV files (row-level errors, never silent)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from techbridge.errors import InvalidDataError
from techbridge.transfers.schemas import ContractFact, ContractType, PartyKind, RowError

REGION_RE = re.compile(r"^\d{6}$")


def _read_yaml(name: str) -> dict[str, Any]:
    text = (resources.files("techbridge") / "data" / "transfers" / name).read_text(encoding="utf-8")
    raw = yaml.safe_load(text)
    if not isinstance(raw, dict):
        raise InvalidDataError("expected a mapping", location=(name,), message_zh="应为映射")
    return raw


@dataclass(frozen=True)
class ContractFormat:
    """Accepted column and value spellings of the contract import format."""

    columns: dict[str, str]  # spelling (lower-case) → canonical column
    required: tuple[str, ...]
    types: dict[str, ContractType]
    kinds: dict[str, PartyKind]


def _aliases(raw: dict[str, list[str]], convert: Any) -> dict[str, Any]:
    table: dict[str, Any] = {}
    for canonical, spellings in raw.items():
        for spelling in [canonical, *(spellings or [])]:
            table[str(spelling).strip().lower()] = convert(canonical)
    return table


@lru_cache(maxsize=1)
def load_contract_format() -> ContractFormat:
    """The shipped `data/transfers/contract_format.yaml`, checked against the enums."""
    raw = _read_yaml("contract_format.yaml")
    try:
        return ContractFormat(
            columns=_aliases(raw["columns"], str),
            required=tuple(raw["required"]),
            types=_aliases(raw["types"], ContractType),
            kinds=_aliases(raw["kinds"], PartyKind),
        )
    except (KeyError, ValueError) as exc:
        raise InvalidDataError(f"bad contract format: {exc}", location=("contract_format.yaml",)) from exc


@lru_cache(maxsize=1)
def load_metric_defaults() -> dict[str, Any]:
    """The shipped `data/transfers/metrics.yaml` (definition defaults, rate rounding)."""
    return _read_yaml("metrics.yaml")


@lru_cache(maxsize=1)
def load_stage_config() -> dict[str, Any]:
    """The shipped `data/transfers/stages.yaml` (stage order, overdue days, next actions, closing reasons)."""
    return _read_yaml("stages.yaml")


class _Row:
    """One CSV record being parsed; collects errors instead of raising."""

    def __init__(self, number: int, values: dict[str, str], fmt: ContractFormat) -> None:
        self.number = number
        self.values = values
        self.fmt = fmt
        self.errors: list[RowError] = []

    def fail(self, column: str, message: str, message_zh: str) -> None:
        self.errors.append(RowError(self.number, column, message, message_zh))

    def text(self, column: str) -> str:
        value = self.values.get(column, "").strip()
        if not value and column in self.fmt.required:
            self.fail(column, "missing value", "缺少取值")
        return value

    def region(self, column: str) -> str:
        value = self.text(column)
        if value and not REGION_RE.match(value):
            self.fail(column, f"{value!r} is not a 6-digit division code", f"“{value}”不是 6 位行政区划代码")
        return value

    def amount(self, column: str) -> Decimal | None:
        value = self.text(column).replace(",", "")
        if not value:
            return None
        try:
            number = Decimal(value)
        except InvalidOperation:
            self.fail(column, f"{value!r} is not a number (万元)", f"“{value}”不是数字（万元）")
            return None
        if not number.is_finite() or number < 0:
            self.fail(column, f"{value!r} must be a non-negative amount", f"“{value}”必须是非负金额")
            return None
        return number

    def day(self, column: str) -> date | None:
        value = self.text(column)
        if not value:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.fail(column, f"{value!r} is not a date YYYY-MM-DD", f"“{value}”不是 YYYY-MM-DD 日期")
            return None

    def choice(self, column: str, table: dict[str, Any]) -> Any:
        value = self.text(column)
        if not value:
            return None
        found = table.get(value.lower())
        if found is None:
            allowed = ", ".join(sorted({str(v) for v in table.values()}))
            self.fail(column, f"{value!r} is not one of {allowed}", f"“{value}”不在 {allowed} 之中")
        return found


def _fact_of(row: _Row) -> ContractFact | None:
    values: dict[str, Any] = {
        "type": row.choice("type", row.fmt.types),
        "seller_kind": row.choice("seller_kind", row.fmt.kinds),
        "buyer_kind": row.choice("buyer_kind", row.fmt.kinds),
        "seller_region_code": row.region("seller_region_code"),
        "buyer_region_code": row.region("buyer_region_code"),
        "contract_value": row.amount("contract_value"),
        "technology_income": row.amount("technology_income"),
        "signed_on": row.day("signed_on"),
        "registered_on": row.day("registered_on"),
    }
    contract_id = row.text("contract_id")
    if row.errors:
        return None
    texts: dict[str, Any] = {
        name: row.values.get(name, "").strip() for name in ("field", "seller_name", "buyer_name", "registration_no")
    }
    codes: dict[str, Any] = {
        name: row.values.get(name, "").strip().upper() for name in ("seller_credit_code", "buyer_credit_code")
    }
    return ContractFact(contract_id=contract_id, **values, **texts, **codes)


def _canonical_header(header: list[str], fmt: ContractFormat) -> list[str]:
    names = [fmt.columns.get(name.strip().lstrip("\ufeff").lower(), "") for name in header]
    missing = [column for column in fmt.required if column not in names]
    if missing:
        raise InvalidDataError(
            f"header lacks required columns: {', '.join(missing)}",
            location=("row 1",),
            message_zh=f"表头缺少必需列：{'、'.join(missing)}",
        )
    return names


def iter_contract_rows(lines: Iterable[str]) -> Iterator[tuple[int, ContractFact] | RowError]:
    """Parse CSV lines in the import format; yields (line, fact) per good row and a RowError per problem of a bad row.

    Line numbers are the file's physical lines (the header is line 1). A row is rejected (errors yielded, no fact)
    when a required column is missing or any column present holds a malformed value; blank lines are skipped.
    Contract ids must be unique: a repeated id is an error on the later row.
    """
    fmt = load_contract_format()
    reader = csv.reader(lines)
    header = next(reader, None)
    if header is None:
        raise InvalidDataError("empty file: no header row", message_zh="空文件：没有表头")
    names = _canonical_header(header, fmt)
    seen: dict[str, int] = {}
    for record in reader:
        number = reader.line_num
        if not any(cell.strip() for cell in record):
            continue
        values = {name: cell for name, cell in zip(names, record, strict=False) if name}
        row = _Row(number, values, fmt)
        fact = _fact_of(row)
        if fact is not None and fact.contract_id in seen:
            first = seen[fact.contract_id]
            row.fail("contract_id", f"duplicate of row {first}", f"与第 {first} 行重复")
            fact = None
        if fact is None:
            yield from row.errors
            continue
        seen[fact.contract_id] = number
        yield number, fact


def read_contracts(path: Path) -> tuple[list[ContractFact], list[RowError]]:
    """All good rows of a contracts CSV and every row error (UTF-8, with or without BOM)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise InvalidDataError(f"no such file: {path}", message_zh=f"文件不存在：{path}") from exc
    except UnicodeDecodeError as exc:
        raise InvalidDataError(
            "the file is not UTF-8", location=(str(path),), message_zh="文件不是 UTF-8 编码"
        ) from exc
    facts: list[ContractFact] = []
    errors: list[RowError] = []
    for item in iter_contract_rows(io.StringIO(text, newline="")):
        if isinstance(item, RowError):
            errors.append(item)
        else:
            facts.append(item[1])
    return facts, errors
