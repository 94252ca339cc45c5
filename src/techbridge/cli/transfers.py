"""`techbridge transfers …`: Transfer pipeline cases and contracts."""

from __future__ import annotations

import typer

app = typer.Typer(help="Transfer pipeline cases and contracts.", no_args_is_help=True)
