"""`techbridge chains …`: industry-chain analytics (list, show, report, gaps, leaders, attract, consortium).

The CLI is an operator's tool: it reads as the system administrator, who sees every record.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import typer
from sqlalchemy.orm import Session

from techbridge.access import SYSTEM
from techbridge.chains import service
from techbridge.cli.context import cli_lang, print_json, settings_of
from techbridge.db import session_scope

app = typer.Typer(help="Industry-chain analytics.", no_args_is_help=True)

ROOT_HELP = "a curated chain id (see `chains list`) or a node name"
REGION_HELP = "a province or city: code (21, 2102) or name (辽宁, 大连, Dalian) (default: the home region setting)"


def _region(ctx: typer.Context, session: Session, region: str | None) -> str:
    return service.read_region(session, region, settings_of(ctx).region_code)


@app.command("list")
def list_(ctx: typer.Context, as_json: bool = typer.Option(False, "--json", help="machine-readable output")) -> None:
    """The curated chains with their base, clusters, roots and size in the current graph."""
    with session_scope(settings_of(ctx).database_url) as session:
        rows = service.list_chains(session, cli_lang())
    if as_json:
        print_json(rows)
        return
    for row in rows:
        missing = row["missing_roots"]
        assert isinstance(missing, list)
        typer.echo(f"{row['id']}\t{row['title_text']}\t{row['nodes']} nodes\tmissing roots: {len(missing)}")


@app.command("show")
def show(
    ctx: typer.Context,
    root: str = typer.Argument(..., help=ROOT_HELP),
    hops: int | None = typer.Option(None, "--hops", help="hops up- and downstream (default: the chain's own)"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """The nodes and edges of a chain."""
    with session_scope(settings_of(ctx).database_url) as session:
        payload = service.chain_json(service.show_chain(session, root=root, hops=hops), cli_lang())
    if as_json:
        print_json(payload)
        return
    typer.echo(f"{payload['title_text']}: {len(payload['nodes'])} nodes, {len(payload['edges'])} edges")
    for node in payload["nodes"]:
        typer.echo(f"  {node['position']:<10} hop {node['hop']}  {node['name']} ({node['kind']})")


def _report(ctx: typer.Context, root: str, region: str | None, part: str, as_json: bool) -> dict[str, Any]:
    with session_scope(settings_of(ctx).database_url) as session:
        view, report = service.chain_report(session, viewer=SYSTEM, root=root, region=_region(ctx, session, region))
        payload = service.report_json(view, report, part, cli_lang())
    if as_json:
        print_json(payload)
    return payload


@app.command("report")
def report(
    ctx: typer.Context,
    root: str = typer.Argument(..., help=ROOT_HELP),
    region: str | None = typer.Option(None, "--region", help=REGION_HELP),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """The whole report: coverage, weak links, leaders, attraction candidates and the consortium draft."""
    payload = _report(ctx, root, region, "all", as_json)
    if not as_json:
        summary = payload["summary"]
        typer.echo(
            f"{payload['chain']['title_text']} ({payload['region']}): "
            + ", ".join(f"{k} {v}" for k, v in summary.items())
        )
        typer.echo(
            f"weak links {len(payload['weak_links'])}, leaders {len(payload['leaders'])}, "
            f"candidates {len(payload['candidates'])}, consortium {'yes' if payload['consortium'] else 'no'}"
        )


@app.command("gaps")
def gaps(
    ctx: typer.Context,
    root: str = typer.Argument(..., help=ROOT_HELP),
    region: str | None = typer.Option(None, "--region", help=REGION_HELP),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Weak links of the chain in a region: no producer, a single producer, no local research."""
    payload = _report(ctx, root, region, "gaps", as_json)
    if not as_json:
        for w in payload["weak_links"]:
            typer.echo(f"{w['score']:.3f}  {w['kind']:<15} {w['name']}: {w['reason']}")


@app.command("leaders")
def leaders(
    ctx: typer.Context,
    root: str = typer.Argument(..., help=ROOT_HELP),
    region: str | None = typer.Option(None, "--region", help=REGION_HELP),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Chain leaders of the region by revenue-weighted centrality."""
    payload = _report(ctx, root, region, "leaders", as_json)
    if not as_json:
        for ld in payload["leaders"]:
            nodes = ", ".join(n["name"] for n in ld["nodes"][:5])
            typer.echo(f"{ld['score']:.3f}  {ld['name']}: {nodes}")


@app.command("attract")
def attract(
    ctx: typer.Context,
    root: str = typer.Argument(..., help=ROOT_HELP),
    region: str | None = typer.Option(None, "--region", help=REGION_HELP),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Out-of-region enterprises that would fill the chain's gaps, ranked, with why."""
    payload = _report(ctx, root, region, "attract", as_json)
    if not as_json:
        for c in payload["candidates"]:
            typer.echo(f"{c['score']:.3f}  {c['name']} ({c['province_code']}): {', '.join(c['fills'][:5])}")


@app.command("consortium")
def consortium(
    ctx: typer.Context,
    root: str = typer.Argument(..., help=ROOT_HELP),
    leader: str = typer.Option(..., "--leader", help="the leading enterprise: organization id or name"),
    region: str | None = typer.Option(
        None, "--region", help="code (21, 2102) or name (辽宁, 大连, Dalian); default: the leader's province"
    ),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """A draft innovation consortium around a leader: institutions, experts, up- and downstream firms."""
    with session_scope(settings_of(ctx).database_url) as session:
        where = service.read_region(session, region, "") or None
        payload = asdict(service.consortium(session, viewer=SYSTEM, root=root, leader=leader, region=where))
    if as_json:
        print_json(payload)
        return
    typer.echo(f"{payload['leader_name']} — {', '.join(payload['targets'])}")
    for m in payload["members"]:
        typer.echo(f"  {m['role']:<12} {m['name']}: {m['reasons'][0]}")
