"""`techbridge db …`: schema migrations."""

from __future__ import annotations

import typer

from techbridge.cli.context import settings_of
from techbridge.schema import current_revisions, upgrade_schema

app = typer.Typer(help="Database schema (Alembic migrations).", no_args_is_help=True)


@app.command("upgrade")
def upgrade(ctx: typer.Context, revision: str = typer.Argument("heads")) -> None:
    """Migrate the configured database to REVISION (default: latest)."""
    url = settings_of(ctx).database_url
    upgrade_schema(url, revision)
    typer.echo(f"database at {revision}: {', '.join(sorted(current_revisions(url)))}")


@app.command("current")
def current(ctx: typer.Context) -> None:
    """Print the revisions the database is at."""
    typer.echo(", ".join(sorted(current_revisions(settings_of(ctx).database_url))) or "(empty)")
