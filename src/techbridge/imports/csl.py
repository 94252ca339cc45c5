"""CSL Chinese scientific literature: 2,000 papers (title, abstract, author keywords, category, discipline) as
achievements of kind paper; field tags are the category and the discipline."""

from __future__ import annotations

from pathlib import Path

from techbridge.imports.context import ImportContext
from techbridge.imports.readers import read_jsonl
from techbridge.imports.records import achievement_row
from techbridge.imports.schemas import Reason
from techbridge.imports.writer import upsert_records
from techbridge.models import Achievement

DATASET = "csl"


def run(ctx: ImportContext, path: Path) -> None:
    """Import csl_benchmark_2000.jsonl (or a file of the same layout)."""
    source_file = ctx.source_file(path)
    rows = []
    seen: set[str] = set()
    for number, paper in ctx.progress("csl").iterate(list(read_jsonl(path))):
        key, title = str(paper.get("id") or ""), str(paper.get("title") or "").strip()
        if not key or not title:
            ctx.reject(path, number, "id" if not key else "title", Reason.MISSING_REQUIRED)
            continue
        if key in seen:
            ctx.reject(path, number, "id", Reason.DUPLICATE_KEY, key)
            continue
        seen.add(key)
        keywords = [str(k).strip() for k in paper.get("keywords") or [] if str(k).strip()]
        tags = [str(t) for t in (paper.get("category"), paper.get("discipline")) if t]
        rows.append(
            achievement_row(
                key,
                source_file,
                kind="paper",
                title=title,
                abstract=str(paper.get("abstract") or ""),
                keywords=keywords,
                field_tags=tags,
            )
        )
    ids = upsert_records(ctx.session, Achievement, rows, dataset=DATASET, summary=ctx.summary, label="achievement")
    ctx.summary.add("paper", len(ids))
