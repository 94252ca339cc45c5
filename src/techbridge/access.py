"""Who is looking: the Viewer and the visibility rule every registry query applies."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, false, or_, true

from techbridge.models.base import Visibility
from techbridge.models.user import Role

PRIVILEGED_ROLES = frozenset({Role.ADMIN, Role.OFFICER})


@dataclass(frozen=True)
class Viewer:
    """The person behind a request or command; anonymous when user_id is None."""

    user_id: int | None = None
    role: Role | None = None
    organization_id: int | None = None

    @property
    def is_authenticated(self) -> bool:
        """Signed in."""
        return self.user_id is not None

    @property
    def is_privileged(self) -> bool:
        """Admins and officers see every record."""
        return self.role in PRIVILEGED_ROLES


ANONYMOUS = Viewer()
SYSTEM = Viewer(user_id=0, role=Role.ADMIN)


def visibility_clause(model: Any, viewer: Viewer) -> ColumnElement[bool]:
    """WHERE clause limiting `model` (a RecordMixin class) to the rows `viewer` may read."""
    if viewer.is_privileged:
        return true()
    if not viewer.is_authenticated:
        return model.visibility == Visibility.PUBLIC  # type: ignore[no-any-return]
    clauses = [
        model.visibility.in_([Visibility.PUBLIC, Visibility.REGISTERED]),
        model.owner_id == viewer.user_id,
    ]
    return or_(*clauses) if clauses else false()


def can_read(record: Any, viewer: Viewer) -> bool:
    """The same rule for one loaded record (used after a get by id)."""
    if viewer.is_privileged or record.visibility == Visibility.PUBLIC:
        return True
    if not viewer.is_authenticated:
        return False
    return bool(record.visibility == Visibility.REGISTERED or record.owner_id == viewer.user_id)


def can_edit(record: Any, viewer: Viewer) -> bool:
    """Owners and privileged roles may change a record."""
    return viewer.is_privileged or (viewer.is_authenticated and record.owner_id == viewer.user_id)
