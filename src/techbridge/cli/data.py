"""`techbridge data …`: Shipped reference data (policies, dictionaries, configuration)."""

from __future__ import annotations

import typer

app = typer.Typer(help="Shipped reference data (policies, dictionaries, configuration).", no_args_is_help=True)
