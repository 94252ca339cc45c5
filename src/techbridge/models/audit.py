"""The audit log (who, when, what of every write, import, merge and role change) and failed sign-ins."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, DateTime, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from techbridge.db import Base
from techbridge.models.base import utcnow


class AuditAction(StrEnum):
    """What happened: a row written through the ORM, or an explicitly recorded operation."""

    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    IMPORT = "import"
    MERGE = "merge"
    ROLE = "role"


class AuditEntry(Base):
    """One audited change: when, by whom (user id and name, or the CLI OS user), what (action, table, key, details)."""

    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entries_entity_entity_id", "entity", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    actor: Mapped[str] = mapped_column(String(128), default="")
    action: Mapped[AuditAction] = mapped_column(String(16), index=True)
    entity: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[str] = mapped_column(String(64), default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class LoginFailure(Base):
    """One failed sign-in, counted per account name and per client address (kind) to throttle guessing."""

    __tablename__ = "login_failures"
    __table_args__ = (Index("ix_login_failures_kind_key_at", "kind", "key", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(String(255))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
