"""揭榜 through the portal and the API: attachments are checked on apply, the ranking counts what its reader may see."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from techbridge.accounts.service import viewer_for
from techbridge.challenges.service import ApplicationCreate, ChallengeCreate, apply_to_challenge, publish_challenge
from techbridge.config import Settings
from techbridge.models import Achievement, AchievementKind, Role, User, Visibility
from techbridge.web.app import create_app
from tests.registry_seed import PASSWORD, make_user


def sign_in(settings: Settings, username: str) -> tuple[TestClient, str]:
    client = TestClient(create_app(settings))
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)  # type: ignore[union-attr]
    client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
    return client, token


def add_achievement(session: Session, owner: User, visibility: Visibility) -> int:
    achievement = Achievement(
        kind=AchievementKind.PATENT,
        title="RV减速器高精度加工方法",
        abstract="工业机器人减速器",
        keywords=[],
        owner_id=owner.id,
        visibility=visibility,
    )
    session.add(achievement)
    session.flush()
    return achievement.id


@pytest.fixture
def board(session: Session) -> dict[str, int]:
    publisher = make_user(session, "publisher", Role.ENTERPRISE)
    team = make_user(session, "team", Role.INSTITUTION)
    outsider = make_user(session, "outsider", Role.INSTITUTION)
    data = ChallengeCreate(title="工业机器人减速器精度攻关", goal="研制高精度RV减速器")
    challenge = publish_challenge(session=session, viewer=viewer_for(publisher), data=data)
    ids = {
        "challenge": challenge.id,
        "mine": add_achievement(session, team, Visibility.REGISTERED),
        "private": add_achievement(session, outsider, Visibility.OWNER),
    }
    session.commit()
    return ids


class TestApplyForm:
    @pytest.mark.parametrize(
        ("field", "value", "named"),
        [
            ("achievement_ids", "987654", "achievement_ids:987654"),
            ("achievement_ids", "{private}", "achievement_ids:{private}"),
            ("expert_ids", "987654", "expert_ids:987654"),
            ("achievement_ids", "{mine}, abc", "achievement_ids:abc"),
        ],
    )
    def test_a_bad_id_is_refused_with_its_field(
        self, settings: Settings, board: dict[str, int], field: str, value: str, named: str
    ) -> None:
        client, token = sign_in(settings, "team")
        form = {"team_name": "减速器团队", field: value.format(**board), "csrf_token": token}
        response = client.post(f"/challenges/{board['challenge']}/apply", data=form, follow_redirects=False)
        assert response.status_code == 422
        assert named.format(**board) in response.text

    def test_the_teams_own_achievement_is_accepted_and_counted(self, settings: Settings, board: dict[str, int]) -> None:
        client, token = sign_in(settings, "team")
        form = {"team_name": "减速器团队", "achievement_ids": str(board["mine"]), "csrf_token": token}
        response = client.post(f"/challenges/{board['challenge']}/apply", data=form, follow_redirects=False)
        assert response.status_code == 303
        publisher, _ = sign_in(settings, "publisher")
        (ranked,) = publisher.get(f"/api/challenges/{board['challenge']}/ranking").json()
        assert {"kind": "achievements", "count": 1} in ranked["reasons"]


def test_the_api_ranking_drops_an_attachment_its_reader_cannot_see(
    settings: Settings, session: Session, board: dict[str, int]
) -> None:
    team = session.query(User).filter_by(username="team").one()
    data = ApplicationCreate(team_name="减速器团队", achievement_ids=[board["mine"]])
    apply_to_challenge(session=session, viewer=viewer_for(team), challenge_id=board["challenge"], data=data)
    achievement = session.get(Achievement, board["mine"])
    assert achievement is not None
    achievement.visibility = Visibility.OWNER
    session.commit()
    publisher, _ = sign_in(settings, "publisher")
    (ranked,) = publisher.get(f"/api/challenges/{board['challenge']}/ranking").json()
    assert "achievements" not in [r["kind"] for r in ranked["reasons"]]
