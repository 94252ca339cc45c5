"""The officer dashboard in a real browser: every chart draws a canvas, the map of Liaoning renders offline,
the demonstration label and the definitions are visible."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from techbridge.accounts.service import create_user
from techbridge.models import Role
from techbridge.transfers.demo import load_demo
from tests.e2e.browser import sign_in

pytestmark = pytest.mark.e2e


def test_dashboard_charts_and_map_render(live_server: str, page: Any, session: Session) -> None:
    load_demo(session=session, seed=3)
    create_user(session=session, username="officer", password="password-1", role=Role.OFFICER)
    session.commit()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    sign_in(page, live_server, "officer")
    page.goto(f"{live_server}/dashboard")
    for chart in ("trend", "map", "fields", "types", "funnel", "days"):
        page.wait_for_selector(f"#chart-{chart} canvas")
    assert page.is_visible("#demo-label")
    assert "演示数据" in page.inner_text("#demo-banner")
    assert "本地转化率（金额口径，省内）=" in page.inner_text("#table-headline")  # defined once, by the figures
    assert all(url.startswith(live_server) for url in requests)  # no CDN: map and echarts are local
    with page.expect_download() as download:
        page.click("[data-export=cities]")
    assert download.value.suggested_filename == "techbridge-cities.xlsx"
