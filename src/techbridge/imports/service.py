"""Run imports: the source registry, one transaction per import, the ImportRun row and the merge report."""

from __future__ import annotations

import csv
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from techbridge.audit.service import record_import
from techbridge.config import Settings
from techbridge.db import analyze, session_scope
from techbridge.errors import InvalidDataError, NotFoundError
from techbridge.imports import writer
from techbridge.imports.context import ImportContext
from techbridge.imports.schemas import ImportSummary
from techbridge.jobs.outbox import request_refresh
from techbridge.models import ImportRun


@dataclass(frozen=True)
class Source:
    """A built-in source: its default path under the data folder and the function that imports it."""

    name: str
    default_path: str
    run: Callable[[ImportContext, Path], None]
    needs_regions: bool = False


def sources() -> dict[str, Source]:
    """Every built-in source, in the order `import all` runs them (regions and code tables first)."""
    from techbridge.imports import (
        a_share,
        a_share_financials,
        admin_divisions,
        chain_kg,
        cn_patents,
        codes,
        csl,
        ickg,
        kag,
        nsfc,
        tech_market,
        universities,
    )

    table = [
        Source("admin_divisions", "admin_divisions/raw", admin_divisions.run),
        Source("gbt4754", "gbt4754_2017/derived", codes.run_gbt4754),
        Source("sei2018", "sei_2018/sei_2018_level1_level2.csv", codes.run_sei2018),
        Source("ipc", "ipc_zh_2026/ipc_zh_2026_01.csv", codes.run_ipc),
        Source("a_share", "a_share_stock_basic", a_share.run, needs_regions=True),
        Source("universities", "universities_cn", universities.run, needs_regions=True),
        Source("chain_kg", "chain_kg", chain_kg.run, needs_regions=True),
        Source("ickg", "ickg/derived/ICKG25_named_quads.tsv", ickg.run, needs_regions=True),
        Source("csl", "csl/derived/csl_benchmark_2000.jsonl", csl.run),
        Source("cn_patents", "cn_patents/lxingy3_ipc_titles/oof_predictions.csv", cn_patents.run),
        Source("kag", "kag_supplychain_sample", kag.run),
        Source("a_share_financials", "a_share_financials_2022_2024", a_share_financials.run, needs_regions=True),
        Source("nsfc", "nsfc_mgmt_projects", nsfc.run, needs_regions=True),
        Source("tech_market", "tech_market_flows", tech_market.run, needs_regions=True),
    ]
    return {source.name: source for source in table}


def resolve_source(name: str) -> Source:
    """The source called `name`, or NotFoundError listing the known ones."""
    table = sources()
    if name not in table:
        known = ", ".join(table)
        raise NotFoundError(
            f"unknown source {name!r}; known: {known}", message_zh=f"未知数据源「{name}」；可选：{known}"
        )
    return table[name]


def import_source(
    settings: Settings, name: str, path: Path | None = None, *, show_progress: bool = True
) -> ImportSummary:
    """Import one source in ONE transaction: on any error nothing is written; re-running it is idempotent."""
    source = resolve_source(name)
    target = path if path is not None else settings.data_dir / source.default_path
    if not target.exists():
        raise InvalidDataError(
            f"{target} does not exist", location=(str(target),), message_zh=f"找不到文件或目录 {target}"
        )
    summary = ImportSummary(source=name, path=str(target))
    started, started_at = time.monotonic(), datetime.now(UTC)
    with session_scope(settings.database_url) as session:
        ctx = ImportContext(session=session, settings=settings, summary=summary, show_progress=show_progress)
        if source.needs_regions and not ctx.regions().codes:
            from techbridge.imports import admin_divisions

            admin_divisions.run(ctx, settings.data_dir / "admin_divisions/raw")
            ctx._regions = None
        try:
            source.run(ctx, target)
            writer.fill_achievement_regions(session, summary=summary)
        except (KeyError, IndexError, TypeError, AttributeError, UnicodeDecodeError, FileNotFoundError) as exc:
            raise InvalidDataError(
                f"{target.name}: not the layout of the {name} source ({type(exc).__name__}: {exc})",
                location=(str(target),),
                message_zh=f"{target.name}：不是 {name} 数据源的文件格式（{type(exc).__name__}：{exc}）",
            ) from exc
        summary.seconds = time.monotonic() - started
        record_run(ctx, started_at=started_at)
    analyze(settings.database_url)
    return summary


def record_run(ctx: ImportContext, *, started_at: datetime) -> None:
    """Write the merge report, the ImportRun row and one outbox refresh event (inside the import's transaction)."""
    summary = ctx.summary
    if summary.merges:
        summary.report_path = str(write_merge_report(ctx.settings.report_dir, summary))
    counts = {**summary.counts, "merges": len(summary.merges), "rejections": len(summary.rejections)}
    run = ImportRun(
        source=summary.source,
        path=summary.path[:512],
        started_at=started_at,
        finished_at=datetime.now(UTC),
        counts=counts,
    )
    ctx.session.add(run)
    ctx.session.flush()
    record_import(session=ctx.session, run_id=run.id, summary=summary, counts=counts)
    request_refresh(session=ctx.session)  # one rebuild of the index for the whole run, not one event a row


def write_merge_report(report_dir: Path, summary: ImportSummary) -> Path:
    """A CSV listing every merge of the run (incoming record → existing organization, rule)."""
    report_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    source = re.sub(r"[^\w.-]+", "-", summary.source)  # file:organization → file-organization (no colon in a name)
    path = report_dir / f"merges-{source}-{stamp}.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["source", "source_key", "name", "organization_id", "organization_name", "rule"])
        for m in summary.merges:
            out.writerow([m.source, m.source_key, m.name, m.organization_id, m.organization_name, m.rule])
    return path


def import_all(
    settings: Settings, *, show_progress: bool = True, skip: frozenset[str] = frozenset()
) -> list[ImportSummary]:
    """Import every built-in source whose files are present (except those in `skip`), each in its own transaction."""
    done = []
    for source in sources().values():
        if source.name not in skip and (settings.data_dir / source.default_path).exists():
            done.append(import_source(settings, source.name, show_progress=show_progress))
    return done
