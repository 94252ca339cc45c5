"""Classification code tables into CodeEntry: GB/T 4754-2017, SEI-2018 and IPC 2026.01 (Chinese titles).

GB/T 4754-2017 comes from two imperfect transcriptions. The czsx525 table is the base (2017 wording; hyh carries
2011-edition names and a duplicate 0711). A code found only in hyh is added when its parent exists, unless it
ends in 0 while its 中类 already has other 小类 (a "not subdivided" code contradicting the subdivision, i.e. an
2011-edition leftover such as 0390 or 9290); such rows are rejected and reported."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from techbridge.imports.context import ImportContext
from techbridge.imports.readers import read_csv
from techbridge.imports.schemas import Reason
from techbridge.imports.writer import upsert_codes

GBT_LEVELS = {"门类": 1, "大类": 2, "中类": 3, "小类": 4}
IPC_LEVELS = {"section": 1, "class": 2, "subclass": 3, "main_group": 4, "subgroup": 5}
_CJK_GAP = re.compile(r"(?<=[\u3000-\u9fff\uff00-\uffef])\s+(?=[\u3000-\u9fff\uff00-\uffef])")


def run_gbt4754(ctx: ImportContext, path: Path) -> None:
    """Import the derived folder (gbt4754_2017_czsx525.csv + comparison + hyh) or one table of that layout."""
    base = path / "gbt4754_2017_czsx525.csv" if path.is_dir() else path
    entries: dict[str, dict[str, Any]] = {}
    for number, row in read_csv(base):
        level = GBT_LEVELS.get(row.get("level", ""))
        if not row.get("code") or not row.get("name") or level is None:
            ctx.reject(base, number, "level" if row.get("code") else "code", Reason.MISSING_REQUIRED)
            continue
        entries.setdefault(
            row["code"],
            {
                "code": row["code"],
                "title": row["name"].strip(),
                "parent_code": row.get("parent_code") or None,
                "level": level,
            },
        )
    comparison = path / "comparison_hyh_vs_czsx525.csv" if path.is_dir() else None
    if comparison is not None and comparison.exists():
        _add_hyh_only(ctx, comparison, entries)
    upsert_codes(ctx.session, "gbt4754", list(entries.values()), summary=ctx.summary)


def _add_hyh_only(ctx: ImportContext, comparison: Path, entries: dict[str, dict[str, Any]]) -> None:
    for number, row in read_csv(comparison):
        if row.get("status") == "name_differs":
            ctx.summary.add("gbt4754.name_differs_kept_czsx525")
        if row.get("status") != "only_hyh":
            continue
        code = row["code"]
        parent = code[:-1] if len(code) > 2 else None
        siblings = [c for c in entries if c != code and len(c) == len(code) and c[:-1] == parent]
        if parent not in entries or (code.endswith("0") and siblings):
            ctx.reject(comparison, number, "code", Reason.CONFLICT, f"{code} {row['name_hyh']}: 2011-edition code")
            continue
        entries[code] = {"code": code, "title": row["name_hyh"], "parent_code": parent, "level": len(code)}
        ctx.summary.add("gbt4754.added_from_hyh")


def run_sei2018(ctx: ImportContext, path: Path) -> None:
    """Import the SEI-2018 level 1–2 table (code, name, level, parent_code)."""
    rows = []
    for number, row in read_csv(path):
        if not row.get("code") or not row.get("name") or not row.get("level", "").isdigit():
            ctx.reject(path, number, "code/name/level", Reason.MISSING_REQUIRED)
            continue
        rows.append(
            {
                "code": row["code"],
                "title": row["name"].strip(),
                "parent_code": row.get("parent_code") or None,
                "level": int(row["level"]),
            }
        )
    upsert_codes(ctx.session, "sei2018", rows, summary=ctx.summary)


def clean_ipc_title(title: str) -> str:
    """Remove PDF-extraction gaps between Chinese characters ("用于 播种" → "用于播种")."""
    return _CJK_GAP.sub("", title).strip()[:512]


def run_ipc(ctx: ImportContext, path: Path) -> None:
    """Import the IPC table (code, level, parent, title)."""
    rows: dict[str, dict[str, Any]] = {}
    for number, row in ctx.progress("ipc").iterate(list(read_csv(path))):
        code, level = row.get("code", "").strip(), IPC_LEVELS.get(row.get("level", ""))
        if not code or level is None:
            ctx.reject(path, number, "code" if not code else "level", Reason.MISSING_REQUIRED)
        elif code in rows:
            ctx.reject(path, number, "code", Reason.DUPLICATE_KEY, code)
        else:
            rows[code] = {
                "code": code,
                "title": clean_ipc_title(row.get("title", "")),
                "parent_code": row.get("parent") or None,
                "level": level,
            }
    upsert_codes(ctx.session, "ipc", list(rows.values()), summary=ctx.summary)
