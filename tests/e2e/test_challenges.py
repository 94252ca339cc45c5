"""A 揭榜挂帅 challenge in a real browser: an officer publishes, two teams apply (one picking its achievement and
expert by name), each sees a confirmation and its own application, a second try is refused; the officer sees them
ranked."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from techbridge.accounts.service import create_user
from techbridge.models import Achievement, AchievementKind, Expert, Role, Visibility
from tests.e2e.browser import sign_in

pytestmark = pytest.mark.e2e


def sign_out(page: Any) -> None:
    page.click("form[action='/logout'] button")


def test_publication_to_ranked_applicants(live_server: str, browser: Any, session: Session) -> None:
    users = {}
    for name, role in (("officer", Role.OFFICER), ("team", Role.INSTITUTION), ("team2", Role.INSTITUTION)):
        users[name] = create_user(session=session, username=name, password="password-1", role=role)
    session.add(
        Achievement(
            kind=AchievementKind.TECHNOLOGY,
            title="高脱盐率反渗透膜制备技术",
            abstract="反渗透膜 海水淡化",
            keywords=[],
            owner_id=users["team"].id,
            visibility=Visibility.REGISTERED,
        )
    )
    session.add(Expert(name="李膜材", owner_id=users["team"].id, visibility=Visibility.PUBLIC))
    session.commit()
    officer = browser.new_context(locale="zh-CN").new_page()
    sign_in(officer, live_server, "officer")
    officer.goto(f"{live_server}/challenges")
    officer.fill("#publish-form input[name=title]", "海水淡化反渗透膜国产化攻关")
    officer.fill("#publish-form textarea[name=goal]", "研制高脱盐率反渗透膜，实现海水淡化膜材料国产化")
    officer.fill("#publish-form textarea[name=indicators]", "脱盐率 ≥ 99.7%\n通量 ≥ 40 LMH")
    officer.fill("#publish-form input[name=budget]", "600")
    officer.click("#publish-form button[type=submit]")
    officer.wait_for_selector("#challenge[data-status=open]")
    challenge_url = officer.url

    for user, name, plan in (
        ("team2", "数据库团队", "分布式数据库软件"),
        ("team", "膜材料团队", "反渗透膜材料与海水淡化膜组件"),
    ):
        team = browser.new_context(locale="zh-CN").new_page()
        sign_in(team, live_server, user)
        team.goto(challenge_url)
        team.fill("#apply-form input[name=team_name]", name)
        team.fill("#apply-form textarea[name=plan]", plan)
        if user == "team":
            team.fill("#apply-form input[name=achievement_1]", "高脱盐率反渗透膜制备技术")
            team.fill("#apply-form input[name=expert_1]", "李膜材")
        team.click("#apply-form button[type=submit]")
        team.wait_for_url("**done=applied**")
        assert team.inner_text("#flash") == "揭榜申请已提交，发榜方将看到您的团队。"
        mine = team.inner_text("#my-applications")
        assert name in mine
        if user == "team":
            assert "高脱盐率反渗透膜制备技术" in mine
            assert "李膜材" in mine
        assert team.locator("#apply-form").count() == 0
        team.context.close()

    officer.goto(challenge_url)
    teams = officer.locator("#ranking > li .team").all_inner_texts()
    assert teams == ["膜材料团队", "数据库团队"]
    assert "匹配关键词" in officer.inner_text("#ranking > li:first-child .reasons")
    officer.context.close()
