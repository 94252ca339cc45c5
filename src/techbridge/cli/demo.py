"""`techbridge demo load`: what `make run` loads before serving (idempotent)."""

from __future__ import annotations

import typer

from techbridge.bootstrap import bootstrap
from techbridge.cli.context import settings_of

app = typer.Typer(help="Load the shared data, demo accounts and demonstration contracts.", no_args_is_help=True)


@app.command("load")
def load(ctx: typer.Context, reimport: bool = typer.Option(False, help="import every source again")) -> None:
    """Import ../shared/data (once), create demo accounts, generate labelled demo contracts, build indexes."""
    report = bootstrap(settings_of(ctx), reimport=reimport)
    for line in report.lines:
        typer.echo(line)
