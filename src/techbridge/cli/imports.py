"""`techbridge import …`: import a built-in source (`import SOURCE [PATH]`), everything (`import all`), a user's
spreadsheet (`import file ENTITY PATH --mapping M`) or write a template (`import template ENTITY`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from techbridge.access import Viewer
from techbridge.cli.context import acting_viewer, cli_lang, print_json, settings_of
from techbridge.config import Settings
from techbridge.db import session_scope
from techbridge.imports.schemas import ImportSummary

app = typer.Typer(help="Import sources and spreadsheets into the registry.", no_args_is_help=True)

JSON_OPTION = typer.Option(False, "--json", help="print the summary as JSON")
QUIET_OPTION = typer.Option(False, "--quiet", "-q", help="no progress bar")


def echo_summary(summary: ImportSummary, *, as_json: bool) -> None:
    """Print the counts, merges and rejections of one run (text or JSON)."""
    if as_json:
        print_json(summary.as_dict())
        return
    zh = cli_lang() == "zh"
    counts = ", ".join(f"{k}={v:,}" for k, v in sorted(summary.counts.items()))
    typer.echo(f"{summary.source}: {counts} ({summary.seconds:.1f}s)")
    label = ("合并", "拒绝") if zh else ("merges", "rejections")
    typer.echo(f"  {label[0]}={len(summary.merges):,} {label[1]}={len(summary.rejections):,}")
    if summary.report_path:
        typer.echo(f"  {'合并报告' if zh else 'merge report'}: {summary.report_path}")
    for error in summary.rejections[:5]:
        typer.echo("  - " + (error.message_zh if zh else error.message), err=True)


def _make_source_command(name: str) -> Any:
    def command(
        ctx: typer.Context,
        path: Path | None = typer.Argument(None, help="file or folder (default: under the data folder)"),
        as_json: bool = JSON_OPTION,
        quiet: bool = QUIET_OPTION,
    ) -> None:
        from techbridge.imports.service import import_source

        echo_summary(import_source(settings_of(ctx), name, path, show_progress=not quiet), as_json=as_json)

    command.__doc__ = f"Import the {name} source (one transaction; re-running it is idempotent)."
    return command


def _register_sources() -> None:
    from techbridge.imports.service import sources

    for name in sources():
        app.command(name)(_make_source_command(name))


@app.command("all")
def import_everything(ctx: typer.Context, as_json: bool = JSON_OPTION, quiet: bool = QUIET_OPTION) -> None:
    """Import every built-in source found under the data folder, each in its own transaction."""
    from techbridge.imports.service import import_all

    summaries = import_all(settings_of(ctx), show_progress=not quiet)
    if as_json:
        print_json([s.as_dict() for s in summaries])
        return
    for summary in summaries:
        echo_summary(summary, as_json=False)


def _uploader(settings: Settings, username: str | None) -> Viewer | None:
    """The user `--as` names (an unknown name is an error), or None for the operator's trusted import."""
    if not username:
        return None
    with session_scope(settings.database_url) as session:
        return acting_viewer(session, username)


@app.command("file")
def import_file(
    ctx: typer.Context,
    entity: str = typer.Argument(
        ..., help="organization | expert | achievement | demand | chain_edge (or enterprise, university, patent …)"
    ),
    path: Path = typer.Argument(..., help="CSV (UTF-8, UTF-8 BOM, GBK), XLSX or JSON Lines file"),
    mapping: Path | None = typer.Option(None, "--mapping", "-m", help="column-mapping YAML (default: shipped)"),
    dataset: str | None = typer.Option(None, "--dataset", help="provenance dataset (default: file:<name>)"),
    visibility: str | None = typer.Option(
        None, "--visibility", help="public | registered | owner (achievements, experts, demands; default public)"
    ),
    as_user: str | None = typer.Option(
        None, "--as", help="import as this username: they own the records and the portal's upload rules apply"
    ),
    as_json: bool = JSON_OPTION,
    quiet: bool = QUIET_OPTION,
) -> None:
    """Import a spreadsheet; any bad row rejects the whole file and every error is listed.

    Without `--as` the operator imports trusted data (no owner); with `--as USERNAME` the file is imported as that
    user exactly as an upload on the portal would be."""
    from techbridge.imports.spreadsheet import ImportRejectedError, import_spreadsheet

    settings = settings_of(ctx)
    try:
        summary = import_spreadsheet(
            settings,
            entity,
            path,
            mapping_path=mapping,
            dataset=dataset,
            show_progress=not quiet,
            uploader=_uploader(settings, as_user),
            visibility=visibility,
        )
    except ImportRejectedError as exc:
        zh = cli_lang() == "zh"
        if as_json:
            print_json({"rejected": True, "errors": [e.as_dict() for e in exc.errors]})
        for error in exc.errors:
            typer.echo(error.message_zh if zh else error.message, err=True)
        raise
    echo_summary(summary, as_json=as_json)


@app.command("template")
def write_template(
    entity: str = typer.Argument(..., help="entity type"),
    output: Path | None = typer.Option(None, "--output", "-o", help=".csv or .xlsx (default: print CSV)"),
) -> None:
    """Write a blank template (header plus one example row) for ENTITY."""
    from techbridge.imports.carriers import template_spec
    from techbridge.imports.mapping import template_csv, template_xlsx

    spec = template_spec(entity)
    if output is None:
        typer.echo(template_csv(spec), nl=False)
    elif output.suffix.lower() == ".xlsx":
        output.write_bytes(template_xlsx(spec))
    else:
        output.write_text(template_csv(spec), encoding="utf-8-sig")


_register_sources()
