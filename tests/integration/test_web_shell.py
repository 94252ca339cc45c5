"""The portal shell through a real DB: home counts, language switch, CSRF, sign-in, error mapping."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from techbridge.accounts.service import create_user
from techbridge.config import Settings
from techbridge.models import Role
from techbridge.web.app import create_app


def _token(client: TestClient) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert match is not None
    return match.group(1)


class TestShell:
    def test_home_renders_in_chinese_by_default(self, settings: Settings) -> None:
        client = TestClient(create_app(settings))
        response = client.get("/")
        assert response.status_code == 200
        assert "科创桥" in response.text

    def test_english_is_switchable(self, settings: Settings) -> None:
        client = TestClient(create_app(settings))
        assert "Sign in" in client.get("/?lang=en").text
        client.get("/lang/en", follow_redirects=False)
        assert "Sign in" in client.get("/").text

    def test_post_without_csrf_is_forbidden(self, settings: Settings) -> None:
        client = TestClient(create_app(settings))
        response = client.post("/login", data={"username": "a", "password": "b"})
        assert response.status_code == 403

    def test_sign_in_sets_the_session(self, settings: Settings, session: Session) -> None:
        create_user(session=session, username="off", password="password-1", role=Role.OFFICER)
        session.commit()
        client = TestClient(create_app(settings))
        token = _token(client)
        response = client.post(
            "/login",
            data={"username": "off", "password": "password-1", "csrf_token": token},
            follow_redirects=False,
        )
        assert response.status_code == 303
        assert "off" in client.get("/").text

    def test_openapi_is_served(self, settings: Settings) -> None:
        client = TestClient(create_app(settings))
        assert client.get("/openapi.json").json()["info"]["title"].startswith("techbridge")

    def test_openapi_documents_only_the_json_api(self, settings: Settings) -> None:
        paths = TestClient(create_app(settings)).get("/openapi.json").json()["paths"]
        assert [p for p in paths if not p.startswith("/api/")] == []


class TestRedirects:
    @pytest.mark.parametrize(
        "target",
        [
            "//evil.example/",
            "/\\evil.example/",
            "/\\/evil.example/",
            "https://evil.example/",
            "/\t/evil.example/",
            "evil.example",
            "",
        ],
    )
    def test_language_switch_stays_on_site(self, settings: Settings, target: str) -> None:
        client = TestClient(create_app(settings))
        response = client.get("/lang/en", params={"next": target}, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == "/"

    def test_language_switch_keeps_a_local_path(self, settings: Settings) -> None:
        client = TestClient(create_app(settings))
        response = client.get("/lang/en", params={"next": "/achievements?page=2"}, follow_redirects=False)
        assert response.headers["location"] == "/achievements?page=2"

    def test_sign_in_does_not_redirect_off_site(self, settings: Settings, session: Session) -> None:
        create_user(session=session, username="off", password="password-1", role=Role.OFFICER)
        session.commit()
        client = TestClient(create_app(settings))
        response = client.post(
            "/login",
            data={
                "username": "off",
                "password": "password-1",
                "csrf_token": _token(client),
                "next": "/\\evil.example/",
            },
            follow_redirects=False,
        )
        assert response.headers["location"] == "/"
