"""`techbridge challenges …`: 揭榜挂帅 challenge lists."""

from __future__ import annotations

import typer

app = typer.Typer(help="揭榜挂帅 challenge lists.", no_args_is_help=True)
