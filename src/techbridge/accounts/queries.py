"""Reads of users."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from techbridge.models import LoginFailure, User


def get_user_by_username(session: Session, username: str) -> User | None:
    """The user with this username, or None."""
    return session.scalars(select(User).where(User.username == username)).first()


def list_users(session: Session) -> list[User]:
    """All users by username."""
    return list(session.scalars(select(User).order_by(User.username)))


def count_login_failures(session: Session, kind: str, key: str, since: datetime) -> tuple[int, datetime | None]:
    """How many failed sign-ins of (kind, key) since `since`, and the latest one's time."""
    row = session.execute(
        select(func.count(LoginFailure.id), func.max(LoginFailure.at)).where(
            LoginFailure.kind == kind, LoginFailure.key == key, LoginFailure.at >= since
        )
    ).one()
    return int(row[0]), row[1]


def delete_login_failures(session: Session, kind: str, key: str, before: datetime | None = None) -> None:
    """Forget the failed sign-ins of (kind, key) (only those before `before` when given)."""
    stmt = delete(LoginFailure).where(LoginFailure.kind == kind, LoginFailure.key == key)
    if before is not None:
        stmt = stmt.where(LoginFailure.at < before)
    session.execute(stmt)
