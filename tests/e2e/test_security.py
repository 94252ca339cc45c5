"""The Content-Security-Policy in a real browser: pages with charts, HTMX and the former inline handlers still work,
and chromium reports no blocked script or style."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from tests.e2e.browser import sign_in
from tests.integration.test_tiers_pages import seed

pytestmark = pytest.mark.e2e


def _watch_violations(page: Any) -> list[str]:
    seen: list[str] = []
    page.on("console", lambda msg: seen.append(msg.text) if "Content Security Policy" in msg.text else None)
    return seen


def test_pages_run_under_the_policy(live_server: str, page: Any, session: Session) -> None:
    ids = seed(session)
    violations = _watch_violations(page)
    sign_in(page, live_server, "officer")
    page.goto(f"{live_server}/tiers/pools?policy=hnte&as_of=2025-06-30")
    page.wait_for_selector("#ladder-chart canvas")
    assert page.eval_on_selector("#ladder-chart", "el => el.getBoundingClientRect().height") == 360
    page.goto(f"{live_server}/tiers")
    page.fill("input[name=enterprise]", "乙科技")
    page.click("#open-enterprise button[type=submit]")
    page.wait_for_url(f"**/tiers/enterprises/{ids['near']}")
    page.goto(f"{live_server}/")
    page.goto(f"{live_server}/login")
    assert violations == []


def test_save_need_copies_the_typed_text(live_server: str, page: Any, session: Session) -> None:
    seed(session)
    violations = _watch_violations(page)
    sign_in(page, live_server, "officer")
    page.goto(f"{live_server}/match")
    page.fill("#q", "工业机器人视觉检测")
    page.click("#save-demand button[type=submit]")
    page.wait_for_url("**/demands/*")
    assert "工业机器人视觉检测" in page.content()
    assert violations == []
