"""A 揭榜挂帅 challenge in a real browser: an officer publishes, two teams apply, the officer sees them ranked."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from techbridge.accounts.service import create_user
from techbridge.models import Role
from tests.e2e.browser import sign_in

pytestmark = pytest.mark.e2e


def sign_out(page: Any) -> None:
    page.click("form[action='/logout'] button")


def test_publication_to_ranked_applicants(live_server: str, browser: Any, session: Session) -> None:
    for name, role in (("officer", Role.OFFICER), ("team", Role.INSTITUTION)):
        create_user(session=session, username=name, password="password-1", role=role)
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

    team = browser.new_context(locale="zh-CN").new_page()
    sign_in(team, live_server, "team")
    for name, plan in (("数据库团队", "分布式数据库软件"), ("膜材料团队", "反渗透膜材料与海水淡化膜组件")):
        team.goto(challenge_url)
        team.fill("#apply-form input[name=team_name]", name)
        team.fill("#apply-form textarea[name=plan]", plan)
        team.click("#apply-form button[type=submit]")
        team.wait_for_url("**applied=1")

    officer.goto(challenge_url)
    teams = officer.locator("#ranking > li .team").all_inner_texts()
    assert teams == ["膜材料团队", "数据库团队"]
    assert "匹配关键词" in officer.inner_text("#ranking > li:first-child .reasons")
    officer.context.close()
    team.context.close()
