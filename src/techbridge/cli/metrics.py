"""`techbridge metrics …`: Transfer metrics: local conversion rate, turnover."""

from __future__ import annotations

import typer

app = typer.Typer(help="Transfer metrics: local conversion rate, turnover.", no_args_is_help=True)
