"""`techbridge evaluate …`: Evaluate retrieval quality on BEIR-layout benchmarks."""

from __future__ import annotations

import typer

app = typer.Typer(help="Evaluate retrieval quality on BEIR-layout benchmarks.", no_args_is_help=True)
