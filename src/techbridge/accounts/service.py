"""Create users and check passwords (argon2id)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.orm import Session

from techbridge.access import Viewer
from techbridge.accounts.queries import get_user_by_username
from techbridge.audit.service import record
from techbridge.errors import ConflictError, InvalidDataError, NotFoundError
from techbridge.models import AuditAction, Role, User

_hasher = PasswordHasher()
MIN_PASSWORD_LENGTH = 8


def hash_password(password: str) -> str:
    """An argon2id hash of `password`."""
    return _hasher.hash(password)


def create_user(
    *,
    session: Session,
    username: str,
    password: str,
    role: Role,
    display_name: str = "",
    organization_id: int | None = None,
) -> User:
    """Add a user; refuses duplicates and short passwords."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidDataError(
            f"password must have at least {MIN_PASSWORD_LENGTH} characters",
            location=("password",),
            message_zh=f"密码至少 {MIN_PASSWORD_LENGTH} 个字符",
        )
    if get_user_by_username(session, username) is not None:
        raise ConflictError(f"user {username!r} exists", message_zh=f"用户名 {username} 已存在")
    user = User(
        username=username,
        password_hash=hash_password(password),
        role=role,
        display_name=display_name or username,
        organization_id=organization_id,
    )
    session.add(user)
    session.flush()
    return user


def authenticate(*, session: Session, username: str, password: str) -> User | None:
    """The active user whose password matches, else None (same answer for unknown users)."""
    user = get_user_by_username(session, username)
    if user is None or not user.is_active:
        _hasher.hash(password)  # equalise timing with the found-user path
        return None
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    return user


def viewer_for(user: User | None) -> Viewer:
    """The Viewer a signed-in user (or nobody) acts as."""
    if user is None:
        return Viewer()
    return Viewer(user_id=user.id, role=Role(user.role), organization_id=user.organization_id)


def set_role(*, session: Session, username: str, role: Role) -> User:
    """Change a user's role, recorded in the audit log as a role change (old → new)."""
    user = get_user_by_username(session, username)
    if user is None:
        raise NotFoundError(f"no user {username!r}", message_zh=f"用户 {username} 不存在")
    before = Role(user.role)
    user.role = role
    session.flush()
    record(
        session=session,
        action=AuditAction.ROLE,
        entity="users",
        entity_id=user.id,
        details={"label": user.username, "from": before.value, "to": Role(role).value},
    )
    return user
