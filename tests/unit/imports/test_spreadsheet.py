"""Reading user files in every format and encoding, and validating them row by row."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from techbridge.config import Settings
from techbridge.imports.convert import References
from techbridge.imports.mapping import load_mapping
from techbridge.imports.schemas import Reason
from techbridge.imports.spreadsheet import ImportRejectedError, ReadLimits, read_table, validate

HEADER = "编号,成果名称,成果类型,技术就绪度"
ROWS = "A1,一种储能电池,专利,5\nA2,一种催化剂,论文,3\n"


def rows_of(path: Path) -> tuple[list[str], list[list[object]]]:
    header, rows = read_table(path, path.name)
    return header, [cells for _n, cells in rows]


class TestReadTable:
    @pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
    def test_csv_encodings(self, tmp_path: Path, encoding: str) -> None:
        path = tmp_path / "a.csv"
        path.write_bytes(f"{HEADER}\n{ROWS}".encode(encoding))
        header, rows = rows_of(path)
        assert header[1] == "成果名称"
        assert rows[0][1] == "一种储能电池"

    def test_undecodable_bytes_are_a_wrong_encoding_error(self, tmp_path: Path) -> None:
        path = tmp_path / "bad.csv"
        path.write_bytes(HEADER.encode("utf-8") + b"\n\xff\xfe\xfa,\x80\x80\n")
        with pytest.raises(ImportRejectedError) as info:
            read_table(path, path.name)
        assert info.value.errors[0].reason is Reason.WRONG_ENCODING

    def test_cell_past_the_csv_field_limit_is_a_row_error_not_a_crash(self, tmp_path: Path) -> None:
        path = tmp_path / "wide.csv"
        path.write_text(f'{HEADER}\nA1,"two\nlines",专利,5\nA2,{"长" * 200_000},专利,5\n', encoding="utf-8")
        _header, rows = read_table(path, path.name)
        with pytest.raises(ImportRejectedError) as info:
            list(rows)
        assert [(e.row, e.reason) for e in info.value.errors] == [(3, Reason.WRONG_TYPE)]

    def test_xlsx(self, tmp_path: Path) -> None:
        book = Workbook()
        book.active.append(HEADER.split(","))
        book.active.append(["A1", "一种储能电池", "专利", 5])
        path = tmp_path / "a.xlsx"
        book.save(path)
        header, rows = rows_of(path)
        assert header[0] == "编号"
        assert rows == [["A1", "一种储能电池", "专利", 5]]

    def test_formula_without_a_computed_value_is_a_row_error_not_a_blank(self, tmp_path: Path) -> None:
        book = Workbook()
        book.active.append(HEADER.split(","))
        book.active.append(["A1", "一种储能电池", "专利", "=2+3"])
        path = tmp_path / "formula.xlsx"
        book.save(path)
        with pytest.raises(ImportRejectedError) as info:
            read_table(path, path.name)
        [error] = info.value.errors
        assert (error.row, error.column, error.reason) == (2, "技术就绪度", Reason.WRONG_TYPE)
        assert "公式" in error.message_zh

    def test_broken_xlsx_is_rejected_not_a_crash(self, tmp_path: Path) -> None:
        path = tmp_path / "broken.xlsx"
        path.write_bytes(b"not a zip")
        with pytest.raises(ImportRejectedError) as info:
            read_table(path, path.name)
        assert info.value.errors[0].reason is Reason.WRONG_TYPE

    def test_json_lines(self, tmp_path: Path) -> None:
        path = tmp_path / "a.jsonl"
        path.write_text(json.dumps({"编号": "A1", "成果名称": "x", "成果类型": "专利"}, ensure_ascii=False) + "\n")
        header, rows = rows_of(path)
        assert header == ["编号", "成果名称", "成果类型"]
        assert rows[0][0] == "A1"


class TestValidate:
    def run(self, text: str) -> tuple[list[tuple[int, dict[str, object]]], list[object]]:
        lines = text.strip().splitlines()
        header = lines[0].split(",")
        rows = ((n, line.split(",")) for n, line in enumerate(lines[1:], start=2))
        return validate(load_mapping("achievement"), header, rows, References(), "f.csv")  # type: ignore[return-value]

    def test_good_rows_convert(self) -> None:
        records, errors = self.run(f"{HEADER}\n{ROWS}")
        assert errors == []
        assert records[0][1]["kind"] == "patent"
        assert records[0][1]["trl"] == 5
        assert records[0][1]["source_key"] == "A1"

    def test_every_error_names_row_column_and_reason(self) -> None:
        _records, errors = self.run(f"{HEADER}\nA1,,专利,5\nA1,好,发明,x\n")
        found = {(e.row, e.column, e.reason) for e in errors}  # type: ignore[attr-defined]
        assert found == {
            (2, "成果名称", Reason.MISSING_REQUIRED),
            (3, "成果类型", Reason.UNKNOWN_CODE),
            (3, "技术就绪度", Reason.WRONG_TYPE),
            (3, "编号", Reason.DUPLICATE_KEY),
        }

    def test_missing_required_column_is_reported_on_the_header(self) -> None:
        _records, errors = self.run("编号,成果类型\nA1,专利\n")
        assert [(e.row, e.column) for e in errors] == [(1, "成果名称")]  # type: ignore[attr-defined]

    def test_error_messages_are_bilingual(self) -> None:
        _records, errors = self.run(f"{HEADER}\nA1,,专利,5\n")
        error = errors[0]
        assert "row 2" in error.message
        assert "第 2 行" in error.message_zh


def padded_xlsx(path: Path, inflated_mb: int) -> None:
    """A valid workbook plus an entry of `inflated_mb` MB of zeros (a zip bomb in miniature)."""
    book = Workbook()
    book.active.append(HEADER.split(","))
    book.active.append(["A1", "一种储能电池", "专利", 5])
    book.save(path)
    with (
        zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as archive,
        archive.open("xl/pad.bin", "w") as out,
    ):
        for _ in range(inflated_mb):
            out.write(bytes(1024 * 1024))


LAUGHS = "".join(
    f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10)
)  # the "billion laughs": 10^9 copies of "l" from a few hundred bytes
SHEETS = {
    "malformed": "<worksheet><sheetData><row><c>",
    "entity expansion": f'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY l0 "l">{LAUGHS}]><worksheet '
    'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1">'
    '<c r="A1" t="inlineStr"><is><t>&l9;</t></is></c></row></sheetData></worksheet>',
}


class TestHostileWorkbooks:
    @pytest.mark.parametrize("sheet", SHEETS)
    def test_hostile_sheet_xml_is_a_rejection_not_a_crash(self, tmp_path: Path, sheet: str) -> None:
        good, path = tmp_path / "good.xlsx", tmp_path / "hostile.xlsx"
        padded_xlsx(good, 0)
        with zipfile.ZipFile(good) as source, zipfile.ZipFile(path, "w") as target:
            for info in source.infolist():
                is_sheet = info.filename == "xl/worksheets/sheet1.xml"
                target.writestr(info.filename, SHEETS[sheet].encode() if is_sheet else source.read(info.filename))
        with pytest.raises(ImportRejectedError) as info:
            read_table(path, path.name)
        assert info.value.errors[0].reason is Reason.WRONG_TYPE


class TestHostileJsonLines:
    @pytest.mark.parametrize(
        ("payload", "reason"),
        [
            (b'{"a": 1}\n[1, 2]\n', Reason.WRONG_TYPE),
            (b'{"a": 1}\n7\n', Reason.WRONG_TYPE),
            (b'{"a": 1}\n{"a": \n', Reason.WRONG_TYPE),
            (b'\xff\xfe{"a": 1}\n', Reason.WRONG_ENCODING),
        ],
    )
    def test_rejection_not_a_crash(self, tmp_path: Path, payload: bytes, reason: Reason) -> None:
        path = tmp_path / "a.jsonl"
        path.write_bytes(payload)
        with pytest.raises(ImportRejectedError) as info:
            read_table(path, path.name)
        assert info.value.errors[0].reason is reason


class TestReadLimits:
    def test_rows_past_the_limit_name_the_first_extra_row(self, tmp_path: Path) -> None:
        path = tmp_path / "a.csv"
        path.write_text(f"{HEADER}\n{ROWS}A3,第三,专利,1\n", encoding="utf-8")
        _header, rows = read_table(path, path.name, ReadLimits(max_rows=2))
        with pytest.raises(ImportRejectedError) as info:
            list(rows)
        assert [(e.row, e.reason) for e in info.value.errors] == [(4, Reason.TOO_MANY_ROWS)]

    def test_rows_up_to_the_limit_are_read(self, tmp_path: Path) -> None:
        path = tmp_path / "a.csv"
        path.write_text(f"{HEADER}\n{ROWS}", encoding="utf-8")
        assert len(list(read_table(path, path.name, ReadLimits(max_rows=2))[1])) == 2

    def test_xlsx_rows_are_bounded_too(self, tmp_path: Path) -> None:
        book = Workbook()
        book.active.append(HEADER.split(","))
        for i in range(5):
            book.active.append([f"A{i}", "成果", "专利", 5])
        path = tmp_path / "a.xlsx"
        book.save(path)
        with pytest.raises(ImportRejectedError) as info:
            list(read_table(path, path.name, ReadLimits(max_rows=3))[1])
        assert info.value.errors[0].row == 5

    def test_workbook_inflating_past_the_default_limit_is_refused(self, tmp_path: Path) -> None:
        path = tmp_path / "bomb.xlsx"
        padded_xlsx(path, 300)
        assert path.stat().st_size < 2 * 1024 * 1024
        limits = ReadLimits.of(Settings(env="test"))
        with pytest.raises(ImportRejectedError) as info:
            read_table(path, path.name, limits)
        assert [(e.row, e.reason) for e in info.value.errors] == [(1, Reason.TOO_LARGE)]
        assert "解压后" in info.value.errors[0].message_zh

    def test_workbook_under_the_limit_is_read(self, tmp_path: Path) -> None:
        path = tmp_path / "ok.xlsx"
        padded_xlsx(path, 1)
        assert rows_of(path)[1] == [["A1", "一种储能电池", "专利", 5]]
        header, _rows = read_table(path, path.name, ReadLimits(max_uncompressed=4 * 1024 * 1024))
        assert header[0] == "编号"
