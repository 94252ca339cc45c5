"""Reads of users."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from techbridge.models import User


def get_user_by_username(session: Session, username: str) -> User | None:
    """The user with this username, or None."""
    return session.scalars(select(User).where(User.username == username)).first()


def list_users(session: Session) -> list[User]:
    """All users by username."""
    return list(session.scalars(select(User).order_by(User.username)))
