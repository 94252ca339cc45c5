"""The pool export's hand-written XLSX reads back in openpyxl exactly as openpyxl's own write-only file does."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook

from techbridge.policies.pool_sheet import column_letters, write_sheet

ROWS: list[tuple[Any, ...]] = [
    ("policy", "name", "credit_code", "score", "closeness", "detail"),
    ("hnte", "大连<精细>&化工", None, 72, 0.8571, "rd_expense_history,titles"),
    ("tech_sme", "  spaced  ", "91210200MA0XXXXX1", None, 0.0, ""),
    ("ln_eaglet", "quote \" and ' apostrophe", None, 3.25, 1.0, None),
]


def read(path: Path) -> list[tuple[Any, ...]]:
    """The rows as values, padded to the header's width (a read-only sheet may leave trailing empty cells out)."""
    rows = list(load_workbook(path, read_only=True).worksheets[0].iter_rows(values_only=True))
    return [row + (None,) * (len(rows[0]) - len(row)) for row in rows]


class TestWriteSheet:
    def test_reads_back_as_openpyxls_own_file(self, tmp_path: Path) -> None:
        ours, theirs = tmp_path / "ours.xlsx", tmp_path / "theirs.xlsx"
        assert write_sheet(ours, "pools-2026-06-30", iter(ROWS)) == len(ROWS)
        book = Workbook(write_only=True)
        sheet = book.create_sheet("pools-2026-06-30")
        for row in ROWS:
            sheet.append(list(row))
        book.save(theirs)
        assert read(ours) == read(theirs)
        assert load_workbook(ours).sheetnames == ["pools-2026-06-30"]

    def test_characters_xml_forbids_are_dropped_and_odd_numbers_kept_as_text(self, tmp_path: Path) -> None:
        path = tmp_path / "odd.xlsx"
        write_sheet(path, "odd", [("a\x00b\x1fc", float("nan"), True)])
        assert read(path) == [("abc", "nan", "True")]

    def test_an_empty_export_has_its_header_only(self, tmp_path: Path) -> None:
        path = tmp_path / "empty.xlsx"
        assert write_sheet(path, "empty", [ROWS[0]]) == 1
        assert read(path) == [ROWS[0]]


class TestColumnLetters:
    def test_letters_after_z_go_on_to_two(self) -> None:
        assert [column_letters(i) for i in (0, 25, 26, 27, 701, 702)] == ["A", "Z", "AA", "AB", "ZZ", "AAA"]
