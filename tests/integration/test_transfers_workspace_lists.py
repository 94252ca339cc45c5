"""The transfer workbench as a list that scales: pages of `page_size` rows whose links keep the filters, search by
case / enterprise / achievement title, filters by stage, city (by name), stalled-or-not and demo-or-real."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from techbridge.config import Settings
from techbridge.models import Achievement, AchievementKind, Region, Role, Stage, TransferCase, Visibility
from tests.html_page import Page
from tests.integration.test_transfers_pages import signed_in

LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)


def seed_cases(session: Session) -> dict[str, int]:
    """Two cities, 12 fresh cases in 大连, one stalled case in 沈阳 linked to an achievement, one demo case."""
    session.add_all(
        [
            Region(code="21", name="辽宁省", level="province"),
            Region(code="2101", name="沈阳市", level="city", parent_code="21"),
            Region(code="2102", name="大连市", level="city", parent_code="21"),
        ]
    )
    achievement = Achievement(title="钠离子电池负极", kind=AchievementKind.PATENT, visibility=Visibility.PUBLIC)
    session.add(achievement)
    session.flush()
    now = datetime.now(UTC)
    for n in range(12):
        session.add(TransferCase(title=f"大连案例{n:02d}", city_code="2102", stage_entered_at=now - timedelta(hours=n)))
    stalled = TransferCase(
        title="停滞案例",
        counterpart_name="沈阳鼓风机集团",
        city_code="2101",
        stage=Stage.NEGOTIATING,
        achievement_id=achievement.id,
        stage_entered_at=LONG_AGO,
    )
    demo = TransferCase(title="演示案例", city_code="2102", is_demo=True, stage_entered_at=now)
    session.add_all([stalled, demo])
    session.commit()
    return {"stalled": stalled.id, "demo": demo.id}


def listed(html: str) -> list[str]:
    """The case titles the table shows, in order."""
    return [a.text for a in Page(html, 200).find("a", "case-table") if a.attrs["href"].startswith("/transfers/cases/")]


def next_link(html: str) -> str:
    """The href of the 下一页 link."""
    links = [e for e in Page(html, 200).elements if e.tag == "a" and e.attrs.get("rel") == "next"]
    assert len(links) == 1
    return links[0].attrs["href"]


def officer(settings: Settings, session: Session, size: int = 5) -> TestClient:
    client, _ = signed_in(settings.model_copy(update={"page_size": size}), session, Role.OFFICER, "officer1")
    return client


class TestPages:
    def test_page_two_shows_the_next_rows(self, settings: Settings, session: Session) -> None:
        seed_cases(session)
        client = officer(settings, session)
        first = client.get("/transfers")
        second = client.get("/transfers" + next_link(first.text))
        assert len(listed(first.text)) == 5
        assert len(listed(second.text)) == 5
        assert not set(listed(first.text)) & set(listed(second.text))
        all_rows = [title for n in (1, 2, 3) for title in listed(client.get(f"/transfers?page={n}").text)]
        assert len(all_rows) == len(set(all_rows)) == 14

    def test_the_page_links_keep_the_filters(self, settings: Settings, session: Session) -> None:
        seed_cases(session)
        client = officer(settings, session)
        page = client.get("/transfers", params={"q": "大连案例", "region": "大连", "stage": "matched", "data": "real"})
        query = parse_qs(urlsplit(next_link(page.text)).query)
        assert query == {"q": ["大连案例"], "region": ["大连"], "stage": ["matched"], "data": ["real"], "page": ["2"]}
        assert all(
            title.startswith("大连案例") for title in listed(client.get("/transfers" + next_link(page.text)).text)
        )

    def test_a_page_past_the_end_shows_the_last_page(self, settings: Settings, session: Session) -> None:
        seed_cases(session)
        page = officer(settings, session).get("/transfers?page=99")
        assert len(listed(page.text)) == 4
        assert 'data-page="3"' in page.text


class TestFilters:
    def test_search_finds_a_case_by_its_enterprise_or_achievement(self, settings: Settings, session: Session) -> None:
        seed_cases(session)
        client = officer(settings, session)
        assert listed(client.get("/transfers?q=鼓风机").text) == ["停滞案例"]
        assert listed(client.get("/transfers?q=钠离子").text) == ["停滞案例"]
        assert listed(client.get("/transfers?q=没有这个").text) == []

    def test_stage_city_stalled_and_demo_filters(self, settings: Settings, session: Session) -> None:
        seed_cases(session)
        client = officer(settings, session, size=50)
        assert listed(client.get("/transfers?stage=negotiating").text) == ["停滞案例"]
        assert listed(client.get("/transfers?region=沈阳").text) == ["停滞案例"]
        assert len(listed(client.get("/transfers?region=大连").text)) == 13
        assert listed(client.get("/transfers?stalled=yes").text) == ["停滞案例"]
        assert len(listed(client.get("/transfers?stalled=no").text)) == 13
        assert listed(client.get("/transfers?data=demo").text) == ["演示案例"]
        assert len(listed(client.get("/transfers?data=real").text)) == 13

    def test_an_unknown_city_says_so_and_filters_nothing(self, settings: Settings, session: Session) -> None:
        seed_cases(session)
        page = officer(settings, session, size=50).get("/transfers?region=火星")
        error = Page(page.text, page.status_code).by_id("filter-error")
        assert error is not None
        assert "火星" in error.text
        assert len(listed(page.text)) == 14

    def test_an_htmx_filter_swaps_only_the_list(self, settings: Settings, session: Session) -> None:
        seed_cases(session)
        page = officer(settings, session).get("/transfers?q=停滞", headers={"HX-Request": "true"})
        assert listed(page.text) == ["停滞案例"]
        assert "new-case" not in page.text


class TestNewCaseForm:
    def test_the_form_is_reachable_from_the_top(self, settings: Settings, session: Session) -> None:
        seed_cases(session)
        page = Page(officer(settings, session).get("/transfers").text, 200)
        link = page.by_id("new-case-link")
        heading = next(e for e in page.elements if e.tag == "h1")
        assert link is not None
        assert link in heading.children
        assert link.attrs["href"] == "#new-case-panel"
        assert "新建转化案例" in link.text
        assert [e.tag for e in page.find("form", "new-case-panel")] == ["form"]
