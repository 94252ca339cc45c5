"""Read transfers data: the shipped YAML configuration and contract CSV files (row-level errors, never silent)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from techbridge.errors import InvalidDataError
from techbridge.models import Contract
from techbridge.registry.regions import Divisions, load_divisions
from techbridge.registry.resolve import is_valid_credit_code
from techbridge.transfers.cells import CellError, label_key, parse_amount, parse_day, split_unit
from techbridge.transfers.parties import disagreement, refine, region_of_credit_code
from techbridge.transfers.schemas import ContractFact, ContractType, PartyKind, RowError

REGION_RE = re.compile(r"^\d{6}$")
TEXT_LENGTHS: dict[str, int] = {
    name: int(getattr(Contract.__table__.c[column].type, "length", 0) or 0)
    for name, column in (
        ("contract_id", "contract_no"),
        ("registration_no", "registration_no"),
        ("seller_name", "seller_name"),
        ("buyer_name", "buyer_name"),
        ("field", "field"),
    )
}
"""Longest text the contracts table holds per column (a longer cell is a row error, not a database failure)."""
LEVEL_ZH = {"province": "省", "city": "市"}


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
    late_registration_days: int
    units: dict[str, int]  # unit → power of ten to 万元
    amount_columns: tuple[str, ...]


def _aliases(raw: dict[str, list[str]], convert: Any) -> dict[str, Any]:
    table: dict[str, Any] = {}
    for canonical, spellings in raw.items():
        for spelling in [canonical, *(spellings or [])]:
            table[label_key(str(spelling))] = convert(canonical)
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
            late_registration_days=int(raw["late_registration_days"]),
            units={str(unit): int(power) for unit, power in raw["units"].items()},
            amount_columns=tuple(raw["amount_columns"]),
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

    def __init__(self, number: int, values: dict[str, str], header: Header, divisions: Divisions) -> None:
        self.number = number
        self.values = values
        self.fmt = header.fmt
        self.exponents = header.exponents
        self.divisions = divisions
        self.errors: list[RowError] = []
        self.warnings: list[RowError] = []

    def fail(self, column: str, message: str, message_zh: str) -> None:
        self.errors.append(RowError(self.number, column, message, message_zh))

    def warn(self, column: str, message: str, message_zh: str) -> None:
        self.warnings.append(RowError(self.number, column, message, message_zh))

    def text(self, column: str) -> str:
        value = self.values.get(column, "").strip()
        if not value and column in self.fmt.required:
            self.fail(column, "missing value", "缺少取值")
        limit = TEXT_LENGTHS.get(column)
        if limit is not None and len(value) > limit:
            self.fail(column, f"longer than {limit} characters", f"超过 {limit} 个字符")
            return ""
        return value

    def region(self, column: str) -> str:
        value = self.text(column)
        if value and not REGION_RE.match(value):
            self.fail(column, f"{value!r} is not a 6-digit division code", f"“{value}”不是 6 位行政区划代码")
            return ""
        if value and not self.divisions.is_real(value):
            self.fail(column, f"{value!r} is not a real division code", f"“{value}”不是有效的行政区划代码")
            return ""
        return value

    def credit_code(self, column: str) -> str:
        """The credit code upper-cased; one failing the GB 32100 check is a warning and is not used."""
        value = self.text(column).upper()
        if value and not is_valid_credit_code(value):
            message = f"credit code {value!r} fails the GB 32100 check; not used"
            self.warn(column, message, f"信用代码“{value}”校验失败，未采用")
            return ""
        return value

    def place(self, side: str) -> tuple[str, str]:
        """(region, credit code) of a party: the region from its credit code, refined (never contradicted) by a
        typed region code; the typed one alone when there is no usable code; "" when neither (a buyer only)."""
        code_column, region_column = f"{side}_credit_code", f"{side}_region_code"
        typed = self.region(region_column)
        code = self.credit_code(code_column)
        located = region_of_credit_code(code, self.divisions) if code else None
        if located and typed:
            level = disagreement(located, typed)
            if level is not None:
                self.fail(
                    region_column,
                    f"{typed} disagrees with the {level} of credit code {code} ({located})",
                    f"“{typed}”与统一社会信用代码 {code} 所示{LEVEL_ZH[level]}（{located}）不一致",
                )
                return "", code
            return refine(located, typed), code
        return located or typed, code

    def amount(self, column: str) -> Decimal | None:
        value = self.text(column)
        if not value:
            return None
        try:
            return parse_amount(value, self.exponents.get(column, 0))
        except CellError as exc:
            self.fail(column, exc.message, exc.message_zh)
            return None

    def day(self, column: str) -> date | None:
        value = self.text(column)
        if not value:
            return None
        try:
            return parse_day(value)
        except CellError as exc:
            self.fail(column, exc.message, exc.message_zh)
            return None

    def choice(self, column: str, table: dict[str, Any]) -> Any:
        value = self.text(column)
        if not value:
            return None
        found = table.get(label_key(value))
        if found is None:
            allowed = ", ".join(sorted({str(v) for v in table.values()}))
            self.fail(column, f"{value!r} is not one of {allowed}", f"“{value}”不在 {allowed} 之中")
        return found


def _check_amounts(row: _Row, value: Decimal | None, income: Decimal | None) -> None:
    """The verified technical income is a part of the turnover: never more than the contract value."""
    if value is not None and income is not None and income > value:
        row.fail(
            "technology_income",
            f"technology income {income} exceeds the contract value {value} (× 10,000 yuan)",
            f"技术交易额 {income} 大于成交额 {value}（万元）",
        )


def _check_dates(row: _Row, signed: date | None, registered: date | None) -> None:
    """Registered after signing (else a row error), within the registration period (else a warning)."""
    if signed is None or registered is None:
        return
    if registered < signed:
        row.fail(
            "registered_on",
            f"registered on {registered} before the contract was signed ({signed})",
            f"登记日期 {registered} 早于签订日期 {signed}",
        )
        return
    days = (registered - signed).days
    if days > row.fmt.late_registration_days:
        limit = row.fmt.late_registration_days
        row.warn(
            "registered_on",
            f"registered {days} days after signing (due within {limit} days)",
            f"签订后 {days} 天才登记（应在 {limit} 天内登记）",
        )


def _check_parties(row: _Row) -> None:
    """Both parties are named: a name or a credit code (a row with neither names no contract)."""
    for side, zh in (("seller", "卖方"), ("buyer", "买方")):
        if not row.values.get(f"{side}_name", "").strip() and not row.values.get(f"{side}_credit_code", "").strip():
            row.fail(
                f"{side}_name",
                f"no {side}: name and credit code are both empty",
                f"缺少{zh}：名称和统一社会信用代码均为空",
            )


def _fact_of(row: _Row) -> ContractFact | None:
    values: dict[str, Any] = {
        "type": row.choice("type", row.fmt.types),
        "seller_kind": row.choice("seller_kind", row.fmt.kinds),
        "buyer_kind": row.choice("buyer_kind", row.fmt.kinds),
        "contract_value": row.amount("contract_value"),
        "technology_income": row.amount("technology_income"),
        "signed_on": row.day("signed_on"),
        "registered_on": row.day("registered_on"),
    }
    for side in ("seller", "buyer"):
        values[f"{side}_region_code"], values[f"{side}_credit_code"] = row.place(side)
    contract_id = row.text("contract_id")
    _check_parties(row)
    _check_amounts(row, values["contract_value"], values["technology_income"])
    _check_dates(row, values["signed_on"], values["registered_on"])
    if not values["seller_region_code"] and not any(e.column == "seller_region_code" for e in row.errors):
        row.fail(
            "seller_region_code",
            "the seller cannot be located: no valid credit code with a division and no region code",
            "无法确定卖方所在地：没有可用的统一社会信用代码，也没有行政区划代码",
        )
    texts: dict[str, Any] = {name: row.text(name) for name in ("field", "seller_name", "buyer_name", "registration_no")}
    if row.errors:
        return None
    return ContractFact(contract_id=contract_id, **values, **texts)


@dataclass(frozen=True)
class Header:
    """A file's header read against the format: canonical name per position ("" to ignore) and the power of ten
    turning each amount column's unit into 万元."""

    fmt: ContractFormat
    names: list[str]
    exponents: dict[str, int]


def _header_name(cell: str, fmt: ContractFormat, exponents: dict[str, int]) -> str:
    """The canonical column of a header cell ("" when unknown), recording a bracketed unit of an amount column."""
    text = cell.strip().lstrip("\ufeff")
    if label_key(text) in fmt.columns:
        return fmt.columns[label_key(text)]
    base, unit = split_unit(text)
    name = fmt.columns.get(label_key(base), "")
    if not name or not unit:
        return ""
    if name not in fmt.amount_columns or unit not in fmt.units:
        allowed = "、".join(fmt.units)
        raise InvalidDataError(
            f"header {text!r}: unit {unit!r} is not one of {', '.join(fmt.units)} on an amount column",
            location=("row 1", text),
            message_zh=f"表头“{text}”：单位“{unit}”无效（金额列可用 {allowed}）",
        )
    exponents[name] = fmt.units[unit]
    return name


def _read_header(cells: list[str], fmt: ContractFormat) -> Header:
    exponents: dict[str, int] = {}
    names = [_header_name(cell, fmt, exponents) for cell in cells]
    missing = [column for column in fmt.required if column not in names]
    if missing:
        raise InvalidDataError(
            f"header lacks required columns: {', '.join(missing)}",
            location=("row 1",),
            message_zh=f"表头缺少必需列：{'、'.join(missing)}",
        )
    return Header(fmt, names, exponents)


@dataclass
class ContractFile:
    """A parsed contracts file: the good rows as (line, fact), every error of the rejected rows, and the warnings
    of accepted rows (a credit code not used …). Line numbers are the file's physical lines (header = 1)."""

    rows: list[tuple[int, ContractFact]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)

    @property
    def facts(self) -> list[ContractFact]:
        """The good rows' facts, in file order."""
        return [fact for _, fact in self.rows]

    @property
    def rejected_rows(self) -> list[int]:
        """Line numbers of the rejected rows."""
        return sorted({error.row for error in self.errors})


def parse_contracts(lines: Iterable[str]) -> ContractFile:
    """Parse CSV lines in the import format (the one parser of both the import and the metrics' file mode).

    A row is rejected (its errors kept, no fact) when a required column is missing or any column present holds a
    malformed value or breaks a rule (income above the value, registered before signing); blank lines are skipped.
    Contract ids must be unique, and so must registration numbers across contract ids: a repeat is an error on the
    later row. Warnings (registered late, a credit code not used) never reject a row.
    """
    fmt = load_contract_format()
    divisions = load_divisions()
    reader = csv.reader(lines)
    header = next(reader, None)
    if header is None:
        raise InvalidDataError("empty file: no header row", message_zh="空文件：没有表头")
    head = _read_header(header, fmt)
    parsed = ContractFile()
    seen: dict[str, int] = {}
    registrations: dict[str, tuple[str, int]] = {}
    for record in reader:
        number = reader.line_num
        if not any(cell.strip() for cell in record):
            continue
        values = {name: cell for name, cell in zip(head.names, record, strict=False) if name}
        row = _Row(number, values, head, divisions)
        fact = _fact_of(row)
        fact = _check_unique(row, fact, seen, registrations)
        parsed.errors += row.errors
        parsed.warnings += row.warnings
        if fact is not None:
            parsed.rows.append((number, fact))
    return parsed


def _check_unique(
    row: _Row, fact: ContractFact | None, seen: dict[str, int], registrations: dict[str, tuple[str, int]]
) -> ContractFact | None:
    """The fact, or None with an error when its contract id, or its registration number under another contract
    id, repeats an earlier row (`seen` and `registrations` remember the good rows)."""
    if fact is None:
        return None
    if fact.contract_id in seen:
        first = seen[fact.contract_id]
        row.fail("contract_id", f"duplicate of row {first}", f"与第 {first} 行重复")
        return None
    other = registrations.get(fact.registration_no) if fact.registration_no else None
    if other is not None:
        row.fail(
            "registration_no",
            f"registration number {fact.registration_no} is already contract {other[0]} (row {other[1]})",
            f"登记号 {fact.registration_no} 已属于第 {other[1]} 行的合同 {other[0]}",
        )
        return None
    seen[fact.contract_id] = row.number
    if fact.registration_no:
        registrations[fact.registration_no] = (fact.contract_id, row.number)
    return fact


def read_contracts(path: Path) -> ContractFile:
    """Parse a contracts file (`contract_file_text`)."""
    return parse_contracts(io.StringIO(contract_file_text(path), newline=""))


def contract_file_text(path: Path) -> str:
    """A contracts file as CSV text: a CSV in UTF-8 (with or without BOM) or GBK, as Excel on a Chinese system saves
    it, or the first sheet of an XLSX workbook (dates and numbers as typed, blank rows kept, so a row error names
    the sheet's row)."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _workbook_text(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidDataError(f"cannot read {path}: {exc}", message_zh=f"无法读取 {path}") from exc
    for encoding in ("utf-8-sig", "gbk"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InvalidDataError(
        "the file is neither UTF-8 nor GBK", location=(str(path),), message_zh="文件既不是 UTF-8 也不是 GBK 编码"
    )


def _workbook_text(path: Path) -> str:
    from techbridge.imports.spreadsheet import read_table

    header, rows = read_table(path, path.name)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    line = 1
    for number, cells in rows:
        while line < number - 1:  # a blank row of the sheet stays a line, so line numbers are the sheet's rows
            out.write("\n")
            line += 1
        writer.writerow([_cell_text(cell) for cell in cells])
        line = number
    return out.getvalue()


def _cell_text(value: Any) -> str:
    """A workbook cell as the CSV format writes it: a date as YYYY-MM-DD, a whole number without `.0`."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
