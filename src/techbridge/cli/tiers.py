"""`techbridge tiers …`: Tier engine: policy eligibility, gaps, candidate pools."""

from __future__ import annotations

import typer

app = typer.Typer(help="Tier engine: policy eligibility, gaps, candidate pools.", no_args_is_help=True)
