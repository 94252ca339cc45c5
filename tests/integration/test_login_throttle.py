"""Sign-in throttling through a real DB: per account and per address, shared by workers, no user enumeration."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from techbridge.accounts.throttle import ThrottleRule, sign_in
from techbridge.config import Settings
from techbridge.models import Role
from techbridge.models.base import utcnow
from techbridge.web.app import create_app
from tests.registry_seed import PASSWORD, make_user

RULE = ThrottleRule(max_per_account=5, max_per_address=20, window=timedelta(minutes=15), lockout=timedelta(minutes=15))


@pytest.fixture
def user(session: Session) -> str:
    make_user(session, "ent", Role.ENTERPRISE)
    session.commit()
    return "ent"


def _fail(session: Session, username: str, times: int, address: str = "10.0.0.1", now: datetime | None = None) -> None:
    for _ in range(times):
        result = sign_in(session=session, rule=RULE, username=username, password="wrong-pw", address=address, now=now)
        assert result.user is None


class TestSignIn:
    def test_five_failures_lock_the_account_even_with_the_right_password(self, session: Session, user: str) -> None:
        _fail(session, user, 5)
        result = sign_in(session=session, rule=RULE, username=user, password=PASSWORD, address="10.0.0.2")
        assert result.user is None
        assert result.retry_minutes == 15

    def test_lock_ends_after_the_lockout(self, session: Session, user: str) -> None:
        start = utcnow() - timedelta(minutes=16)
        _fail(session, user, 5, now=start)
        result = sign_in(session=session, rule=RULE, username=user, password=PASSWORD, address="10.0.0.1")
        assert result.user is not None

    def test_four_failures_then_success_clears_the_count(self, session: Session, user: str) -> None:
        _fail(session, user, 4)
        assert sign_in(session=session, rule=RULE, username=user, password=PASSWORD, address="10.0.0.1").user
        _fail(session, user, 4)
        assert sign_in(session=session, rule=RULE, username=user, password=PASSWORD, address="10.0.0.1").user

    def test_unknown_names_lock_exactly_like_real_ones(self, session: Session, user: str) -> None:
        _fail(session, "nobody", 5, address="10.0.0.3")
        _fail(session, user, 5, address="10.0.0.4")
        ghost = sign_in(session=session, rule=RULE, username="nobody", password="x", address="10.0.0.5")
        real = sign_in(session=session, rule=RULE, username=user, password="x", address="10.0.0.6")
        assert ghost == real

    def test_one_address_trying_many_names_is_locked(self, session: Session, user: str) -> None:
        for index in range(20):
            _fail(session, f"guess{index}", 1, address="10.9.9.9")
        result = sign_in(session=session, rule=RULE, username=user, password=PASSWORD, address="10.9.9.9")
        assert result.user is None
        assert result.retry_minutes > 0
        assert sign_in(session=session, rule=RULE, username=user, password=PASSWORD, address="10.0.0.8").user


def _portal_login(client: TestClient, username: str, password: str, lang: str = "en") -> tuple[int, str]:
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert token is not None
    data = {"username": username, "password": password, "csrf_token": token.group(1)}
    response = client.post(f"/login?lang={lang}", data=data, follow_redirects=False)
    error = re.search(r'class="[^"]*error[^"]*"[^>]*>([^<]+)<', response.text)
    return response.status_code, error.group(1).strip() if error else ""


class TestPortalAndApi:
    def test_portal_says_try_again_in_minutes(self, settings: Settings, user: str) -> None:
        client = TestClient(create_app(settings))
        for _ in range(5):
            assert _portal_login(client, user, "wrong-pw")[0] == 401
        assert _portal_login(client, user, PASSWORD) == (429, "Too many attempts, try again in 15 minutes")
        assert _portal_login(client, user, PASSWORD, lang="zh") == (429, "尝试次数过多，请 15 分钟后再试")
        assert _portal_login(client, "nobody-here", "wrong-pw")[0] == 401

    def test_api_locks_and_shares_the_count_with_the_portal(self, settings: Settings, user: str) -> None:
        client = TestClient(create_app(settings))
        for _ in range(3):
            _portal_login(client, user, "wrong-pw")
        for _ in range(2):
            assert client.post("/api/auth/login", json={"username": user, "password": "x"}).status_code == 401
        response = client.post("/api/auth/login?lang=en", json={"username": user, "password": PASSWORD})
        assert response.status_code == 429
        assert response.json()["message"] == "Too many attempts, try again in 15 minutes"
        assert response.headers["retry-after"] == "900"

    def test_unknown_and_real_names_get_the_same_answers(self, settings: Settings, user: str) -> None:
        client = TestClient(create_app(settings))
        answers = {}
        for name in (user, "no-such-user"):
            seen = [client.post("/api/auth/login", json={"username": name, "password": "x"}) for _ in range(6)]
            answers[name] = [(r.status_code, r.json()["message"]) for r in seen]
        assert answers[user] == answers["no-such-user"]
        assert answers[user][-1][0] == 429
