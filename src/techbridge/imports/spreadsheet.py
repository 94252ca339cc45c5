"""The generic importer for spreadsheets users bring: CSV (UTF-8, UTF-8 with BOM, GBK), XLSX or JSON Lines, for
every entity type, driven by a column-mapping file.

Policy: a user file is all-or-nothing. Every row is checked first and every error is reported (file, row,
column, reason); if any row is bad, ImportRejectedError is raised and nothing is written. A good file is written
in one transaction and upserted by (dataset, key), so importing it again changes nothing."""

from __future__ import annotations

import csv
import io
import json
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import ParseError

from techbridge.access import Viewer
from techbridge.config import Settings
from techbridge.db import session_scope
from techbridge.errors import InvalidDataError
from techbridge.imports import carriers, entity_writers
from techbridge.imports.context import ImportContext
from techbridge.imports.convert import CellError, References, blank_value, is_blank, make_converter
from techbridge.imports.mapping import MappingSpec, canonical_entity, load_mapping
from techbridge.imports.organizations import check_credit_codes
from techbridge.imports.queries import FILE_SOURCE_PREFIX, load_references, lock_for_import, written_records
from techbridge.imports.schemas import ImportSummary, Reason, RowError
from techbridge.imports.service import record_run
from techbridge.imports.upload_rules import Records, check_key_owners, check_uploader, owner_dataset
from techbridge.models import Visibility

MAX_ERRORS = 1000
KEY_LENGTH = 255
"""Longest record key (`source_key`) and file name (`source_file`) the provenance columns hold."""


class ImportRejectedError(InvalidDataError):
    """A file with bad rows: nothing was imported; `errors` lists every problem found."""

    def __init__(self, name: str, errors: list[RowError]) -> None:
        super().__init__(
            f"{name}: {len(errors)} problem(s) found, nothing was imported",
            message_zh=f"{name}：发现 {len(errors)} 处错误，未导入任何数据",
        )
        self.errors = errors


@dataclass(frozen=True)
class ReadLimits:
    """Bounds on one file: data rows, and the declared uncompressed size of an XLSX workbook (None: no bound)."""

    max_rows: int | None = None
    max_uncompressed: int | None = None

    @classmethod
    def of(cls, settings: Settings) -> ReadLimits:
        """The limits the settings give (`max_import_rows`, `max_xlsx_uncompressed_bytes`)."""
        return cls(settings.max_import_rows, settings.max_xlsx_uncompressed_bytes)


NO_LIMITS = ReadLimits()


def read_table(
    path: Path, name: str, limits: ReadLimits = NO_LIMITS
) -> tuple[list[str], Iterator[tuple[int, list[Any]]]]:
    """Header and (row number, cells) of a CSV/TSV, XLSX or JSON Lines file; row 1 is the header. A workbook
    declaring more than `limits.max_uncompressed` bytes is refused before it is opened (zip bombs), and the rows
    stop with an error past `limits.max_rows`."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        try:
            check_xlsx_size(path, name, limits.max_uncompressed)
            header, rows = _read_xlsx(path, limits.max_rows, name)
        except (zipfile.BadZipFile, OSError, ValueError, KeyError, ParseError) as exc:
            detail, detail_zh = (
                f"not a readable XLSX workbook ({type(exc).__name__})",
                f"无法读取的 XLSX 文件（{type(exc).__name__}）",
            )
            raise ImportRejectedError(name, [RowError(name, 1, "-", Reason.WRONG_TYPE, detail, detail_zh)]) from None
    elif suffix in (".jsonl", ".ndjson", ".json"):
        header, rows = _read_jsonl(path, name)
    else:
        header, rows = _read_csv(path, name, suffix)
    return header, _bounded(rows, limits.max_rows, name)


def check_xlsx_size(path: Path, name: str, limit: int | None) -> None:
    """Refuse a workbook whose entries declare more than `limit` uncompressed bytes, before anything is inflated
    (zipfile never inflates an entry past its declared size, so the declaration bounds the work)."""
    if limit is None:
        return
    with zipfile.ZipFile(path) as archive:
        declared = sum(info.file_size for info in archive.infolist())
    if declared > limit:
        detail, detail_zh = (
            f"{declared:,} bytes uncompressed, limit {limit:,}",
            f"解压后 {declared:,} 字节，超过上限 {limit:,}",
        )
        raise ImportRejectedError(name, [RowError(name, 1, "-", Reason.TOO_LARGE, detail, detail_zh)])


def _bounded(rows: Iterator[tuple[int, list[Any]]], max_rows: int | None, name: str) -> Iterator[tuple[int, list[Any]]]:
    """`rows`, stopped by ImportRejectedError (naming the row) when there are more than `max_rows`."""
    for count, (number, cells) in enumerate(rows, start=1):
        if max_rows is not None and count > max_rows:
            detail, detail_zh = f"more than {max_rows:,} data rows", f"超过 {max_rows:,} 行"
            raise ImportRejectedError(name, [RowError(name, number, "-", Reason.TOO_MANY_ROWS, detail, detail_zh)])
        yield number, cells


def _read_csv(path: Path, name: str, suffix: str) -> tuple[list[str], Iterator[tuple[int, list[Any]]]]:
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gbk"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportRejectedError(name, [RowError(name, 1, "-", Reason.WRONG_ENCODING, "UTF-8 / GBK")])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter="\t" if suffix == ".tsv" else ",")
    rows = _csv_rows(reader, name)
    header = next(rows, (1, []))[1]
    return [h.strip() for h in header], ((n, row) for n, row in rows if any(row))


def _csv_rows(reader: Any, name: str) -> Iterator[tuple[int, list[str]]]:
    """(row number, cells) of a csv reader, the header being row 1; a row the csv module refuses (a cell past its
    field size limit) is a row error, not a crash."""
    number = 0
    while True:
        number += 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            detail, detail_zh = f"unreadable CSV row ({exc})", f"无法读取的 CSV 行（{exc}）"
            raise ImportRejectedError(
                name, [RowError(name, number, "-", Reason.WRONG_TYPE, detail, detail_zh)]
            ) from None
        yield number, row


def _read_xlsx(path: Path, max_rows: int | None, name: str) -> tuple[list[str], Iterator[tuple[int, list[Any]]]]:
    """The first sheet, read at most one row past `max_rows` (so a huge sheet is never held in memory). A formula
    the workbook holds no computed value for (written by a program, never opened in Excel) is a row error, not a
    blank cell."""
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    try:
        rows = book.worksheets[0].iter_rows(values_only=True)
        header = [str(h).strip() if h is not None else "" for h in next(rows, ())]
        filled = ((n, list(row)) for n, row in enumerate(rows, start=2) if any(not is_blank(c) for c in row))
        body = list(islice(filled, None if max_rows is None else max_rows + 1))
    finally:
        book.close()
    errors = _uncomputed_formulas(path, header, body, name)
    if errors:
        raise ImportRejectedError(name, errors)
    return header, iter(body)


def _uncomputed_formulas(path: Path, header: list[str], body: list[tuple[int, list[Any]]], name: str) -> list[RowError]:
    """Row errors for the empty cells of `body` that hold a formula in the workbook (no cached value)."""
    from openpyxl import load_workbook

    empty = {(n, i) for n, cells in body for i, cell in enumerate(cells) if cell is None}
    if not empty:
        return []
    book = load_workbook(path, read_only=True, data_only=False)
    try:
        rows = enumerate(book.worksheets[0].iter_rows(values_only=True), start=1)
        found = [(n, i) for n, row in rows for i, cell in enumerate(row) if (n, i) in empty and _is_formula(cell)]
    finally:
        book.close()
    detail = "a formula without a computed value; open and save the file in Excel, or paste the values"
    detail_zh = "公式没有计算结果：请在 Excel 中打开并保存，或复制后「选择性粘贴 → 数值」"
    columns = [header[i] if i < len(header) and header[i] else f"#{i + 1}" for _n, i in found]
    return [
        RowError(name, n, column, Reason.WRONG_TYPE, detail, detail_zh)
        for (n, _i), column in zip(found, columns, strict=True)
    ][:MAX_ERRORS]


def _is_formula(cell: Any) -> bool:
    return isinstance(cell, str) and cell.startswith("=")


def _read_jsonl(path: Path, name: str) -> tuple[list[str], Iterator[tuple[int, list[Any]]]]:
    """One JSON object per line; bad UTF-8, bad JSON or a line that is not an object is a row error."""
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except UnicodeDecodeError:
        raise ImportRejectedError(name, [RowError(name, 1, "-", Reason.WRONG_ENCODING, "UTF-8")]) from None
    objects: list[tuple[int, dict[str, Any]]] = []
    for number, line in enumerate(lines, start=1):
        if line.strip():
            try:
                value = json.loads(line)
            except json.JSONDecodeError:
                value = None
            if not isinstance(value, dict):
                detail, detail_zh = "not a JSON object", "不是 JSON 对象"
                raise ImportRejectedError(name, [RowError(name, number, "-", Reason.WRONG_TYPE, detail, detail_zh)])
            objects.append((number, value))
    header = list(dict.fromkeys(k for _n, obj in objects for k in obj))
    return header, ((n, [obj.get(h) for h in header]) for n, obj in objects)


def validate(
    spec: MappingSpec, header: list[str], rows: Iterator[tuple[int, list[Any]]], refs: References, name: str
) -> tuple[list[tuple[int, dict[str, Any]]], list[RowError]]:
    """Convert every row; returns the good records and every error (missing columns, bad cells, duplicate keys)."""
    index = spec.header_index()
    columns = [
        (i, index[h.lower()], make_converter(index[h.lower()], refs))
        for i, h in enumerate(header)
        if h.lower() in index
    ]
    present = {s.field for _i, s, _c in columns}
    errors = [
        RowError(name, 1, s.column, Reason.MISSING_REQUIRED, "column missing", "文件缺少该列")
        for s in spec.fields
        if s.required and s.field not in present
    ]
    absent = [s for s in spec.fields if s.field not in present]
    records: list[tuple[int, dict[str, Any]]] = []
    keys: set[str] = set()
    for number, cells in rows:
        record: dict[str, Any] = {s.field: blank_value(s) for s in absent}
        for position, field_spec, convert in columns:
            value = cells[position] if position < len(cells) else None
            if is_blank(value):
                if field_spec.required:
                    errors.append(RowError(name, number, field_spec.column, Reason.MISSING_REQUIRED))
                record[field_spec.field] = blank_value(field_spec)
                continue
            try:
                record[field_spec.field] = convert(value)
            except CellError as exc:
                errors.append(RowError(name, number, field_spec.column, exc.reason, exc.detail, exc.detail_zh))
        key = str(record.get(spec.key) or f"row-{number}") if spec.key else f"row-{number}"
        errors += _key_errors(spec, key, keys, name, number)
        keys.add(key)
        records.append((number, {**record, "source_key": key}))
        if len(errors) >= MAX_ERRORS:
            break
    return records, errors


def _key_errors(spec: MappingSpec, key: str, seen: set[str], name: str, number: int) -> list[RowError]:
    """A key used twice in the file, or longer than the provenance column (KEY_LENGTH)."""
    if not spec.key:
        return []
    column = spec.column_of(spec.key)
    errors = [RowError(name, number, column, Reason.DUPLICATE_KEY, key)] if key in seen else []
    if len(key) > KEY_LENGTH:
        detail, detail_zh = f"longer than {KEY_LENGTH} characters", f"超过 {KEY_LENGTH} 个字符"
        errors.append(RowError(name, number, column, Reason.WRONG_TYPE, detail, detail_zh))
    return errors


SHOWN_RECORDS = 50
"""How many written records an import's result lists (the counts cover all of them)."""
VISIBILITY_ENTITIES = ("achievement", "expert", "demand")
"""Entities whose uploaded records may be given a visibility other than public."""


def check_visibility(entity: str, visibility: str | None) -> str | None:
    """The visibility to give uploaded records of `entity` (None: the default, public); a bad one is an error."""
    if visibility is None:
        return None
    allowed = [v.value for v in Visibility]
    if visibility not in allowed:
        raise InvalidDataError(
            f"unknown visibility {visibility!r}; choose from {', '.join(allowed)}",
            location=("visibility",),
            message_zh=f"未知的可见范围「{visibility}」，可选：{'、'.join(allowed)}",
        )
    if visibility != Visibility.PUBLIC.value and entity not in VISIBILITY_ENTITIES:
        raise InvalidDataError(
            f"{entity} records are shared registry records and are always public",
            location=("visibility",),
            message_zh="机构和产业链关系是共享的登记数据，只能公开",
        )
    return visibility


def _spec_for(entity: str, default_kind: str, mapping_path: Path | None, name: str) -> MappingSpec:
    """The mapping to read the file with; with a default kind ("enterprise", "patent" …) the kind column becomes
    optional and defaults to that kind."""
    spec = load_mapping(mapping_path if mapping_path is not None else entity)
    if default_kind:
        fields = tuple(replace(f, required=False) if f.field == "kind" else f for f in spec.fields)
        spec = replace(spec, fields=fields)
    if spec.entity != entity:
        raise InvalidDataError(
            f"mapping is for {spec.entity}, not {entity}",
            location=(name,),
            message_zh=f"映射文件适用于 {spec.entity}，而不是 {entity}",
        )
    return spec


def _stamp(records: Records, default_kind: str, uploader: Viewer | None, visibility: str | None) -> Records:
    """Records with the default kind, the uploader as owner and the chosen visibility filled in."""
    extra: dict[str, Any] = {}
    if uploader is not None:
        extra["owner_id"] = uploader.user_id
    if visibility is not None:
        extra["visibility"] = visibility
    if default_kind:
        return [(n, {**r, "kind": r.get("kind") or default_kind, **extra}) for n, r in records]
    return [(n, {**r, **extra}) for n, r in records]


def import_spreadsheet(
    settings: Settings,
    entity: str,
    path: Path,
    *,
    mapping_path: Path | None = None,
    dataset: str | None = None,
    display_name: str | None = None,
    show_progress: bool = True,
    uploader: Viewer | None = None,
    visibility: str | None = None,
) -> ImportSummary:
    """Check and import one user file (all-or-nothing, one transaction); ImportRejectedError lists bad rows.

    `uploader` (the signed-in user, or `--as` on the CLI) owns every record written; its keys are scoped to it
    (dataset `file:u<id>:<name>`) and `upload_rules` apply (shared registry, own organization, others' keys).
    None is a trusted import by the operator: no owner, dataset `file:<name>`. `visibility` (public, registered,
    owner) applies to the entities that have one of their own (VISIBILITY_ENTITIES); organizations stay public."""
    name = display_name or path.name
    entity, default_kind = canonical_entity(entity)
    chosen = check_visibility(entity, visibility)
    spec = _spec_for(entity, default_kind, mapping_path, name)
    target = dataset or owner_dataset(name, uploader)
    summary = ImportSummary(source=f"{FILE_SOURCE_PREFIX}{entity}", path=name)
    started, started_at = time.monotonic(), datetime.now(UTC)
    with session_scope(settings.database_url) as session:
        header, rows = read_table(path, name, ReadLimits.of(settings))
        ctx = ImportContext(session=session, settings=settings, summary=summary, show_progress=show_progress)
        references = load_references(session, uploader)
        records, errors = validate(spec, header, ctx.progress(name).iterate(rows), references, name)
        if entity == "organization":
            records, carrier_errors = carriers.check_carriers(spec, records, ctx.regions(), name)
            errors += carrier_errors
            column = spec.column_of("credit_code")
            errors += check_credit_codes(session, records, dataset=target, column=column, name=name)
        if uploader is not None:
            errors += check_uploader(spec, records, uploader, name)
            errors += check_key_owners(
                session=session, spec=spec, records=records, uploader=uploader, dataset=target, name=name
            )
        if errors:
            raise ImportRejectedError(name, errors)
        records = _stamp(records, default_kind, uploader, chosen)
        lock_for_import(session, target)
        entity_writers.write(ctx, entity, records, dataset=target, source_file=name[:KEY_LENGTH])
        keys = [str(record["source_key"]) for _number, record in records[:SHOWN_RECORDS]]
        summary.written = written_records(session, entity, target, keys)
        summary.seconds = time.monotonic() - started
        record_run(ctx, started_at=started_at)
    return summary
