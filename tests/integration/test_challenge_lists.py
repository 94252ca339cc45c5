"""The 揭榜挂帅 board and a challenge's ranked applications as lists that scale: pages of `page_size` rows with
links that keep the filters; the board searched by title and filtered by status, applications by team and status."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from techbridge.accounts.service import viewer_for
from techbridge.challenges.service import ChallengeCreate, publish_challenge
from techbridge.config import Settings
from techbridge.models import ApplicationStatus, Challenge, ChallengeApplication, ChallengeStatus, Role
from techbridge.web.app import create_app
from tests.html_page import Page
from tests.registry_seed import PASSWORD, make_user

SIZE = 5


def client_of(settings: Settings, username: str | None = None) -> TestClient:
    """A client of `username` (anonymous when None) on pages of SIZE rows."""
    client = TestClient(create_app(settings.model_copy(update={"page_size": SIZE})))
    if username:
        page = Page(client.get("/login").text, 200)
        token = next(e.attrs["value"] for e in page.elements if e.attrs.get("name") == "csrf_token")
        client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
    return client


def next_href(html: str) -> str:
    links = [e for e in Page(html, 200).elements if e.tag == "a" and e.attrs.get("rel") == "next"]
    assert len(links) == 1
    return links[0].attrs["href"]


def board_titles(html: str) -> list[str]:
    page = Page(html, 200)
    return [a.text for a in page.find("a", "challenge-table") if a.attrs["href"].startswith("/challenges/")]


def teams(html: str) -> list[str]:
    return [e.text for e in Page(html, 200).find("strong", "ranking")]


@pytest.fixture
def challenges(session: Session) -> int:
    """Eight open challenges on 减速器 and three closed ones on 电池; the newest has 12 applications, two declined."""
    publisher = make_user(session, "publisher", Role.ENTERPRISE)
    for n in range(3):
        session.add(
            Challenge(title=f"电池攻关{n}", goal="电池", status=ChallengeStatus.CLOSED, publisher_id=publisher.id)
        )
    session.flush()
    challenge = None
    for n in range(8):
        data = ChallengeCreate(title=f"减速器攻关{n}", goal="研制高精度RV减速器")
        challenge = publish_challenge(session=session, viewer=viewer_for(publisher), data=data)
    assert challenge is not None
    for n in range(12):
        status = ApplicationStatus.DECLINED if n in (3, 7) else ApplicationStatus.SUBMITTED
        session.add(
            ChallengeApplication(challenge_id=challenge.id, team_name=f"团队{n:02d}", plan="减速器", status=status)
        )
    session.commit()
    return challenge.id


class TestBoard:
    def test_page_two_shows_the_next_challenges(self, settings: Settings, challenges: int) -> None:
        client = client_of(settings)
        first = client.get("/challenges")
        second = client.get("/challenges" + next_href(first.text))
        assert len(board_titles(first.text)) == SIZE
        assert len(board_titles(second.text)) == SIZE
        assert not set(board_titles(first.text)) & set(board_titles(second.text))
        assert board_titles(first.text)[0] == "减速器攻关7"  # newest first

    def test_search_and_status_are_kept_in_the_page_links(self, settings: Settings, challenges: int) -> None:
        client = client_of(settings)
        first = client.get("/challenges?q=减速器&status=open")
        assert parse_qs(urlsplit(next_href(first.text)).query) == {"q": ["减速器"], "status": ["open"], "page": ["2"]}
        rest = board_titles(client.get("/challenges" + next_href(first.text)).text)
        assert len(board_titles(first.text) + rest) == 8
        assert all(title.startswith("减速器") for title in rest)
        assert board_titles(client.get("/challenges?status=closed").text) == ["电池攻关2", "电池攻关1", "电池攻关0"]


class TestApplications:
    def test_the_ranking_is_paginated_with_its_filters(
        self, settings: Settings, session: Session, challenges: int
    ) -> None:
        client = client_of(settings, "publisher")
        first = client.get(f"/challenges/{challenges}")
        second = client.get(f"/challenges/{challenges}" + next_href(first.text))
        assert len(teams(first.text)) == SIZE
        assert len(teams(second.text)) == SIZE
        assert not set(teams(first.text)) & set(teams(second.text))
        ranking = Page(second.text, 200).by_id("ranking")
        assert ranking is not None
        assert ranking.attrs["start"] == str(SIZE + 1)  # the rank numbers go on from page 1

    def test_team_and_status_filters(self, settings: Settings, challenges: int) -> None:
        client = client_of(settings, "publisher")
        assert sorted(teams(client.get(f"/challenges/{challenges}?status=declined").text)) == ["团队03", "团队07"]
        assert teams(client.get(f"/challenges/{challenges}?q=团队11").text) == ["团队11"]
        page = client.get(f"/challenges/{challenges}?status=submitted")
        assert parse_qs(urlsplit(next_href(page.text)).query) == {"status": ["submitted"], "page": ["2"]}

    def test_only_the_publisher_sees_the_applications(self, settings: Settings, challenges: int) -> None:
        assert teams(client_of(settings).get(f"/challenges/{challenges}").text) == []
