"""A person's own lists past 50 rows share one pagination (web/pagination.py, `_pagination.html`): notifications,
subscriptions and 对接 requests show 50 a page, page 2 the next rows, the links keep the box."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from techbridge.config import Settings
from techbridge.models import (
    Achievement,
    AchievementKind,
    ConnectMode,
    ConnectRequest,
    Notification,
    Role,
    Subscription,
    SubscriptionKind,
    Visibility,
)
from techbridge.web.app import create_app
from tests.html_page import Page
from tests.registry_seed import PASSWORD, make_user

ROWS = 57  # more than one page of 50


def signed_in(settings: Settings, username: str) -> TestClient:
    client = TestClient(create_app(settings))
    page = Page(client.get("/login").text, 200)
    token = next(e.attrs["value"] for e in page.elements if e.attrs.get("name") == "csrf_token")
    client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
    return client


@pytest.fixture
def client(settings: Settings, session: Session) -> TestClient:
    """A user with ROWS subscriptions, notifications (of public achievements) and sent 对接 requests, named
    0 … ROWS-1 in creation order."""
    user = make_user(session, "busy", Role.ENTERPRISE)
    for n in range(ROWS):
        achievement = Achievement(kind=AchievementKind.PATENT, title=f"成果{n}", visibility=Visibility.PUBLIC)
        session.add(achievement)
        session.flush()
        subscription = Subscription(user_id=user.id, kind=SubscriptionKind.SEARCH, title=f"订阅{n:02d}", query="电池")
        session.add(subscription)
        session.flush()
        session.add(
            Notification(
                user_id=user.id, subscription_id=subscription.id, entity="achievement", record_id=achievement.id,
                title=f"通知{n:02d}", score=0.9,
            )
        )  # fmt: skip
        session.add(
            ConnectRequest(
                requester_id=user.id, entity="achievement", record_id=achievement.id, record_title=f"对接{n:02d}",
                mode=ConnectMode.LICENSE, message="你好",
            )
        )  # fmt: skip
    session.commit()
    return signed_in(settings, "busy")


def shown(html: str, prefix: str) -> list[str]:
    """Texts on the page starting with `prefix` (the rows' titles)."""
    texts = {e.text for e in Page(html, 200).elements if e.text.startswith(prefix)}
    return sorted(text for text in texts if len(text) == len(prefix) + 2 and text[len(prefix) :].isdigit())


def next_href(html: str) -> str:
    links = [e for e in Page(html, 200).elements if e.tag == "a" and e.attrs.get("rel") == "next"]
    assert len(links) == 1
    return links[0].attrs["href"]


@pytest.mark.parametrize(("path", "prefix"), [("/notifications", "通知"), ("/subscriptions", "订阅")])
def test_page_two_shows_the_rest(client: TestClient, path: str, prefix: str) -> None:
    first = client.get(path).text
    second = client.get(path + next_href(first)).text
    assert len(shown(first, prefix)) == 50
    assert len(shown(second, prefix)) == ROWS - 50
    assert sorted(shown(first, prefix) + shown(second, prefix)) == [f"{prefix}{n:02d}" for n in range(ROWS)]


def test_connect_requests_page_keeps_the_box(client: TestClient) -> None:
    first = client.get("/connect?box=out").text
    href = next_href(first)
    assert parse_qs(urlsplit(href).query) == {"box": ["out"], "page": ["2"]}
    second = client.get("/connect" + href).text
    assert shown(first, "对接")[-1] == f"对接{ROWS - 1:02d}"  # newest first
    assert shown(second, "对接") == [f"对接{n:02d}" for n in range(ROWS - 50)]
