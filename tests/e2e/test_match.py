"""Browser: type a need, see matches update, open the achievement, see its likely adopters (local one tagged)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from tests.unit.matching.seed import seed_registry

pytestmark = pytest.mark.e2e


def test_need_to_matches_to_achievement_to_adopters(session: Session, live_server: str, page: Any) -> None:
    seeded = seed_registry(session)
    session.commit()
    page.goto(f"{live_server}/match")
    page.fill("#q", "锂电池正极材料")
    page.keyboard.press("End")
    page.keyboard.type(" ")
    first = page.locator("#achievement-hits li.hit").first
    first.wait_for(timeout=15_000)
    assert "锂电池正极材料" in page.locator("#achievement-hits mark").first.inner_text()
    assert "q=" in page.url
    page.locator(f'#achievement-hits li[data-id="{seeded.battery}"] a.hit-title').click()
    page.wait_for_url(f"**/achievements/{seeded.battery}")
    adopters = page.locator('#adopters li.hit[data-entity="enterprise"]')
    adopters.first.wait_for(timeout=15_000)
    assert adopters.first.get_attribute("data-id") == str(seeded.local_battery_maker)
    assert page.locator("#adopters .tag.local").count() >= 1


def test_a_region_typed_by_name_filters_and_a_bad_one_is_said(session: Session, live_server: str, page: Any) -> None:
    seeded = seed_registry(session)
    session.commit()
    page.goto(f"{live_server}/match")
    page.fill("#q", "锂电池正极材料")
    page.fill("input[name=region]", "沈阳")
    page.click("#match-form button[type=submit]")
    page.locator(f'#match-results li.hit[data-entity="achievement"][data-id="{seeded.battery}"]').wait_for(
        timeout=15_000
    )
    page.fill("input[name=region]", "火星")
    page.click("#match-form button[type=submit]")
    page.locator("#match-error").wait_for(timeout=15_000)
    assert "火星" in page.locator("#match-error").inner_text()
    assert page.input_value("input[name=region]") == "火星"
    assert page.locator("#achievement-hits").count() == 0


def test_the_region_picker_lists_cities_by_name(session: Session, live_server: str, page: Any) -> None:
    seed_registry(session)
    session.commit()
    page.goto(f"{live_server}/match")
    page.locator("input[name=region]").press_sequentially("沈阳")
    page.locator('#pick-region option[value="沈阳市 [2101]"]').wait_for(state="attached", timeout=15_000)


def test_a_saved_need_shows_its_matches_and_is_matched_again(session: Session, live_server: str, page: Any) -> None:
    from techbridge.models import Demand

    seeded = seed_registry(session)
    demand = Demand(title="锂电池正极材料降本", description="高镍三元正极材料", region_code="2101")
    session.add(demand)
    session.commit()
    page.goto(f"{live_server}/demands/{demand.id}")
    page.locator(f'#demand-matches li.hit[data-entity="achievement"][data-id="{seeded.battery}"]').wait_for(
        timeout=15_000
    )
    assert page.locator("#demand-matches > h2").inner_text() == "匹配的成果和专家"  # kept after the lazy load
    page.click("#match-again")
    page.wait_for_url("**/match?demand=*")
    assert page.input_value("#q").startswith("锂电池正极材料降本")
    assert page.input_value("input[name=region]") == "沈阳市 [2101]"
    page.locator(f'#match-results li.hit[data-entity="achievement"][data-id="{seeded.battery}"]').wait_for(
        timeout=15_000
    )
