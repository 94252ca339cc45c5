"""Readers of source files: CSV (UTF-8, UTF-8 with BOM, GBK), JSON Lines and TSV, with row numbers."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from techbridge.errors import InvalidDataError

ENCODINGS = ("utf-8-sig", "gb18030")


def decode_bytes(data: bytes, name: str) -> str:
    """Text of a file in UTF-8 (with or without BOM) or GBK/GB18030; InvalidDataError otherwise."""
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InvalidDataError(
        f"{name}: wrong encoding (expected UTF-8 or GBK)",
        location=(name,),
        message_zh=f"{name}：文件编码错误（应为 UTF-8 或 GBK）",
    )


def read_csv(path: Path, *, delimiter: str = ",") -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row) of a CSV with a header; the header is line 1, so data starts at line 2."""
    text = decode_bytes(path.read_bytes(), path.name)
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    for number, row in enumerate(reader, start=2):
        yield number, {k.strip(): (v or "") for k, v in row.items() if k is not None}


def read_jsonl(path: Path) -> Iterator[tuple[int, Any]]:
    """(line number, object) of a JSON Lines file; blank lines are skipped, bad JSON raises InvalidDataError."""
    with path.open(encoding="utf-8-sig") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                yield number, json.loads(line)
            except json.JSONDecodeError as exc:
                raise InvalidDataError(
                    f"bad JSON: {exc.msg}", location=(path.name, number), message_zh=f"JSON 格式错误：{exc.msg}"
                ) from exc
