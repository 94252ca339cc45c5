"""The `techbridge` command line: a Typer app with one sub-app per domain package."""
