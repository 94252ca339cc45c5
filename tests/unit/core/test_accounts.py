"""Accounts: argon2 hashes, duplicate and short-password refusal, authentication."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from techbridge.accounts.service import authenticate, create_user, viewer_for
from techbridge.errors import ConflictError, InvalidDataError
from techbridge.models import Role


class TestCreateUser:
    def test_password_is_stored_as_argon2id(self, session: Session) -> None:
        user = create_user(session=session, username="u1", password="long-enough", role=Role.BROKER)
        assert user.password_hash.startswith("$argon2id$")
        assert "long-enough" not in user.password_hash

    def test_duplicate_username_conflicts(self, session: Session) -> None:
        create_user(session=session, username="u1", password="long-enough", role=Role.BROKER)
        with pytest.raises(ConflictError):
            create_user(session=session, username="u1", password="long-enough", role=Role.BROKER)

    def test_short_password_is_refused(self, session: Session) -> None:
        with pytest.raises(InvalidDataError, match="at least"):
            create_user(session=session, username="u2", password="short", role=Role.BROKER)


class TestAuthenticate:
    def test_right_password_returns_the_user(self, session: Session) -> None:
        create_user(session=session, username="u1", password="long-enough", role=Role.OFFICER)
        user = authenticate(session=session, username="u1", password="long-enough")
        assert user is not None
        assert viewer_for(user).is_privileged

    def test_wrong_password_and_unknown_user_fail_alike(self, session: Session) -> None:
        create_user(session=session, username="u1", password="long-enough", role=Role.OFFICER)
        assert authenticate(session=session, username="u1", password="wrong-one") is None
        assert authenticate(session=session, username="nobody", password="long-enough") is None

    def test_inactive_user_cannot_sign_in(self, session: Session) -> None:
        user = create_user(session=session, username="u1", password="long-enough", role=Role.OFFICER)
        user.is_active = False
        assert authenticate(session=session, username="u1", password="long-enough") is None
