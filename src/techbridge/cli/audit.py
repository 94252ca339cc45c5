"""`techbridge audit`: read the audit log (newest first, filters, `--json`); binds the CLI's actor."""

from __future__ import annotations

from datetime import datetime

import typer

from techbridge.audit.queries import AuditFilter
from techbridge.audit.service import cli_actor, install, list_audit, set_process_actor
from techbridge.cli.context import print_json, settings_of
from techbridge.db import session_scope


def bind_cli_actor() -> None:
    """Audit every write of this CLI process, attributed to the OS user."""
    install()
    set_process_actor(cli_actor())


def show(
    ctx: typer.Context,
    actor: str = typer.Option("", help="only this actor (user name, or cli:<os user>)"),
    action: str = typer.Option("", help="create | update | delete | import | merge | role"),
    entity: str = typer.Option("", help="only this table, e.g. achievements"),
    entity_id: str = typer.Option("", "--id", help="only this record key"),
    since: datetime | None = typer.Option(None, help="only entries at or after this time (ISO)"),
    limit: int = typer.Option(50, min=1, max=10000, help="entries to show"),
    as_json: bool = typer.Option(False, "--json", help="machine-readable output"),
) -> None:
    """The audit log: who did what, when (newest first)."""
    spec = AuditFilter(actor=actor, action=action, entity=entity, entity_id=entity_id, since=since)
    with session_scope(settings_of(ctx).database_url) as session:
        entries, total = list_audit(session=session, spec=spec, page=1, size=limit)
        rows = [
            {
                "id": e.id,
                "at": e.at.isoformat(),
                "actor": e.actor,
                "actor_id": e.actor_id,
                "action": e.action,
                "entity": e.entity,
                "entity_id": e.entity_id,
                "details": e.details,
            }
            for e in entries
        ]
    if as_json:
        print_json({"total": total, "entries": rows})
        return
    for row in rows:
        typer.echo(
            f"{row['at']}\t{row['actor']}\t{row['action']}\t{row['entity']}\t{row['entity_id']}\t{row['details']}"
        )
