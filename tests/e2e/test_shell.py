"""The portal shell in a real browser: home page and sign-in."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from techbridge.accounts.service import create_user
from techbridge.models import Role

pytestmark = pytest.mark.e2e


def test_login_shows_the_user_in_the_header(live_server: str, page: Any, session: Session) -> None:
    create_user(session=session, username="officer1", password="correct-horse", role=Role.OFFICER)
    session.commit()
    page.goto(f"{live_server}/login")
    page.fill("input[name=username]", "officer1")
    page.fill("input[name=password]", "correct-horse")
    page.click("#login-form button[type=submit]")
    page.wait_for_url(f"{live_server}/")
    assert "officer1" in page.inner_text("header")


def test_wrong_password_is_refused(live_server: str, page: Any, session: Session) -> None:
    create_user(session=session, username="officer2", password="correct-horse", role=Role.OFFICER)
    session.commit()
    page.goto(f"{live_server}/login")
    page.fill("input[name=username]", "officer2")
    page.fill("input[name=password]", "wrong-password")
    page.click("#login-form button[type=submit]")
    assert "用户名或密码错误" in page.inner_text("[role=alert]")
