"""`techbridge search …`: Search indexes: build, embed, status, query."""

from __future__ import annotations

import sys
import time

import typer

from techbridge.access import SYSTEM
from techbridge.cli.context import cli_lang, print_json, settings_of
from techbridge.config import Settings
from techbridge.db import session_scope
from techbridge.jobs import embedder as jobs_embedder
from techbridge.jobs import indexer
from techbridge.jobs.process import StopFlag, lower_priority
from techbridge.matching import build, service
from techbridge.matching.schemas import MatchFilters, MatchHit
from techbridge.registry.pickers import resolve_field, resolve_region

app = typer.Typer(help="Search indexes: build, embed, status, query.", no_args_is_help=True)


def _progress(stage: str, seen: int, done: int) -> None:
    sys.stderr.write(f"\r{stage}: {seen:,} records" + (f", {done:,} passages embedded" if stage == "embed" else ""))
    sys.stderr.flush()


@app.command("build")
def build_index(
    ctx: typer.Context,
    embed: bool = typer.Option(True, "--embed/--no-embed", help="also embed records whose text changed"),
    embed_limit: int | None = typer.Option(None, help="stop embedding after this many passages (resumable)"),
) -> None:
    """Rebuild the lexical index into a new version, switch to it, then embed changed records."""
    settings = settings_of(ctx)
    started = time.perf_counter()
    built = indexer.rebuild_or_queue(settings, progress=_progress)
    sys.stderr.write("\n")
    if built is None:
        typer.echo("the indexer running on this host rebuilds the lexical index next (refresh queued)")
    else:
        version, count = built
        typer.echo(f"lexical index {version}: {count:,} documents in {time.perf_counter() - started:.1f} s")
    if embed:
        started = time.perf_counter()
        report = _embed(settings, embed_limit)
        typer.echo(f"embedded {report.passages:,} passages in {time.perf_counter() - started:.1f} s")


@app.command("embed")
def embed_pending(
    ctx: typer.Context, limit: int | None = typer.Option(None, help="stop after this many passages")
) -> None:
    """Embed records whose passages changed since they were last embedded: at lower priority, committing every
    `embed_batch` records, so other writes go on beside it and a killed run resumes where it stopped."""
    settings = settings_of(ctx)
    lower_priority(settings.job_niceness)
    stop = StopFlag.on_signals()
    report = _embed(settings, limit, stop)
    typer.echo(f"embedded {report.passages:,} passages" + (" (stopped; run again to resume)" if report.stopped else ""))


def _embed(settings: Settings, limit: int | None, stop: StopFlag | None = None) -> jobs_embedder.EmbedReport:
    report = jobs_embedder.run_embedder(
        url=settings.database_url,
        embedder=build.product_embedder(settings.embed_model_dir),
        batch=settings.embed_batch,
        limit=limit,
        progress=_progress,
        should_stop=stop or jobs_embedder.never,
    )
    sys.stderr.write("\n")
    return report


@app.command("status")
def status(ctx: typer.Context, as_json: bool = typer.Option(False, "--json")) -> None:
    """The active index version, its size and how many passages have vectors."""
    settings = settings_of(ctx)
    with session_scope(settings.database_url) as session:
        report = build.index_status(session, settings)
    if as_json:
        print_json(report)
        return
    for key, value in report.items():
        typer.echo(f"{key}: {value}")


@app.command("query")
def query(
    ctx: typer.Context,
    text: str = typer.Argument(..., help="the need, in any words"),
    entity: str = typer.Option("achievement", help="achievement | expert | enterprise"),
    limit: int = typer.Option(10, min=1, max=100),
    region: str | None = typer.Option(None),
    field: str | None = typer.Option(None),
    trl_min: int | None = typer.Option(None),
    trl_max: int | None = typer.Option(None),
    kind: str | None = typer.Option(None),
    owner_type: str | None = typer.Option(None),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Search the registry like the portal does (as an administrator: every record is visible); --region takes a
    code or a name (大连, 辽宁) and --field a field tag, resolved as the portal and the API resolve them."""
    settings = settings_of(ctx)
    with session_scope(settings.database_url) as session:
        code = resolve_region(session, region, "--region") if region else None
        tag = resolve_field(session, SYSTEM, field, "--field") if field else None
        filters = MatchFilters(code, tag, trl_min, trl_max, kind, owner_type)
        hits = service.search_records(
            session=session, settings=settings, viewer=SYSTEM, text=text, entity=entity, filters=filters, limit=limit
        )
        rows = service.hits_json(session, hits, cli_lang())
    if as_json:
        print_json({"query": text, "entity": entity, "hits": rows})
        return
    for rank, row in enumerate(rows, start=1):
        terms = "、".join(row["matched_terms"])
        typer.echo(f"{rank:>3}. [{row['entity']}:{row['id']}] {row['title']}  ({row['score']:.3f}; {terms})")


def _hit_line(rank: int, row: dict[str, object]) -> str:
    return f"{rank:>3}. [{row['entity']}:{row['id']}] {row['title']}  ({row['score']:.3f})"


def _print_hits(title: str, hits: list[MatchHit]) -> None:
    typer.echo(title)
    for rank, hit in enumerate(hits, start=1):
        typer.echo(_hit_line(rank, hit.as_dict()))


@app.command("demand")
def demand(
    ctx: typer.Context,
    demand_id: int = typer.Argument(..., help="a stored demand's id"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """A stored demand → achievements and experts (as `GET /api/match/demands/{id}` answers an administrator)."""
    settings = settings_of(ctx)
    with session_scope(settings.database_url) as session:
        matches = service.match_demand(session=session, settings=settings, viewer=SYSTEM, demand_id=demand_id)
        answer = matches.as_dict(session, cli_lang())
    if as_json:
        print_json(answer)
        return
    _print_hits("achievements:", matches.achievements)
    _print_hits("experts:", matches.experts)


@app.command("adopters")
def adopters(
    ctx: typer.Context,
    achievement_id: int = typer.Argument(..., help="an achievement's id"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """An achievement → likely adopting enterprises (as `GET /api/match/achievements/{id}/adopters` answers)."""
    settings = settings_of(ctx)
    with session_scope(settings.database_url) as session:
        hits = service.likely_adopters(session=session, settings=settings, viewer=SYSTEM, achievement_id=achievement_id)
        rows = service.hits_json(session, hits, cli_lang())
    if as_json:
        print_json({"achievement_id": achievement_id, "hits": rows})
        return
    _print_hits("adopters:", hits)
