"""`techbridge backup PATH` and `techbridge restore PATH`: the whole database as one file."""

from __future__ import annotations

from pathlib import Path

import typer

from techbridge.backups import queries, service
from techbridge.cli.context import settings_of
from techbridge.db import dispose_engines, session_scope


def _rows(url: str) -> tuple[int, int]:
    with session_scope(url) as session:
        counts = queries.table_counts(session)
    return len(counts), sum(counts.values())


def backup(
    ctx: typer.Context,
    path: Path = typer.Argument(..., help="file to write (SQLite copy, or pg_dump custom format)"),
    overwrite: bool = typer.Option(False, "--overwrite", help="replace an existing file"),
) -> None:
    """Back up the configured database while it keeps serving."""
    url = settings_of(ctx).database_url
    service.backup_database(url=url, path=path, overwrite=overwrite)
    tables, rows = _rows(url)
    typer.echo(f"backup written to {path}: {tables} tables, {rows:,} rows")


def restore(
    ctx: typer.Context,
    path: Path = typer.Argument(..., help="a file written by `techbridge backup`"),
    yes: bool = typer.Option(False, "--yes", help="do not ask before replacing the database"),
) -> None:
    """Replace the configured database with a backup (stop the web workers and the indexer first)."""
    url = settings_of(ctx).database_url
    if not yes:
        typer.confirm(f"replace every row of the configured database with {path}?", abort=True)
    dispose_engines()  # no pooled connection may hold the old state
    service.restore_database(url=url, path=path)
    tables, rows = _rows(url)
    typer.echo(f"restored {path}: {tables} tables, {rows:,} rows; run `techbridge indexer run --once` next")
