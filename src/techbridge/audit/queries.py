"""Writes and reads of `audit_entries` (Core insert inside the caller's transaction; filtered, paged reads)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, insert, select
from sqlalchemy.orm import Session

from techbridge.models import AuditEntry


@dataclass(frozen=True)
class AuditFilter:
    """What to show: any combination of actor (a user's id, or the name of a process such as cli:root), action,
    table, record key and a start time."""

    actor: str = ""
    actor_id: int | None = None
    action: str = ""
    entity: str = ""
    entity_id: str = ""
    since: datetime | None = None


def insert_entries(session: Session, rows: list[dict[str, Any]]) -> None:
    """Write entries on the session's connection (no ORM flush, so it is safe inside flush events)."""
    if rows:
        session.connection().execute(insert(AuditEntry), rows)


def _where(spec: AuditFilter) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = []
    if spec.actor_id is not None:
        clauses.append(AuditEntry.actor_id == spec.actor_id)
    if spec.actor:
        clauses.append(AuditEntry.actor == spec.actor)
    if spec.action:
        clauses.append(AuditEntry.action == spec.action)
    if spec.entity:
        clauses.append(AuditEntry.entity == spec.entity)
    if spec.entity_id:
        clauses.append(AuditEntry.entity_id == spec.entity_id)
    if spec.since is not None:
        clauses.append(AuditEntry.at >= spec.since)
    return clauses


def list_entries(session: Session, spec: AuditFilter, *, offset: int, limit: int) -> tuple[list[AuditEntry], int]:
    """The newest entries matching `spec` (one page) and how many match in all."""
    where = _where(spec)
    total = session.scalar(select(func.count(AuditEntry.id)).where(*where)) or 0
    stmt = select(AuditEntry).where(*where).order_by(AuditEntry.id.desc()).offset(offset).limit(limit)
    return list(session.scalars(stmt)), int(total)


def has_actor(session: Session, name: str) -> bool:
    """Whether some entry names `name` as its actor (a process, or a user since deleted)."""
    return session.scalar(select(AuditEntry.id).where(AuditEntry.actor == name).limit(1)) is not None
