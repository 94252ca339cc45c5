"""Tier pages in a real browser: an enterprise's ladder with the HTMX what-if, and an officer's pools with the chart."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from tests.e2e.browser import sign_in
from tests.integration.test_tiers_pages import seed

pytestmark = pytest.mark.e2e


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
