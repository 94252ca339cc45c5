"""`techbridge transfers …`: Transfer pipeline cases and contracts.

Commands act as the system administrator unless `--as USERNAME` names a user (a broker then sees only their
cases). Every change is recorded as an event with the acting user's name.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer
from sqlalchemy.orm import Session

from techbridge.access import SYSTEM, Viewer
from techbridge.accounts.service import viewer_for
from techbridge.cli.context import AS_OPTION, acting_user, cli_lang, print_json, settings_of
from techbridge.db import session_scope
from techbridge.models import Stage, TransferCase
from techbridge.transfers.contracts import ContractsRejectedError, import_contracts_file
from techbridge.transfers.demo import DEFAULT_SEED, load_demo
from techbridge.transfers.pipeline import CaseCreate, add_note, advance_case, close_case, create_case
from techbridge.transfers.schemas import RowError
from techbridge.transfers.service import case_history, list_case_views, load_bottlenecks, publish_capacity

app = typer.Typer(help="Transfer pipeline cases and contracts.", no_args_is_help=True)
case_app = typer.Typer(help="Transfer cases: create, advance, close, show, list.", no_args_is_help=True)
contracts_app = typer.Typer(help="Technology contracts: import from registration-office CSVs.", no_args_is_help=True)
app.add_typer(case_app, name="case")
app.add_typer(contracts_app, name="contracts")


def _actor(session: Session, username: str | None) -> tuple[Viewer, str]:
    if not username:
        return SYSTEM, "system"
    user = acting_user(session, username)
    return viewer_for(user), user.display_name or user.username


def case_dict(case: TransferCase) -> dict[str, Any]:
    """A case as JSON."""
    return {
        "id": case.id,
        "title": case.title,
        "stage": case.stage,
        "achievement_id": case.achievement_id,
        "demand_id": case.demand_id,
        "counterpart_id": case.counterpart_id,
        "counterpart_name": case.counterpart_name,
        "broker_id": case.broker_id,
        "closing_reason": case.closing_reason,
        "field": case.field,
        "city_code": case.city_code,
        "stage_entered_at": case.stage_entered_at.isoformat(),
        "is_demo": case.is_demo,
    }


@case_app.command("create")
def create(
    ctx: typer.Context,
    title: str = typer.Option(..., "--title"),
    achievement: int | None = typer.Option(None, "--achievement", help="achievement id"),
    demand: int | None = typer.Option(None, "--demand", help="demand id"),
    counterpart: int | None = typer.Option(None, "--counterpart", help="counterpart organization id"),
    counterpart_name: str = typer.Option("", "--counterpart-name"),
    broker: int | None = typer.Option(None, "--broker", help="broker user id"),
    field: str = typer.Option("", "--field"),
    city: str | None = typer.Option(None, "--city", help="city code (4 or 6 digits)"),
    note: str = typer.Option("", "--note"),
    as_user: str | None = AS_OPTION,
) -> None:
    """Open a case at stage `matched`; prints it as JSON."""
    with session_scope(settings_of(ctx).database_url) as session:
        viewer, name = _actor(session, as_user)
        data = CaseCreate(
            title=title,
            achievement_id=achievement,
            demand_id=demand,
            counterpart_id=counterpart,
            counterpart_name=counterpart_name,
            broker_id=broker,
            field=field,
            city_code=city,
            note=note,
        )
        case = create_case(session=session, data=data, viewer=viewer, actor_name=name)
        print_json(case_dict(case))


@case_app.command("advance")
def advance(
    ctx: typer.Context,
    case_id: int = typer.Argument(...),
    to: Stage | None = typer.Option(None, "--to", help="target stage (default: the next one)"),
    skip: bool = typer.Option(False, "--skip", help="record skipping the stages in between (needs --reason)"),
    reason: str = typer.Option("", "--reason", help="why stages are skipped"),
    note: str = typer.Option("", "--note"),
    as_user: str | None = AS_OPTION,
) -> None:
    """Move a case to the next stage, or to --to (skipping only with --skip --reason)."""
    with session_scope(settings_of(ctx).database_url) as session:
        viewer, name = _actor(session, as_user)
        case = advance_case(
            session=session, case_id=case_id, viewer=viewer, to=to, skip=skip, reason=reason, note=note, actor_name=name
        )
        print_json(case_dict(case))


@case_app.command("close")
def close(
    ctx: typer.Context,
    case_id: int = typer.Argument(...),
    reason: str = typer.Option(..., "--reason", help="price | ip | capacity | lost_contact | … (stages.yaml)"),
    note: str = typer.Option("", "--note"),
    as_user: str | None = AS_OPTION,
) -> None:
    """Close a case with a reason."""
    with session_scope(settings_of(ctx).database_url) as session:
        viewer, name = _actor(session, as_user)
        case = close_case(session=session, case_id=case_id, viewer=viewer, reason=reason, note=note, actor_name=name)
        print_json(case_dict(case))


@case_app.command("note")
def note_command(
    ctx: typer.Context,
    case_id: int = typer.Argument(...),
    text: str = typer.Option(..., "--text"),
    as_user: str | None = AS_OPTION,
) -> None:
    """Add a note to a case."""
    with session_scope(settings_of(ctx).database_url) as session:
        viewer, name = _actor(session, as_user)
        event = add_note(session=session, case_id=case_id, viewer=viewer, note=text, actor_name=name)
        print_json({"id": event.id, "case_id": event.case_id, "note": event.note})


@case_app.command("show")
def show(ctx: typer.Context, case_id: int = typer.Argument(...), as_user: str | None = AS_OPTION) -> None:
    """A case with its events (who, when, from → to, note)."""
    with session_scope(settings_of(ctx).database_url) as session:
        viewer, _ = _actor(session, as_user)
        case, events = case_history(session=session, case_id=case_id, viewer=viewer)
        payload = case_dict(case)
        payload["events"] = [
            {
                "kind": e.kind,
                "from": e.from_stage,
                "to": e.to_stage,
                "at": e.at.isoformat(),
                "by": e.actor_name,
                "note": e.note,
                "reason": e.reason,
                "skipped": e.skipped,
            }
            for e in events
        ]
        print_json(payload)


@case_app.command("list")
def list_command(
    ctx: typer.Context,
    overdue: bool = typer.Option(False, "--overdue", help="only overdue cases"),
    as_user: str | None = AS_OPTION,
) -> None:
    """The cases the user sees (officers: all; brokers: theirs), overdue first, with next actions; JSON."""
    with session_scope(settings_of(ctx).database_url) as session:
        viewer, _ = _actor(session, as_user)
        views = list_case_views(session=session, viewer=viewer, lang=cli_lang(), only_overdue=overdue)
        print_json(
            [
                {
                    **case_dict(v.case),
                    "overdue": v.overdue,
                    "days_in_stage": v.days_in_stage,
                    "next_action": v.next_action,
                }
                for v in views
            ]
        )


@app.command("bottlenecks")
def bottlenecks(
    ctx: typer.Context,
    by: str | None = typer.Option(None, "--by", help="field | city | owner_kind | broker"),
    demo: bool = typer.Option(False, "--demo", help="analyse the demonstration cases"),
) -> None:
    """Funnel, stage conversion, days in stage and closing reasons (JSON)."""
    with session_scope(settings_of(ctx).database_url) as session:
        groups = load_bottlenecks(session=session, by=by, demo=demo)
    print_json(
        [
            {
                "group": g.group,
                "cases": g.cases,
                "worst_stage": g.worst_stage,
                "closing_reasons": dict(g.closing_reasons),
                "stages": [
                    {
                        "stage": s.stage,
                        "reached": s.reached,
                        "conversion_to_next": s.conversion_to_next,
                        "median_days": s.median_days,
                        "mean_days": s.mean_days,
                        "closed_here": s.closed_here,
                    }
                    for s in g.stages
                ],
            }
            for g in groups
        ]
    )


@contracts_app.command("import")
def import_contracts(
    ctx: typer.Context,
    path: Path = typer.Argument(..., help="contracts file in the import format (CSV in UTF-8 or GBK, or XLSX)"),
    as_user: str | None = AS_OPTION,
) -> None:
    """Import contracts, all or nothing: any bad row rejects the whole file (exit 1) and every error is listed on
    stderr with its row, column and reason; warnings go to stderr too, a JSON summary to stdout."""
    lang = cli_lang()
    try:
        with session_scope(settings_of(ctx).database_url) as session:
            viewer, _ = _actor(session, as_user)
            report = import_contracts_file(session=session, path=path, viewer=viewer)
    except ContractsRejectedError as exc:
        _write_rows(path, exc.errors, "row rejected", lang)
        _write_rows(path, exc.warnings, "warning", lang)
        print_json(
            {
                "rejected": True,
                "created": 0,
                "updated": 0,
                "rejected_rows": exc.rejected_rows,
                "errors": [{"row": e.row, "column": e.column, "message": e.render(lang)} for e in exc.errors],
                "warnings": len(exc.warnings),
            }
        )
        raise
    _write_rows(path, report.warnings, "warning", lang)
    print_json(
        {
            "rejected": False,
            "created": report.created,
            "updated": report.updated,
            "rejected_rows": [],
            "warnings": len(report.warnings),
            "linked_parties": report.linked_parties,
        }
    )


def _write_rows(path: Path, rows: list[RowError], verdict: str, lang: str) -> None:
    for row in rows:
        sys.stderr.write(f"{path}: {row.render(lang)} ({verdict})\n")


@app.command("demo")
def demo(ctx: typer.Context, seed: int = typer.Option(DEFAULT_SEED, "--seed")) -> None:
    """Load the labelled demonstration set (演示数据); does nothing when real contracts or the set exist."""
    with session_scope(settings_of(ctx).database_url) as session:
        created = load_demo(session=session, seed=seed)
    print_json({"demo_contracts_created": created})


@app.command("pilot-capacity")
def pilot_capacity(
    ctx: typer.Context,
    organization: int = typer.Option(..., "--org", help="the pilot base (carrier of type pilot_base)"),
    fields: str = typer.Option(..., "--fields", help="fields served, comma-separated"),
    trl_min: int = typer.Option(4, "--trl-min"),
    trl_max: int = typer.Option(7, "--trl-max"),
    equipment: str = typer.Option("", "--equipment"),
    price: str = typer.Option("", "--price", help="price terms as published"),
    as_user: str | None = AS_OPTION,
) -> None:
    """Publish a pilot base's capacity (fields, TRL range, equipment, price)."""
    with session_scope(settings_of(ctx).database_url) as session:
        viewer, _ = _actor(session, as_user)
        capacity = publish_capacity(
            session=session,
            viewer=viewer,
            organization_id=organization,
            fields=fields.split(","),
            trl_min=trl_min,
            trl_max=trl_max,
            equipment=equipment,
            price=price,
        )
        print_json(
            {
                "id": capacity.id,
                "organization_id": capacity.organization_id,
                "fields": capacity.fields,
                "trl": [capacity.trl_min, capacity.trl_max],
            }
        )
