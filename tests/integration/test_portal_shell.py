"""The portal for a first-time visitor: the chosen language sticks, unknown URLs get the portal's error page with a
way back, pages that need an account send anonymous visitors to sign in, and the navigation shows only what the
role may open."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from techbridge.config import Settings
from techbridge.models import Role
from techbridge.web.app import create_app
from tests.registry_seed import PASSWORD, make_user


def _signed_in(settings: Settings, session: Session, role: Role) -> TestClient:
    make_user(session, "someone", role)
    session.commit()
    client = TestClient(create_app(settings))
    token = client.get("/login").text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    client.post("/login", data={"username": "someone", "password": PASSWORD, "csrf_token": token})
    return client


class TestLanguage:
    def test_lang_in_any_link_sticks_for_the_next_pages_and_fragments(self, settings: Settings) -> None:
        client = TestClient(create_app(settings))
        assert "Sign in" in client.get("/achievements?lang=en").text
        assert "Sign in" in client.get("/").text
        assert client.cookies.get("lang") == "en"
        assert "登录" in client.get("/?lang=zh").text
        assert "登录" in client.get("/").text

    def test_an_unknown_language_is_ignored(self, settings: Settings) -> None:
        client = TestClient(create_app(settings))
        client.get("/?lang=fr")
        assert client.cookies.get("lang") is None


class TestErrorPages:
    def test_an_unknown_url_gets_the_portal_page_with_a_way_home(self, settings: Settings) -> None:
        response = TestClient(create_app(settings)).get("/no/such/page")
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("text/html")
        assert 'id="error-home"' in response.text
        assert 'class="topbar"' in response.text

    def test_an_unknown_api_url_answers_json(self, settings: Settings) -> None:
        response = TestClient(create_app(settings)).get("/api/no/such/thing")
        assert response.status_code == 404
        assert response.json()["error"] == "404"

    def test_a_page_that_needs_an_account_sends_anonymous_visitors_to_sign_in(self, settings: Settings) -> None:
        response = TestClient(create_app(settings)).get("/transfers", follow_redirects=False)
        assert (response.status_code, response.headers["location"]) == (303, "/login?next=/transfers")


class TestNavigation:
    @pytest.mark.parametrize(
        ("role", "shown", "hidden"),
        [
            (None, [], ["/dashboard", "/transfers", "/import"]),
            (Role.ENTERPRISE, ["/import"], ["/dashboard", "/transfers"]),
            (Role.BROKER, ["/import", "/transfers"], ["/dashboard"]),
            (Role.OFFICER, ["/import", "/transfers", "/dashboard"], []),
        ],
    )
    def test_only_what_the_role_may_open(
        self, settings: Settings, session: Session, role: Role | None, shown: list[str], hidden: list[str]
    ) -> None:
        client = _signed_in(settings, session, role) if role else TestClient(create_app(settings))
        nav = client.get("/").text.split('class="mainnav"', 1)[1].split("</nav>", 1)[0]
        for href in shown:
            assert f'href="{href}"' in nav
        for href in hidden:
            assert f'href="{href}"' not in nav
