"""`techbridge indexer …`: the one process per host that writes the search index from the outbox."""

from __future__ import annotations

import typer

from techbridge.cli.context import print_json, settings_of
from techbridge.jobs import indexer
from techbridge.jobs.process import StopFlag, lower_priority
from techbridge.matching import build

app = typer.Typer(help="The search indexer: applies outbox events to this host's index.", no_args_is_help=True)


@app.command("run")
def run(
    ctx: typer.Context,
    once: bool = typer.Option(False, "--once", help="stop when the outbox and the embedding backlog are done"),
    embed: bool = typer.Option(True, "--embed/--no-embed", help="also embed changed passages (one host is enough)"),
) -> None:
    """Apply outbox events to the index in batches and embed new passages, at lower priority, until SIGTERM."""
    settings = settings_of(ctx)
    lower_priority(settings.job_niceness)
    embedder = build.product_embedder(settings.embed_model_dir) if embed else None
    report = indexer.run_indexer(settings=settings, embedder=embedder, once=once, should_stop=StopFlag.on_signals())
    typer.echo(
        f"indexer: {report.events:,} events, {report.records:,} records, {report.rebuilds} rebuilds, "
        f"{report.passages:,} passages embedded"
    )


@app.command("status")
def status(ctx: typer.Context, as_json: bool = typer.Option(False, "--json")) -> None:
    """This host's index version, its outbox position and how many events it is behind."""
    report = indexer.indexer_status(settings_of(ctx))
    if as_json:
        print_json(report)
        return
    for key, value in report.items():
        typer.echo(f"{key}: {value}")
