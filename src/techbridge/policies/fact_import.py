"""Import enterprise facts from CSV, XLSX or JSON Lines: one row = enterprise, fact, value, year, source.

Rows are checked one by one (row numbers in errors); any error rejects the whole file, so nothing is half-saved.
A single number with a year for a series fact (`revenue_history`, 2024, 3500) sets that year of the series.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from techbridge.access import SYSTEM
from techbridge.errors import InvalidDataError
from techbridge.policies import queries
from techbridge.policies.facts import SERIES_TYPES, FactError, FactSpec, load_fact_specs, parse_value
from techbridge.policies.pools import refresh_enterprises
from techbridge.policies.service import exact_json, save_fact

ENTERPRISE_COLUMNS = ("enterprise", "credit_code", "enterprise_id", "id", "统一社会信用代码")
TRUE_WORDS = {"true", "1", "yes", "y", "是", "有"}
FALSE_WORDS = {"false", "0", "no", "n", "否", "无"}
INLINE_REFRESH_LIMIT = 200  # above this many enterprises an import leaves the pools to `techbridge tiers pools refresh`

Row = dict[str, Any]


def read_rows(path: Path) -> list[Row]:
    """The file's rows as dicts keyed by lower-cased header."""
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        from openpyxl import load_workbook

        sheet = load_workbook(path, read_only=True, data_only=True).worksheets[0]
        values = list(sheet.iter_rows(values_only=True))
        header = [str(cell or "").strip().lower() for cell in values[0]] if values else []
        return [dict(zip(header, row, strict=False)) for row in values[1:] if any(c is not None for c in row)]
    text = path.read_text(encoding="utf-8-sig")
    if suffix in (".jsonl", ".json"):
        rows = []
        for number, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                try:
                    rows.append({k.lower(): v for k, v in json.loads(line).items()})
                except (json.JSONDecodeError, AttributeError):
                    raise InvalidDataError("malformed JSON", location=(path.name, number)) from None
        return rows
    return [{(k or "").strip().lower(): v for k, v in row.items()} for row in csv.DictReader(text.splitlines())]


def _text_number(text: str) -> Any:
    try:
        number = Decimal(text.replace(",", ""))
    except InvalidOperation:
        return text
    return int(number) if number == number.to_integral_value() and "." not in text else float(number)


def coerce_cell(spec: FactSpec, raw: Any) -> Any:
    """A spreadsheet cell as the fact's JSON value (booleans in words, lists as JSON or comma-separated)."""
    if isinstance(raw, datetime | date):
        return raw.date().isoformat() if isinstance(raw, datetime) else raw.isoformat()
    if not isinstance(raw, str):
        return raw
    text = raw.strip()
    if text.startswith(("[", "{")):
        return json.loads(text)
    if spec.type == "bool":
        lowered = text.lower()
        return True if lowered in TRUE_WORDS else False if lowered in FALSE_WORDS else text
    if spec.type == "strings":
        return [part.strip() for part in text.replace("，", ",").split(",") if part.strip()]
    if spec.type in ("count", "number", "share", *SERIES_TYPES):
        return _text_number(text)
    return text


def fact_template_csv(*, enterprise_key: str, facts: list[str]) -> str:
    """A fact import file to fill in: one row per known fact for this enterprise (label and type guide, ignored)."""
    specs = load_fact_specs()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["enterprise", "fact", "value", "year", "source", "label", "type"])
    for fact in facts:
        spec = specs.get(fact)
        if spec is not None:
            writer.writerow([enterprise_key, fact, "", "", "", spec.zh, spec.type])
    return out.getvalue()


def _year(raw: Any) -> int | None:
    if raw in (None, ""):
        return None
    return int(str(raw).strip())


def merge_series(current: list[Any] | None, current_year: int | None, value: Any, year: int) -> tuple[list[Any], int]:
    """Set `year` of a series whose last element is `current_year`; missing years in between become null."""
    by_year: dict[int, Any] = {}
    if current is not None and current_year is not None:
        by_year = {current_year - len(current) + 1 + i: v for i, v in enumerate(current)}
    by_year[year] = value
    first, last = min(by_year), max(by_year)
    return [by_year.get(y) for y in range(first, last + 1)], last


def _row_fact(session: Session, row: Row, pending: dict[tuple[int, str], tuple[Any, int | None]]) -> None:
    key = next((str(row[c]).strip() for c in ENTERPRISE_COLUMNS if row.get(c) not in (None, "")), None)
    if key is None:
        raise FactError("no enterprise column (enterprise / credit_code / enterprise_id)", message_zh="缺少企业列")
    org = queries.find_enterprise(session, key)
    if org is None:
        raise FactError(f"unknown enterprise {key}", message_zh=f"未知企业 {key}")
    spec = load_fact_specs().get(str(row.get("fact", "")).strip())
    if spec is None:
        raise FactError(f"unknown fact id {row.get('fact')!r}", message_zh=f"未知的事实标识 {row.get('fact')!r}")
    value, year = coerce_cell(spec, row.get("value")), _year(row.get("year"))
    if spec.type in SERIES_TYPES and not isinstance(value, list) and value is not None:
        if year is None:
            raise FactError(f"{spec.id}: a single value needs a year", message_zh=f"{spec.id}：单个数值需要年份")
        parse_value(spec, exact_json([value]))
        stored = pending.get((org.id, spec.id))
        if stored is None:
            existing = queries.get_fact(session, org.id, spec.id)
            stored = (existing.value, existing.year) if existing is not None else (None, None)
        pending[(org.id, spec.id)] = merge_series(stored[0], stored[1], value, year)
        return
    if value is not None:
        parse_value(spec, exact_json(value))
    pending[(org.id, spec.id)] = (value, year)


def import_facts_file(*, session: Session, path: Path, entered_by: str = "import") -> dict[str, Any]:
    """Import every row or none: InvalidDataError lists each bad row by number."""
    rows = read_rows(path)
    pending: dict[tuple[int, str], tuple[Any, int | None]] = {}
    sources: dict[tuple[int, str], str] = {}
    errors: list[str] = []
    for number, row in enumerate(rows, start=2 if path.suffix.lower() in (".csv", ".xlsx") else 1):
        try:
            _row_fact(session, row, pending)
        except (FactError, ValueError) as exc:
            errors.append(f"row {number}: {exc}")
            continue
        for key in pending:
            sources.setdefault(key, str(row.get("source") or ""))
    if errors:
        raise InvalidDataError("; ".join(errors), location=(path.name,), message_zh="；".join(errors))
    for (org_id, fact), (value, year) in pending.items():
        save_fact(
            session=session,
            viewer=SYSTEM,
            organization_id=org_id,
            fact=fact,
            value=value,
            year=year,
            source=sources.get((org_id, fact), ""),
            entered_by=entered_by,
        )
    touched = sorted({org_id for org_id, _ in pending})
    return {
        "imported": len(pending),
        "enterprises": len(touched),
        "rows": len(rows),
        "pools": _refresh(session, touched),
    }


def _refresh(session: Session, organization_ids: list[int]) -> str:
    """Re-evaluate the touched enterprises' pools now when few, else leave them dirty for the refresh job."""
    if len(organization_ids) > INLINE_REFRESH_LIMIT:
        return "queued"
    refresh_enterprises(session=session, organization_ids=organization_ids)
    return "refreshed"
