"""An officer takes the carrier template from the upload page, uploads the province's carriers as 载体平台 in the
browser, finds them on /carriers and the pilot base's page, and a TRL-5 achievement in its field is proposed that
pilot base."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from techbridge.accounts.service import create_user
from techbridge.models import Achievement, AchievementKind, Role
from tests.e2e.browser import TEST_PASSWORD, sign_in
from tests.unit.imports.test_carriers import SAMPLE, add_regions

pytestmark = pytest.mark.e2e


def test_officer_loads_carriers_and_the_pilot_base_is_proposed(live_server: str, page: Any, session: Session) -> None:
    add_regions(session)
    create_user(session=session, username="officer", password=TEST_PASSWORD, role=Role.OFFICER)
    work = Achievement(kind=AchievementKind.TECHNOLOGY, title="一种连续流合成工艺", trl=5, field_tags=["精细化工"])
    session.add(work)
    session.commit()
    sign_in(page, live_server, "officer")
    page.goto(f"{live_server}/import")
    template = page.locator("ul.templates li", has_text="载体平台")
    assert template.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href'))") == [
        "/import/template/carrier.csv",
        "/import/template/carrier.xlsx",
    ]
    page.select_option("select[name=entity]", "carrier")
    page.set_input_files("input[name=file]", str(Path(SAMPLE)))
    page.click("#import-form button[type=submit]")
    page.wait_for_load_state("networkidle")

    page.goto(f"{live_server}/carriers?carrier_type=pilot_base")
    links = page.locator("#registry-table a.record-link")
    assert links.all_inner_texts() == ["大连精细化工中试基地"]
    links.first.click()
    page.wait_for_selector("#carrier-services")
    assert "大连市" in page.inner_text("#region")
    services = page.inner_text("#carrier-services")
    assert "TRL 4–7" in services
    assert "200 L 反应釜、连续流中试线" in services

    page.goto(f"{live_server}/achievements/{work.id}")
    page.wait_for_selector("#pilot-bases li")
    proposal = page.inner_text("#pilot-bases")
    assert "大连精细化工中试基地" in proposal
    assert "精细化工" in proposal
