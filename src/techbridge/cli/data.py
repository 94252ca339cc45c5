"""`techbridge data …`: Shipped reference data (policies, dictionaries, configuration)."""

from __future__ import annotations

from pathlib import Path

import typer

from techbridge.cli.context import print_json

app = typer.Typer(help="Shipped reference data (policies, dictionaries, configuration).", no_args_is_help=True)


@app.command("check")
def check(
    policies_dir: Path | None = typer.Option(None, "--policies", help="check this folder of policy files instead"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Load every policy file and the message catalog; a bad file exits 1 naming the file and the field."""
    from techbridge.i18n.loader import load_catalog
    from techbridge.policies.facts import load_fact_specs
    from techbridge.policies.loader import load_policies

    facts = load_fact_specs()
    policies = load_policies(policies_dir)
    messages = load_catalog()
    summary = {
        "facts": len(facts),
        "policies": sorted(f"{p.id}@{p.version} ({p.file})" for p in policies),
        "messages": len(messages),
    }
    if as_json:
        print_json(summary)
        return
    typer.echo(f"ok: {len(facts)} facts, {len(policies)} policy versions, {len(messages)} messages")
