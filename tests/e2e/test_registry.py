"""The registry portal in a real browser: home counts, list → detail, filters and pagination, creating a demand."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy.orm import Session

from tests.e2e.browser import sign_in
from tests.registry_seed import PASSWORD, Seed, make_many_achievements, seed_registry

pytestmark = pytest.mark.e2e


@pytest.fixture
def seed(session: Session) -> Seed:
    seeded = seed_registry(session)
    make_many_achievements(session, 25)
    session.commit()
    return seeded


def count_on_card(page: Any, entity: str) -> str:
    return str(page.inner_text(f"#counts [data-entity={entity}] .count")).strip()


def test_home_page_shows_real_counts(live_server: str, page: Any, seed: Seed) -> None:
    page.goto(f"{live_server}/")
    assert count_on_card(page, "achievement") == "26"  # 1 public seed row + 25 generated; hidden rows not counted
    assert count_on_card(page, "enterprise") == "1"
    assert count_on_card(page, "region") == "3"
    assert page.locator("#recent-achievements li").count() == 6


def test_list_to_detail_navigation(live_server: str, page: Any, seed: Seed) -> None:
    page.goto(f"{live_server}/enterprises")
    page.click("text=沈阳新松机器人自动化股份有限公司")
    page.wait_for_url(f"{live_server}/enterprises/{seed.enterprise_id}")
    assert page.inner_text("#credit-code") == "91210100604607919A"
    # the other capabilities' panels either fill in or disappear; none is left loading or shows an error page
    expect(page.locator("main")).not_to_contain_text("加载中")  # no string eval: the CSP forbids it
    assert page.locator("main .error-box").count() == 0
    page.click("#achievements a")
    page.wait_for_url(f"{live_server}/achievements/{seed.public_achievement_id}")
    assert "一种六轴工业机器人关节减速器" in page.inner_text("h1")
    assert "许可" in page.inner_text("#transfer-modes")


def test_filters_and_pagination(live_server: str, page: Any, seed: Seed) -> None:
    page.goto(f"{live_server}/achievements")
    assert page.locator("#registry-table tbody tr").count() == 20
    page.click("nav.pagination a[rel=next]")
    page.wait_for_selector("nav.pagination[data-page='2']")
    assert page.locator("#registry-table tbody tr").count() == 6
    assert "page=2" in page.url  # HTMX pushed the URL, so reload and back work
    page.fill("#filters input[name=q]", "减速器")
    page.press("#filters input[name=q]", "Enter")
    expect(page.locator("#registry-table tbody tr")).to_have_count(1)
    assert page.inner_text("#registry-table tbody").strip().startswith("一种六轴工业机器人关节减速器")
    page.fill("#filters input[name=q]", "")
    page.select_option("#filters select[name=region]", "2101")
    page.wait_for_url(re.compile(r".*[?&]q=&.*region=2101"))
    expect(page.locator("#registry-table tbody tr")).to_have_count(1)
    assert page.locator("#registry-table .record-link").all_inner_texts() == ["一种六轴工业机器人关节减速器"]


def test_signed_in_user_creates_a_demand(live_server: str, page: Any, seed: Seed) -> None:
    sign_in(page, live_server, "ent", PASSWORD)
    page.goto(f"{live_server}/demands")
    page.click("#new-demand")
    page.wait_for_url(f"{live_server}/demands/new")
    page.fill("#demand-form input[name=title]", "x")
    page.click("#demand-form button[type=submit]")
    assert "标题：至少需要 2 个字符" in page.inner_text(".field-error[data-field=title]")
    page.fill("#demand-form input[name=title]", "协作机器人关节力矩传感器国产化")
    page.fill("#demand-form input[name=budget]", "150")
    page.fill("#demand-form input[name=field_tags]", "传感器、机器人")
    page.click("#demand-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/demands/\d+\?done=created$"))
    assert page.inner_text("#flash") == "已创建。"
    assert "协作机器人关节力矩传感器国产化" in page.inner_text("h1")
    assert page.inner_text("#enterprise") == "沈阳新松机器人自动化股份有限公司"
    page.goto(f"{live_server}/demands")
    assert "协作机器人关节力矩传感器国产化" in page.inner_text("#registry-table")
