"""The pool export's XLSX file, written straight into its zip as the rows stream (one sheet, inline strings).

openpyxl's write-only mode still builds a cell object per value (about 13 µs a cell here); the export needs
none of its features (no styles, formulas or shared strings), so each row becomes one line of SpreadsheetML
(ECMA-376 Part 1, §18.3.1.73 `row`, §18.3.1.4 `c` with `t="inlineStr"`) and the file holds only the five parts
a reader needs.
"""

from __future__ import annotations

import math
import re
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

BATCH = 1000  # rows joined per write
ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # not allowed in XML 1.0
PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml"'
        ' ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml"'
        ' ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/styles.xml"'
        ' ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        "</Types>"
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Target="xl/workbook.xml"'
        ' Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>'
        "</Relationships>"
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Target="worksheets/sheet1.xml"'
        ' Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"/>'
        '<Relationship Id="rId2" Target="styles.xml"'
        ' Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles"/>'
        "</Relationships>"
    ),
    "xl/styles.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
        '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        "</styleSheet>"
    ),
}
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    ' xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name={name} sheetId="1" r:id="rId1"/></sheets></workbook>'
)
SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
SHEET_TAIL = "</sheetData></worksheet>"


def column_letters(index: int) -> str:
    """A 0-based column index as its letters: 0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def cell(ref: str, value: Any) -> str:
    """One cell at `ref`: a finite number as a number, anything else as an inline string; None and "" as an empty
    cell (read back as None, as openpyxl writes them, and keeping every row as wide as its values)."""
    if value is None or value == "":
        return f'<c r="{ref}"/>'
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return f'<c r="{ref}"><v>{value!r}</v></c>'
    text = escape(ILLEGAL.sub("", str(value)))
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


def row_xml(number: int, values: Sequence[Any], letters: Sequence[str]) -> str:
    """Row `number` (1-based) of cells, each with its reference."""
    cells = "".join(cell(f"{letters[i]}{number}", value) for i, value in enumerate(values))
    return f'<row r="{number}">{cells}</row>'


def write_sheet(path: Path, title: str, rows: Iterable[Sequence[Any]]) -> int:
    """Write `rows` (the first one the header) as the one sheet `title` of an XLSX file; returns the row count."""
    count = 0
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as book:
        for name, text in PARTS.items():
            book.writestr(name, text)
        book.writestr("xl/workbook.xml", WORKBOOK.format(name=quoteattr(ILLEGAL.sub("", title)[:31])))
        with book.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(SHEET_HEAD.encode())
            batch: list[str] = []
            letters: list[str] = []
            for values in rows:
                letters.extend(column_letters(i) for i in range(len(letters), len(values)))
                count += 1
                batch.append(row_xml(count, values, letters))
                if len(batch) == BATCH:
                    sheet.write("".join(batch).encode())
                    batch.clear()
            sheet.write(("".join(batch) + SHEET_TAIL).encode())
    return count
