"""`techbridge tiers …`: Tier engine: policy eligibility, gaps, what-if, candidate pools."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from techbridge.cli.context import cli_lang, exit_partial, print_json, print_json_line, settings_of
from techbridge.errors import InvalidDataError
from techbridge.i18n.loader import translate

if TYPE_CHECKING:
    from collections.abc import Sequence

    from techbridge.jobs.pools import RefreshReport
    from techbridge.policies.schema import Policy

app = typer.Typer(help="Tier engine: policy eligibility, gaps, candidate pools.", no_args_is_help=True)
facts_app = typer.Typer(help="Enterprise facts in the registry.", no_args_is_help=True)
pools_app = typer.Typer(help="Stored candidate pools: read them, refresh them.")
app.add_typer(facts_app, name="facts")
app.add_typer(pools_app, name="pools")


def parse_as_of(value: str | None) -> date:
    """`--as-of YYYY-MM-DD`, default today."""
    if value is None:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter("expected YYYY-MM-DD", param_hint="--as-of") from None


def _read_lines(source: str) -> list[str]:
    if source == "-":
        return sys.stdin.read().splitlines()
    try:
        return Path(source).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidDataError(f"cannot read {source}: {exc}", message_zh=f"无法读取 {source}") from None


def _print_summary(result: dict[str, Any]) -> None:
    if "error" in result:
        return
    verdicts = " ".join(f"{r['policy']}={r['verdict']}" for r in result["results"])
    typer.echo(f"{result['id']}\t{verdicts}")


@app.command("evaluate")
def evaluate(
    input_path: str = typer.Option(..., "--input", help="JSON Lines file of {id, facts}; - reads stdin"),
    as_of: str | None = typer.Option(None, "--as-of", help="evaluation date YYYY-MM-DD (default today)"),
    policy: list[str] = typer.Option([], "--policy", help="only these policy ids"),
    as_json: bool = typer.Option(False, "--json", help="one JSON line per input line"),
) -> None:
    """Evaluate every enterprise of a JSON Lines file against the policy versions in force.

    A line that cannot be read (bad JSON, an unknown fact, a value of the wrong type) does not stop the others: it
    is named on stderr with its line number and field (with --json also as {"line", "error"} in its place), and
    the command ends with exit status 3 after printing every other result. Exit 0: every line evaluated; 1: nothing
    evaluated (unreadable file, unknown --policy); 2: usage error."""
    from techbridge.policies.loader import shipped_policies

    on = parse_as_of(as_of)
    policies = shipped_policies()
    unknown = sorted(set(policy) - {p.id for p in policies})
    if unknown:
        raise InvalidDataError(
            f"--policy: unknown policy {unknown[0]!r}", message_zh=f"--policy：未知的政策 {unknown[0]!r}"
        )
    lines = [(number, line) for number, line in enumerate(_read_lines(input_path), start=1) if line.strip()]
    failed = sum(_evaluate_one(line, number, on, policies, policy or None, as_json) for number, line in lines)
    if failed:
        exit_partial(failed, len(lines), "lines")


def _evaluate_one(
    line: str, number: int, on: date, policies: Sequence[Policy], only: list[str] | None, as_json: bool
) -> bool:
    """Print one input line's result (its error on stderr too); whether the line could not be read."""
    from techbridge.policies.evaluate import evaluate_line

    result = evaluate_line(line, number, on, policies, only)
    failed = "error" in result
    if failed:
        message = result["error_zh"] if cli_lang() == "zh" else result["error"]
        sys.stderr.write(translate("cli.line", cli_lang(), line=number, message=message) + "\n")
    if as_json:
        print_json_line(result)
    else:
        _print_summary(result)
    return failed


def parse_changes(value: str | None) -> dict[str, Any]:
    """`--what-if '{"employees": 120}'`: fact changes as the API's what-if body takes them (null removes a fact)."""
    if value is None:
        return {}
    try:
        changes = json.loads(value)
    except json.JSONDecodeError:
        changes = None
    if not isinstance(changes, dict):
        raise InvalidDataError(
            'a JSON object of fact changes, e.g. {"employees": 120}',
            location=("--what-if",),
            message_zh='应为事实改动的 JSON 对象，例如 {"employees": 120}',
        )
    return changes


@app.command("enterprise")
def enterprise(
    ctx: typer.Context,
    org_id: int = typer.Argument(..., help="a registry enterprise's id"),
    as_of: str | None = typer.Option(None, "--as-of", help="evaluation date YYYY-MM-DD (default today)"),
    what_if: str | None = typer.Option(None, "--what-if", help="JSON object of fact changes; nothing is saved"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """A registry enterprise's tiers from its stored facts, optionally with changed facts (as the API's
    `/api/tiers/enterprises/{id}` and its what-if answer an officer)."""
    from techbridge.db import session_scope
    from techbridge.policies.service import evaluate_organization

    on, changes = parse_as_of(as_of), parse_changes(what_if)
    with session_scope(settings_of(ctx).database_url) as session:
        result = evaluate_organization(session=session, organization_id=org_id, as_of=on, changes=changes)
    if as_json:
        print_json(result)
        return
    typer.echo(f"{result['enterprise']['name']} ({result['as_of']})")
    for row in result["results"]:
        typer.echo(f"  {row['policy']}\t{row['verdict']}")


@pools_app.callback(invoke_without_command=True)
def pools(
    ctx: typer.Context,
    policy: str | None = typer.Option(None, "--policy", help="one policy id"),
    region: str | None = typer.Option(None, "--region", help="region code or prefix (21, 2101, 210100)"),
    verdict: str | None = typer.Option(None, "--verdict", help="eligible, near_miss, ineligible or unknown"),
    cluster: str | None = typer.Option(None, "--cluster"),
    sort: str = typer.Option("closeness", "--sort", help="closeness or score"),
    page: int = typer.Option(1, "--page"),
    per_page: int = typer.Option(50, "--per-page"),
    as_of: str | None = typer.Option(None, "--as-of", help="the pools' date (YYYY-MM-DD); must match the stored one"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """The stored candidate pools: total, count per verdict and the first page (see `pools refresh`)."""
    if ctx.invoked_subcommand is not None:
        return
    from techbridge.db import session_scope
    from techbridge.policies.pool_reads import make_filter, read_pools

    day = parse_as_of(as_of) if as_of else None
    with session_scope(settings_of(ctx).database_url) as session:
        flt = make_filter(session=session, policy=policy, verdict=verdict, region=region, cluster=cluster, as_of=day)
        result = read_pools(session=session, flt=flt, sort=sort, page=page, per_page=per_page)
    if as_json:
        print_json(result)
        return
    typer.echo(f"{result['policy'] or 'all'}\t{result['as_of']}\ttotal {result['total']}\t{result['by_verdict']}")
    if not result["complete"]:
        typer.echo(
            f"partial: {result['evaluated']:,} of {result['enterprises']:,} enterprises evaluated for "
            f"{result['as_of']} (a refresh is running or has not reached them yet)"
        )
    for item in result["items"]:
        typer.echo(f"{item['id']}\t{item['name']}\t{item['policy']}\t{item['verdict']}\t{item['closeness']}")


@pools_app.command("refresh")
def refresh(
    ctx: typer.Context,
    as_of: str | None = typer.Option(None, "--as-of", help="evaluation date YYYY-MM-DD (default today)"),
    batch_size: int = typer.Option(500, "--batch-size", min=1),
) -> None:
    """Re-evaluate every stale enterprise (new, changed, or of another date), committing each batch; resumable."""
    from techbridge.jobs.pools import refresh_pools

    def progress(report: RefreshReport) -> None:
        typer.echo(f"pools: {report.enterprises} enterprises evaluated", err=True)

    report = refresh_pools(
        settings_of(ctx).database_url, as_of=parse_as_of(as_of), batch_size=batch_size, on_batch=progress
    )
    typer.echo(f"pools: {report.enterprises} enterprises evaluated as of {report.as_of} in {report.batches} batches")


@facts_app.command("import")
def import_facts(
    ctx: typer.Context,
    path: Path = typer.Argument(..., help="CSV, XLSX or JSONL with enterprise, fact, value, year, source"),
    entered_by: str = typer.Option("cli", "--entered-by"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Import enterprise facts; any row error rejects the whole file (row-level messages, nothing saved)."""
    from techbridge.db import session_scope
    from techbridge.policies.fact_import import import_facts_file

    with session_scope(settings_of(ctx).database_url) as session:
        report = import_facts_file(session=session, path=path, entered_by=entered_by)
    if as_json:
        print_json(report)
    else:
        typer.echo(f"imported {report['imported']} facts for {report['enterprises']} enterprises")
    if report["pools"] == "queued":
        from techbridge.jobs.pools import refresh_pools

        refresh_pools(settings_of(ctx).database_url)
