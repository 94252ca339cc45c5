"""Audit capture: an `after_flush` listener turns every ORM insert, update and delete into an entry, and `record`
writes explicit ones (imports with their counts, merges, role changes). Reads are never audited.

The acting user comes from `session.info["actor"]` when a caller set it, else from the context (`acting_as`): the
web binds it per request from the signed session, the CLI binds the OS user. Core bulk writes (imports) bypass
ORM events on purpose; their import run's entry covers them.
"""

from __future__ import annotations

import getpass
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

import yaml
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from techbridge.access import Viewer
from techbridge.audit import queries
from techbridge.audit.queries import AuditFilter
from techbridge.db import Base
from techbridge.errors import InvalidDataError
from techbridge.models import AuditAction, AuditEntry
from techbridge.models.base import utcnow
from techbridge.registry.pickers import KINDS, pick_label, resolve_pick

if TYPE_CHECKING:
    from techbridge.imports.schemas import ImportSummary

LABEL_FIELDS = ("username", "title", "name", "fact")
SECRET_FIELDS = frozenset({"password_hash"})


@dataclass(frozen=True)
class Actor:
    """Who acts: a signed-in user (id and name) or a named process."""

    user_id: int | None = None
    name: str = "system"


SYSTEM_ACTOR = Actor()
_current: ContextVar[Actor] = ContextVar("techbridge_audit_actor", default=SYSTEM_ACTOR)


@contextmanager
def acting_as(actor: Actor) -> Iterator[None]:
    """Attribute every write in this block (this thread or task) to `actor`."""
    token = _current.set(actor)
    try:
        yield
    finally:
        _current.reset(token)


def set_process_actor(actor: Actor) -> None:
    """Attribute the writes of this whole process (the CLI) to `actor`."""
    _current.set(actor)


def cli_actor() -> Actor:
    """The CLI's actor: the operating-system user."""
    try:
        return Actor(name=f"cli:{getpass.getuser()}")
    except (KeyError, OSError):
        return Actor(name="cli")


def current_actor(session: Session) -> Actor:
    """The actor of `session`'s writes."""
    actor = session.info.get("actor")
    return actor if isinstance(actor, Actor) else _current.get()


@lru_cache(maxsize=1)
def unaudited_tables() -> frozenset[str]:
    """Tables whose ORM writes are not audited row by row (`data/audit/unaudited.yaml`)."""
    text = (resources.files("techbridge") / "data" / "audit" / "unaudited.yaml").read_text(encoding="utf-8")
    return frozenset(yaml.safe_load(text)["tables"])


def record(
    *, session: Session, action: AuditAction, entity: str, entity_id: object = "", details: dict[str, Any] | None = None
) -> None:
    """Write one explicit entry (import, merge, role change) in the session's transaction."""
    queries.insert_entries(session, [_row(current_actor(session), action, entity, entity_id, details or {})])


def audited_tables() -> list[str]:
    """The tables the log can hold entries about: every table but the unaudited, and import runs (explicit)."""
    return sorted({*Base.metadata.tables, "import_runs"} - (unaudited_tables() - {"import_runs"}))


def record_kind(table: str) -> str | None:
    """The picker that names a record of `table` (`registry.pickers.KINDS`), or None when its records have no name
    people know them by (their key is typed instead)."""
    kinds = {spec.model.__tablename__: kind for kind, spec in KINDS.items() if kind != "enterprise"}
    return kinds.get(table)


def resolve_filter(
    *, session: Session, viewer: Viewer, actor: str, action: str, entity: str, record: str
) -> AuditFilter:
    """The filter a person typed or picked: the actor a user by name (「张三 [#12]」, an account or display name) or
    a process named in the log (cli:root, system); the record by name through the table's picker, or by its key
    (digits: a deleted record, a table whose records have no name). A name that names nothing is an
    InvalidDataError on its field."""
    actor, record = actor.strip(), record.strip()
    actor_id, actor_name = None, ""
    if actor:
        try:
            actor_id = resolve_pick(session, viewer, "user", actor, "actor")
        except InvalidDataError:
            if not queries.has_actor(session, actor):
                raise
            actor_name = actor
    kind, entity_id = record_kind(entity), record
    if record and kind is not None and not record.isdigit():
        entity_id = str(resolve_pick(session, viewer, kind, record, "record"))
    elif record and not entity and not record.replace(",", "").isdigit():
        raise InvalidDataError(
            "choose the table first to pick a record by name",
            location=("record",),
            message_zh="请先选择数据表，再按名称选择记录",
        )
    return AuditFilter(actor=actor_name, actor_id=actor_id, action=action, entity=entity, entity_id=entity_id)


def record_label(*, session: Session, viewer: Viewer, entity: str, entity_id: str) -> str:
    """What the record field shows for a key (an older link's `entity_id`): 「名称 [#id]」 when the table's picker
    names the record, else the key."""
    kind = record_kind(entity)
    if kind is None or not entity_id.isdigit():
        return entity_id
    return pick_label(session, viewer, kind, int(entity_id)) or entity_id


def list_audit(*, session: Session, spec: AuditFilter, page: int, size: int) -> tuple[list[AuditEntry], int]:
    """One page of the log, newest first, and the number of matching entries."""
    return queries.list_entries(session, spec, offset=(max(page, 1) - 1) * size, limit=size)


def install() -> None:
    """Register the flush listener on every Session (idempotent)."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)


def _row(actor: Actor, action: AuditAction, entity: str, entity_id: object, details: dict[str, Any]) -> dict[str, Any]:
    return {
        "at": utcnow(),
        "actor_id": actor.user_id,
        "actor": actor.name[:128],
        "action": action.value,
        "entity": entity[:64],
        "entity_id": str(entity_id)[:64],
        "details": details,
    }


def _after_flush(session: Session, _context: Any) -> None:
    if session.info.get("audit") is False:
        return
    actor = current_actor(session)
    skip = unaudited_tables()
    rows = [
        *_rows(actor, AuditAction.CREATE, session.new, skip),
        *_rows(actor, AuditAction.UPDATE, (o for o in session.dirty if session.is_modified(o)), skip),
        *_rows(actor, AuditAction.DELETE, session.deleted, skip),
    ]
    queries.insert_entries(session, rows)


def _rows(
    actor: Actor, action: AuditAction, objects: Iterable[object], skip: frozenset[str]
) -> Iterator[dict[str, Any]]:
    for obj in objects:
        table = getattr(obj, "__tablename__", "")
        if not table or table in skip:
            continue
        state = inspect(obj)
        key = ",".join(str(part) for part in state.mapper.primary_key_from_instance(obj))
        yield _row(actor, action, table, key, _details(obj, action))


def _details(obj: object, action: AuditAction) -> dict[str, Any]:
    state = inspect(obj)
    details: dict[str, Any] = {}
    label = next((getattr(obj, name) for name in LABEL_FIELDS if isinstance(getattr(obj, name, None), str)), None)
    if label:
        details["label"] = label[:120]
    if action is AuditAction.UPDATE:
        details["fields"] = sorted(
            attr.key for attr in state.attrs if attr.key not in SECRET_FIELDS and attr.history.has_changes()
        ) + sorted(SECRET_FIELDS & {attr.key for attr in state.attrs if attr.history.has_changes()})
    return details


MERGE_SAMPLE = 20  # merges listed in the entry; the full list is in the merge report


def record_import(*, session: Session, run_id: int, summary: ImportSummary, counts: dict[str, Any]) -> None:
    """One `import` entry per import run with its counts, and one `merge` entry when it merged organizations."""
    record(
        session=session,
        action=AuditAction.IMPORT,
        entity="import_runs",
        entity_id=run_id,
        details={"source": summary.source, "path": summary.path[-200:], "counts": counts},
    )
    if summary.merges:
        sample = [{"name": m.name, "into": m.organization_id, "rule": m.rule} for m in summary.merges[:MERGE_SAMPLE]]
        details = {"count": len(summary.merges), "report": summary.report_path or "", "merges": sample}
        record(session=session, action=AuditAction.MERGE, entity="organizations", entity_id="", details=details)
