"""`techbridge imports …`: Import sources and spreadsheets into the registry."""

from __future__ import annotations

import typer

app = typer.Typer(help="Import sources and spreadsheets into the registry.", no_args_is_help=True)
