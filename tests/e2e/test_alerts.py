"""Subscriptions, the bell and unsubscribe in a real browser: an enterprise saves a search, a fitting achievement is
published by someone else, the alert job runs, the bell shows it, the notification opens the record; the e-mail's
unsubscribe link works without signing in."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from techbridge.accounts.service import create_user
from techbridge.config import Settings
from techbridge.db import session_scope
from techbridge.models import Achievement, AchievementKind, Role, Visibility
from techbridge.notifications.digest import unsubscribe_token
from techbridge.notifications.service import run_alerts
from tests.e2e.browser import sign_in

pytestmark = pytest.mark.e2e


def test_a_saved_search_rings_the_bell_and_opens_the_match(
    live_server: str, page: Any, session: Session, settings: Settings
) -> None:
    user = create_user(session=session, username="ent", password="password-1", role=Role.ENTERPRISE)
    owner = create_user(session=session, username="inst", password="password-1", role=Role.INSTITUTION)
    session.commit()
    sign_in(page, live_server, "ent")
    page.goto(f"{live_server}/subscriptions")
    assert page.is_visible("#no-subscriptions")
    page.fill("#new-subscription input[name=q]", "谐波减速器 精度保持")
    page.click("#new-subscription button[type=submit]")
    page.wait_for_selector("#flash")
    assert "订阅已保存" in page.inner_text("#flash")
    assert "谐波减速器" in page.inner_text("#subscriptions")
    page.click("#subscriptions button:has-text('暂停')")
    page.wait_for_selector("#subscriptions td:has-text('已暂停')")
    page.click("#subscriptions button:has-text('恢复')")
    page.wait_for_selector("#subscriptions td:has-text('生效中')")
    with session_scope(settings.database_url) as other:
        other.add(
            Achievement(
                kind=AchievementKind.PATENT,
                title="一种提高谐波减速器精度保持性的柔轮",
                owner_id=owner.id,
                visibility=Visibility.PUBLIC,
            )
        )
    assert run_alerts(settings).notifications == 1
    page.goto(f"{live_server}/")
    page.wait_for_selector("#bell-count")
    assert page.inner_text("#bell-count") == "1"
    assert "谐波减速器" in page.inner_text("#recommended")
    page.click("#bell")
    page.wait_for_selector("#notifications")
    assert "命中要点" in page.inner_text("#notifications")
    page.click("#notifications button.linkish")
    page.wait_for_selector("#record[data-kind=achievement]")
    assert page.is_visible("#connect-button")
    page.goto(f"{live_server}/")
    page.wait_for_selector("#bell")
    assert not page.is_visible("#bell-count")
    assert user.id


def test_the_unsubscribe_link_works_without_signing_in(
    live_server: str, page: Any, session: Session, settings: Settings
) -> None:
    user = create_user(session=session, username="ent", password="password-1", role=Role.ENTERPRISE)
    session.commit()
    page.goto(f"{live_server}/unsubscribe?token={unsubscribe_token(settings, user.id)}")
    assert "已退订" in page.inner_text("#unsubscribed")
    page.goto(f"{live_server}/unsubscribe?token=forged")
    assert "退订链接无效" in page.inner_text("main")
