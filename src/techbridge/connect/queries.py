"""Every select of the connect package: requests by box, a request's thread, counts for limits and the dashboard."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from techbridge.access import Viewer
from techbridge.models import ConnectMessage, ConnectRequest, ConnectStatus, TransferCase


def inbox_clause(viewer: Viewer) -> ColumnElement[bool]:
    """Requests the viewer answers: to them as owner, to them as broker, and (officers) those with no owning user."""
    clauses = [ConnectRequest.owner_id == viewer.user_id, ConnectRequest.broker_id == viewer.user_id]
    if viewer.is_privileged:
        clauses.append(ConnectRequest.owner_id.is_(None))
    return or_(*clauses)


def _box_clause(viewer: Viewer, box: str) -> ColumnElement[bool]:
    return inbox_clause(viewer) if box == "in" else ConnectRequest.requester_id == viewer.user_id


def list_requests(session: Session, viewer: Viewer, *, box: str, limit: int, offset: int) -> list[ConnectRequest]:
    """The viewer's incoming (`in`) or sent (`out`) requests, newest first."""
    stmt = select(ConnectRequest).where(_box_clause(viewer, box)).order_by(ConnectRequest.id.desc())
    return list(session.scalars(stmt.limit(limit).offset(offset)))


def count_requests(session: Session, viewer: Viewer, *, box: str) -> int:
    """How many requests `list_requests` would list without a limit."""
    stmt = select(func.count()).select_from(ConnectRequest).where(_box_clause(viewer, box))
    return int(session.scalar(stmt) or 0)


def count_open_incoming(session: Session, viewer: Viewer) -> int:
    """Open requests waiting for the viewer's answer."""
    stmt = (
        select(func.count())
        .select_from(ConnectRequest)
        .where(inbox_clause(viewer), ConnectRequest.status == ConnectStatus.OPEN)
    )
    return int(session.scalar(stmt) or 0)


def count_sent_since(session: Session, requester_id: int, since: datetime) -> int:
    """How many requests a user sent since a moment (the daily limit)."""
    stmt = (
        select(func.count())
        .select_from(ConnectRequest)
        .where(ConnectRequest.requester_id == requester_id, ConnectRequest.created_at >= since)
    )
    return int(session.scalar(stmt) or 0)


def open_duplicate(session: Session, requester_id: int, entity: str, record_id: int) -> ConnectRequest | None:
    """The requester's open request on the same record, if any."""
    stmt = select(ConnectRequest).where(
        and_(
            ConnectRequest.requester_id == requester_id,
            ConnectRequest.entity == entity,
            ConnectRequest.record_id == record_id,
            ConnectRequest.status == ConnectStatus.OPEN,
        )
    )
    return session.scalars(stmt).first()


def thread(session: Session, request_id: int) -> list[ConnectMessage]:
    """The messages of one request, oldest first."""
    stmt = select(ConnectMessage).where(ConnectMessage.request_id == request_id).order_by(ConnectMessage.id)
    return list(session.scalars(stmt))


def open_case_broker(session: Session, entity: str, record_id: int) -> int | None:
    """The broker of the newest case about this achievement or demand (who then answers for its owner)."""
    column = {"achievement": TransferCase.achievement_id, "demand": TransferCase.demand_id}.get(entity)
    if column is None:
        return None
    stmt = (
        select(TransferCase.broker_id)
        .where(column == record_id, TransferCase.broker_id.is_not(None))
        .order_by(TransferCase.id.desc())
        .limit(1)
    )
    return session.scalar(stmt)


def all_requests(session: Session, since: datetime | None = None) -> list[ConnectRequest]:
    """Every request (the officer's dashboard figures), optionally since a moment."""
    stmt = select(ConnectRequest)
    if since is not None:
        stmt = stmt.where(ConnectRequest.created_at >= since)
    return list(session.scalars(stmt))


def open_unanswered(session: Session) -> list[ConnectRequest]:
    """Open requests without a first answer."""
    stmt = select(ConnectRequest).where(
        ConnectRequest.status == ConnectStatus.OPEN, ConnectRequest.first_answer_at.is_(None)
    )
    return list(session.scalars(stmt))
