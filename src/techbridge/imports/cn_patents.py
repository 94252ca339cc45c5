"""Chinese patent titles with all their IPC subclasses (lxingy3 oof_predictions.csv) as patent achievements.

Only `patent_title` and `true_subclasses_all` are read; the `predicted_*` columns are model output and ignored.
Each row is its own record keyed by its publication number, so rows with the same title stay distinct."""

from __future__ import annotations

import re
from pathlib import Path

from techbridge.imports.context import ImportContext
from techbridge.imports.readers import read_csv
from techbridge.imports.records import achievement_row
from techbridge.imports.schemas import Reason
from techbridge.imports.writer import upsert_records
from techbridge.models import Achievement

DATASET = "cn_patents"
IPC_SUBCLASS = re.compile(r"[A-H]\d{2}[A-Z]")


def run(ctx: ImportContext, path: Path) -> None:
    """Import an oof_predictions.csv-like file (publication_numbers, patent_title, true_subclasses_all)."""
    source_file = ctx.source_file(path)
    rows = []
    seen: set[str] = set()
    for number, row in ctx.progress("cn_patents").iterate(list(read_csv(path))):
        key = row.get("publication_numbers", "").strip() or f"row-{row.get('dataset_row', number)}"
        title = row.get("patent_title", "").strip()
        codes = [c.strip().upper() for c in row.get("true_subclasses_all", "").split("|") if c.strip()]
        if not title:
            ctx.reject(path, number, "patent_title", Reason.MISSING_REQUIRED)
        elif bad := [c for c in codes if not IPC_SUBCLASS.fullmatch(c)]:
            ctx.reject(path, number, "true_subclasses_all", Reason.WRONG_TYPE, ",".join(bad))
        elif key in seen:
            ctx.reject(path, number, "publication_numbers", Reason.DUPLICATE_KEY, key)
        else:
            seen.add(key)
            rows.append(achievement_row(key, source_file, kind="patent", title=title, ipc_codes=codes))
    ids = upsert_records(ctx.session, Achievement, rows, dataset=DATASET, summary=ctx.summary, label="achievement")
    ctx.summary.add("patent", len(ids))
