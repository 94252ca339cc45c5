"""Tier pages in a real browser: an enterprise's ladder with the HTMX what-if, and an officer's pools with the chart."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from tests.e2e.browser import sign_in
from tests.integration.test_tiers_pages import seed

pytestmark = pytest.mark.e2e
PAGE_HEIGHT_LIMIT = 2500  # px at 1280×800: 5,218 before the plain-words page, 1,925 after (this seed)


def test_what_if_recalculates_in_place(live_server: str, page: Any, session: Session) -> None:
    ids = seed(session)
    sign_in(page, live_server, "ent")
    page.goto(f"{live_server}/tiers/enterprises/{ids['near']}?as_of=2025-06-30")
    hnte = "details.policy-result[data-policy=hnte]"
    assert page.get_attribute(hnte, "data-verdict") == "ineligible"
    assert "70" in page.inner_text(f"{hnte} .gap")
    page.select_option("select[name=fact_1]", "hnte_innovation_score")
    page.fill("input[name=value_1]", "71")
    page.click("#what-if-form button[type=submit]")
    page.wait_for_selector("#what-if-banner")
    assert page.get_attribute(hnte, "data-verdict") == "eligible"
    assert page.url.endswith("as_of=2025-06-30")


def test_officer_pools_chart_and_filters(live_server: str, page: Any, session: Session) -> None:
    ids = seed(session)
    sign_in(page, live_server, "officer")
    page.goto(f"{live_server}/tiers/pools?policy=hnte&as_of=2025-06-30")
    page.wait_for_selector("#ladder-chart canvas")
    assert page.is_visible(f"#pool-items tr[data-org='{ids['ready']}'][data-verdict=eligible]")
    assert page.is_visible(f"#pool-items tr[data-org='{ids['near']}'][data-verdict=near_miss]")
    page.fill("input[name=cluster]", "集成电路")
    page.click("#pool-filters button[type=submit]")
    page.wait_for_selector(
        "#pool-items tr[data-verdict=near_miss]", state="detached"
    )  # no string eval: the CSP forbids it
    assert page.is_visible(f"#pool-items tr[data-org='{ids['ready']}'][data-verdict=eligible]")
    assert "cluster=%E9%9B%86" in page.get_attribute("#export-link", "href")


def test_the_page_is_short_and_a_bad_what_if_shows_beside_the_form(
    live_server: str, page: Any, session: Session
) -> None:
    ids = seed(session)
    sign_in(page, live_server, "ent")
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{live_server}/tiers/enterprises/{ids['near']}?as_of=2025-06-30")
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < PAGE_HEIGHT_LIMIT
    assert page.inner_text("#todo h2") == "还缺什么"
    page.select_option("select[name=fact_1]", "employees")
    page.fill("input[name=value_1]", "很多")
    page.click("#what-if-form button[type=submit]")
    page.wait_for_selector("#what-if-error-slot #what-if-error")
    assert "职工总数" in page.inner_text("#what-if-error")
    assert page.input_value("input[name=value_1]") == "很多"
