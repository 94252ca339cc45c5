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
    """Load every policy file, the message catalog and the regions' English names; a bad file exits 1 naming the
    file and the field (a names file: its row)."""
    from techbridge.i18n.loader import load_catalog
    from techbridge.policies.facts import load_fact_specs
    from techbridge.policies.loader import load_policies
    from techbridge.registry.regions import COUNTY_OVERRIDES, check_english_names

    facts = load_fact_specs()
    policies = load_policies(policies_dir)
    messages = load_catalog()
    region_names = check_english_names()
    summary = {
        "facts": len(facts),
        "policies": sorted(f"{p.id}@{p.version} ({p.file})" for p in policies),
        "messages": len(messages),
        "region_names": region_names,
    }
    if as_json:
        print_json(summary)
        return
    named = sum(count for file, count in region_names.items() if file != COUNTY_OVERRIDES)
    typer.echo(
        f"ok: {len(facts)} facts, {len(policies)} policy versions, {len(messages)} messages, {named} region names"
    )
