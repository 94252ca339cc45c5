"""Steps the browser tests share."""

from __future__ import annotations

from typing import Any

TEST_PASSWORD = "password-1"


def sign_in(page: Any, base: str, username: str, password: str = TEST_PASSWORD) -> None:
    """Sign in through the real form and wait for the redirect home."""
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("#login-form button[type=submit]")
    page.wait_for_url(f"{base}/")
