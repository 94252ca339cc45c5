"""The dashboard's filters through the app on the demonstration set: a quarter range, seller kinds and a region by
name change every registry figure; the 「查看卡点」 link carries them (and the demo data set) to the bottleneck page,
which then counts the cases the dashboard's funnel counted."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from techbridge.config import Settings
from techbridge.models import Region, Role
from techbridge.transfers.demo import load_demo
from tests.html_page import Page
from tests.integration.test_transfers_pages import signed_in

CARDS = ("rate_value", "rate_count", "contracts", "turnover")
TABLES = ("headline", "quarters", "cities", "fields", "types", "flows", "funnel")


@pytest.fixture
def officer(settings: Settings, session: Session) -> TestClient:
    """An officer's client on the demonstration set (480 contracts 2023–2025, 48 cases opened in 2025)."""
    session.add_all(
        [
            Region(code="21", name="辽宁省", level="province"),
            Region(code="2101", name="沈阳市", level="city", parent_code="21"),
            Region(code="2102", name="大连市", level="city", parent_code="21"),
            Region(code="11", name="北京市", level="province"),
        ]
    )
    load_demo(session=session, seed=7)
    client, _ = signed_in(settings, session, Role.OFFICER)
    return client


def figures(client: TestClient, query: str = "") -> dict[str, str]:
    """Every registry figure on the page: the cards' numbers and each table's cell text."""
    response = client.get(f"/dashboard?{query}")
    assert response.status_code == 200
    page = Page(response.text, 200)
    shown = {}
    for card in page.elements:
        if card.attrs.get("data-figure") in CARDS:
            shown[card.attrs["data-figure"]] = card.children[0].text
    for name in TABLES:
        shown[name] = "|".join(cell.text for cell in page.find("td", f"table-{name}"))
    return shown


def funnel_cases(html: str) -> str:
    """The number of cases the funnel's first stage reached."""
    return Page(html, 200).find("td", "table-funnel")[1].text


class TestFilters:
    def test_a_quarter_range_changes_every_figure(self, officer: TestClient) -> None:
        everything = figures(officer)
        ranged = figures(officer, "from=2025Q1&to=2025Q2")
        changed = {name for name in everything if everything[name] != ranged[name]}
        assert changed == set(CARDS) | set(TABLES)
        assert "2024Q4" in everything["quarters"]
        assert ranged["quarters"].startswith("2025Q1")
        assert "2025Q3" not in ranged["quarters"]

    def test_seller_kinds_change_every_figure(self, officer: TestClient) -> None:
        default = figures(officer)
        enterprises = figures(officer, "sellers=university&sellers=institute&sellers=enterprise&sellers=other")
        changed = {name for name in default if default[name] != enterprises[name]}
        assert set(CARDS) - {"rate_value", "rate_count"} <= changed  # the rates may agree by chance; the sums cannot
        assert {"fields", "types", "flows"} <= changed

    def test_the_page_says_which_seller_kinds_its_turnover_counts(self, officer: TestClient) -> None:
        default = Page(officer.get("/dashboard").text, 200).by_id("turnover-counts")
        assert default is not None
        assert "高校、科研院所" in default.text
        assert "--sellers university,institute" in default.text
        every = officer.get("/dashboard?sellers=university&sellers=enterprise")
        note = Page(every.text, 200).by_id("turnover-counts")
        assert note is not None
        assert "高校、企业" in note.text

    def test_a_city_typed_by_name_narrows_the_figures(self, officer: TestClient) -> None:
        province = figures(officer)
        dalian = figures(officer, "region=大连")
        assert dalian["cities"].startswith("大连市")
        assert "沈阳市" not in dalian["cities"]
        assert dalian["contracts"] != province["contracts"]
        page = officer.get("/dashboard?region=大连").text
        assert "本市" in page  # the headline now states the city scope
        assert "卖方为大连市 (2102)" in page  # the definition names the city, not 地区 2102

    def test_a_region_outside_the_province_says_so(self, officer: TestClient) -> None:
        page = Page(officer.get("/dashboard?region=北京").text, 200)
        error = page.by_id("filter-error")
        assert error is not None
        assert "不在本省" in error.text

    def test_what_cannot_be_filtered_says_so_beside_it(self, officer: TestClient) -> None:
        page = Page(officer.get("/dashboard?region=大连").text, 200)
        for note in ("connect-unfiltered", "official-unfiltered", "absorb-unfiltered"):
            element = page.by_id(note)
            assert element is not None
            assert "不随" in element.text


class TestBottleneckLink:
    def test_the_link_keeps_the_filters_and_the_demo_set(self, officer: TestClient) -> None:
        query = "sellers=university&region=大连&from=2025Q1&to=2025Q3"
        page = Page(officer.get(f"/dashboard?{query}").text, 200)
        link = page.by_id("bottlenecks-link")
        assert link is not None
        kept = parse_qs(urlsplit(link.attrs["href"]).query)
        assert kept == {
            "sellers": ["university"],
            "region": ["大连"],
            "from": ["2025Q1"],
            "to": ["2025Q3"],
            "data": ["demo"],
        }

    @pytest.mark.parametrize("query", ["", "from=2025Q2&to=2025Q3", "sellers=institute"])
    def test_the_bottleneck_page_counts_the_cases_the_funnel_counted(self, officer: TestClient, query: str) -> None:
        dashboard = officer.get(f"/dashboard?{query}").text
        href = Page(dashboard, 200).by_id("bottlenecks-link").attrs["href"]  # type: ignore[union-attr]
        bottlenecks = Page(officer.get(href + "&by=field").text, 200)
        rows = [row for row in bottlenecks.find("tr", "bottlenecks") if row.children and row.children[0].tag == "td"]
        per_field = [int(row.children[1].text) for row in rows]
        assert sum(per_field) == int(funnel_cases(dashboard)) > 0
