"""揭榜 through the portal and the API: achievements and experts picked by name and checked on apply, errors beside
the input, no second application, a confirmation and one's own application listed; the ranking counts what its
reader may see."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from techbridge.accounts.service import viewer_for
from techbridge.challenges.service import ApplicationCreate, ChallengeCreate, apply_to_challenge, publish_challenge
from techbridge.config import Settings
from techbridge.models import Achievement, AchievementKind, Expert, Role, User, Visibility
from techbridge.web.app import create_app
from tests.html_page import Page
from tests.registry_seed import PASSWORD, make_user


def sign_in(settings: Settings, username: str) -> tuple[TestClient, str]:
    client = TestClient(create_app(settings))
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)  # type: ignore[union-attr]
    client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
    return client, token


def add_achievement(
    session: Session, owner: User, visibility: Visibility, title: str = "RV减速器高精度加工方法"
) -> int:
    achievement = Achievement(
        kind=AchievementKind.PATENT,
        title=title,
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
        "private": add_achievement(session, outsider, Visibility.OWNER, "谐波减速器柔轮成形工艺"),
        "others": add_achievement(session, outsider, Visibility.PUBLIC, "摆线针轮减速器磨削装置"),
    }
    expert = Expert(name="王精密", owner_id=team.id, visibility=Visibility.PUBLIC)
    session.add(expert)
    session.flush()
    ids["expert"] = expert.id
    session.commit()
    return ids


def apply(client: TestClient, token: str, challenge: int, **fields: str) -> Page:
    form = {"team_name": "减速器团队", "csrf_token": token, **fields}
    response = client.post(f"/challenges/{challenge}/apply", data=form, follow_redirects=False)
    page = Page(response.text, response.status_code)
    page.location = response.headers.get("location", "")  # type: ignore[attr-defined]
    return page


def field_error(page: Page, name: str) -> str:
    return next((e.text for e in page.elements if e.attrs.get("data-field") == name), "")


class TestApplyForm:
    @pytest.mark.parametrize(
        ("field", "value", "message"),
        [
            ("achievement_1", "不存在的成果", "未找到名为「不存在的成果」的科技成果（或无权查看）"),
            ("achievement_2", "谐波减速器柔轮成形工艺", "未找到名为「谐波减速器柔轮成形工艺」的科技成果（或无权查看）"),
            (
                "achievement_1",
                "谐波减速器柔轮成形工艺 [#{private}]",
                "未找到名为「谐波减速器柔轮成形工艺 [#{private}]」的科技成果",
            ),
            ("achievement_3", "987654", "未找到名为「987654」的科技成果"),
            ("expert_2", "无名氏", "未找到名为「无名氏」的专家"),
            (
                "achievement_1",
                "摆线针轮减速器磨削装置",
                "成果「摆线针轮减速器磨削装置」不属于您、您的机构或团队中的专家",
            ),
        ],
    )
    def test_an_input_that_names_nothing_the_team_may_offer_is_refused_beside_it_keeping_the_input(
        self, settings: Settings, board: dict[str, int], field: str, value: str, message: str
    ) -> None:
        client, token = sign_in(settings, "team")
        typed = value.format(**board)
        page = apply(client, token, board["challenge"], plan="五轴磨削", **{field: typed})
        assert page.status == 422
        assert message.format(**board) in field_error(page, field)
        assert (page.value(field), page.value("team_name"), page.value("plan")) == (typed, "减速器团队", "五轴磨削")
        publisher, _ = sign_in(settings, "publisher")
        assert publisher.get(f"/api/challenges/{board['challenge']}/ranking").json() == []

    def test_achievements_and_experts_picked_by_name_are_attached_and_counted(
        self, settings: Settings, board: dict[str, int]
    ) -> None:
        client, token = sign_in(settings, "team")
        picked = f"RV减速器高精度加工方法 [#{board['mine']}]"
        page = apply(client, token, board["challenge"], achievement_1=picked, expert_3="王精密")
        assert (page.status, page.location) == (303, f"/challenges/{board['challenge']}?done=applied#mine")  # type: ignore[attr-defined]
        publisher, _ = sign_in(settings, "publisher")
        (ranked,) = publisher.get(f"/api/challenges/{board['challenge']}/ranking").json()
        assert {"kind": "achievements", "count": 1} in ranked["reasons"]
        assert {"kind": "experts", "count": 1} in ranked["reasons"]

    def test_after_applying_a_confirmation_shows_and_the_applicant_sees_their_application(
        self, settings: Settings, board: dict[str, int]
    ) -> None:
        client, token = sign_in(settings, "team")
        apply(client, token, board["challenge"], achievement_1="RV减速器高精度加工方法", expert_1="王精密")
        response = client.get(f"/challenges/{board['challenge']}?done=applied")
        page = Page(response.text, response.status_code)
        flash = page.by_id("flash")
        assert flash is not None
        assert flash.text == "揭榜申请已提交，发榜方将看到您的团队。"
        mine = page.by_id("my-applications")
        assert mine is not None
        assert "减速器团队" in mine.text
        assert "RV减速器高精度加工方法" in mine.text
        assert "王精密" in mine.text
        assert page.by_id("apply-form") is None
        other, _ = sign_in(settings, "outsider")
        assert Page(other.get(f"/challenges/{board['challenge']}").text, 200).by_id("my-applications") is None

    def test_a_second_application_by_the_same_applicant_is_refused(
        self, settings: Settings, board: dict[str, int]
    ) -> None:
        client, token = sign_in(settings, "team")
        assert apply(client, token, board["challenge"]).status == 303
        page = apply(client, token, board["challenge"], plan="再来一次")
        assert page.status == 422
        assert field_error(page, "form") == "您已揭榜该榜单，不能重复申请；您的申请见本页「我的揭榜申请」"
        mine = page.by_id("my-applications")
        assert mine is not None
        assert "减速器团队" in mine.text
        publisher, _ = sign_in(settings, "publisher")
        assert len(publisher.get(f"/api/challenges/{board['challenge']}/ranking").json()) == 1


def choose(client: TestClient, token: str, application: int, milestones: str) -> Page:
    form = {"milestones": milestones, "csrf_token": token}
    response = client.post(f"/challenges/applications/{application}/choose", data=form, follow_redirects=False)
    page = Page(response.text, response.status_code)
    page.location = response.headers.get("location", "")  # type: ignore[attr-defined]
    return page


class TestChooseForm:
    @pytest.fixture
    def application(self, settings: Settings, board: dict[str, int]) -> int:
        client, token = sign_in(settings, "team")
        apply(client, token, board["challenge"])
        publisher, _ = sign_in(settings, "publisher")
        (ranked,) = publisher.get(f"/api/challenges/{board['challenge']}/ranking").json()
        return int(ranked["id"])

    def test_a_date_that_is_no_date_stays_beside_the_team_with_the_milestones_as_typed(
        self, settings: Settings, board: dict[str, int], application: int
    ) -> None:
        client, token = sign_in(settings, "publisher")
        typed = "样机@2027-02-30\n验收"
        page = choose(client, token, application, typed)
        assert page.status == 422
        assert field_error(page, "milestones") == "“2027-02-30”不是日期"
        assert page.value("milestones") == typed
        assert [a["status"] for a in client.get(f"/api/challenges/{board['challenge']}/ranking").json()] == [
            "submitted"
        ]

    def test_someone_else_gets_no_page_of_the_challenge_back(
        self, settings: Settings, board: dict[str, int], application: int
    ) -> None:
        client, token = sign_in(settings, "outsider")
        page = choose(client, token, application, "样机@2027-02-30")
        assert page.status == 422
        assert all("工业机器人减速器精度攻关" not in e.text for e in page.elements)  # which challenge stays unsaid

    def test_choosing_confirms_on_the_challenge(
        self, settings: Settings, board: dict[str, int], application: int
    ) -> None:
        client, token = sign_in(settings, "publisher")
        page = choose(client, token, application, "样机@2027-03-01\n验收")
        assert (page.status, page.location) == (303, f"/challenges/{board['challenge']}?done=team_chosen")  # type: ignore[attr-defined]
        shown = Page(client.get(page.location).text, 200)  # type: ignore[attr-defined]
        flash = shown.by_id("flash")
        assert flash is not None
        assert flash.text == "已确定揭榜团队，里程碑已设置，其余申请已婉拒。"

    @pytest.mark.parametrize(("who", "buttons"), [("team", 2), ("publisher", 2), ("outsider", 0), (None, 0)])
    def test_only_the_team_and_the_managers_see_the_submit_buttons(
        self, settings: Settings, board: dict[str, int], application: int, who: str | None, buttons: int
    ) -> None:
        publisher, token = sign_in(settings, "publisher")
        assert choose(publisher, token, application, "样机\n验收").status == 303
        client = sign_in(settings, who)[0] if who else TestClient(create_app(settings))
        page = client.get(f"/challenges/{board['challenge']}").text
        assert page.count('id="milestones"') == 1  # the milestones themselves are public, as the challenge is
        assert page.count("/submit") == buttons


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
