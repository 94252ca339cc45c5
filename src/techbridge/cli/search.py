"""`techbridge search …`: Search indexes: build, status, query."""

from __future__ import annotations

import typer

app = typer.Typer(help="Search indexes: build, status, query.", no_args_is_help=True)
