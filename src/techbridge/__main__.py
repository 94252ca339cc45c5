"""`python -m techbridge` runs the CLI."""

from techbridge.cli.app import main

main()
