"""`techbridge chains …`: Industry-chain analytics."""

from __future__ import annotations

import typer

app = typer.Typer(help="Industry-chain analytics.", no_args_is_help=True)
