"""The tier page as a person reads it (parsed HTML, zh and en): criteria in sentences with threshold and unit, the
enterprise's value, 「还缺什么」 at the top with a way to the fact form, what-if errors beside the form; no operator
codes and no internal fact keys in the visible text."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from techbridge.config import Settings
from techbridge.policies.facts import load_fact_specs
from techbridge.web.app import create_app
from tests.integration.test_tiers_pages import seed, sign_in

CODE = re.compile(r"\b(ge|gt|le|lt|is_true|is_false|contains_any|exists)\b|levels=|within_years|rank_le")
VOID = frozenset({"input", "br", "img", "meta", "link", "hr", "source", "area", "col", "wbr"})


class Page(HTMLParser):
    """Visible text (scripts and styles left out) overall and per element with an id, and every start tag."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.by_id: dict[str, list[str]] = {}
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.order: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.tags.append((tag, found))
        if found.get("id"):
            self.order.append(str(found["id"]))
        if tag not in VOID:
            self.stack.append((tag, found))

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        if any(tag in ("script", "style", "title") for tag, _ in self.stack):
            return
        self.text.append(data)
        for _, attrs in self.stack:
            if attrs.get("id"):
                self.by_id.setdefault(str(attrs["id"]), []).append(data)

    def visible(self, element_id: str | None = None) -> str:
        """The text of the page or of one element, spaces collapsed."""
        parts = self.text if element_id is None else self.by_id.get(element_id, [])
        return " ".join(" ".join(parts).split())


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    return page


def client_for(settings: Settings, session: Session, user: str = "ent") -> tuple[TestClient, dict[str, int], str]:
    ids = seed(session)
    client = TestClient(create_app(settings))
    token = sign_in(client, user)
    return client, ids, token


class TestCriteriaInWords:
    @pytest.mark.parametrize(
        ("lang", "rule", "now"),
        [
            ("zh", "职工总数需不超过 500人", "目前 100人"),
            ("en", "employees must be at most 500 people", "now 100 people"),
        ],
    )
    def test_a_threshold_reads_as_a_sentence_with_its_unit_and_the_value(
        self, settings: Settings, session: Session, lang: str, rule: str, now: str
    ) -> None:
        client, ids, _ = client_for(settings, session)
        page = parse(client.get(f"/tiers/enterprises/{ids['near']}?as_of=2025-06-30&lang={lang}").text)
        text = page.visible()
        assert f"{rule} · {now}" in text
        assert "万元" in text if lang == "zh" else "10,000 yuan" in text

    @pytest.mark.parametrize("lang", ["zh", "en"])
    def test_no_operator_codes_and_no_fact_keys_are_shown(
        self, settings: Settings, session: Session, lang: str
    ) -> None:
        client, ids, _ = client_for(settings, session, "officer")
        for org in ("near", "dalian"):
            text = parse(client.get(f"/tiers/enterprises/{ids[org]}?as_of=2025-06-30&lang={lang}").text).visible()
            assert CODE.search(text) is None, CODE.search(text)
            keys = [fact for fact in load_fact_specs() if "_" in fact and fact in text]
            assert keys == []

    @pytest.mark.parametrize(
        ("lang", "advice"),
        [
            ("zh", "职工总数需不超过 500人（目前 700人）"),
            ("en", "employees must be at most 500 people (now 700 people)"),
        ],
    )
    def test_a_gap_is_advice_in_a_sentence(self, settings: Settings, session: Session, lang: str, advice: str) -> None:
        client, ids, token = client_for(settings, session)
        form = {"csrf_token": token, "as_of": "2025-06-30", "fact_1": "employees", "value_1": "700"}
        html = client.post(
            f"/tiers/enterprises/{ids['near']}/what-if?lang={lang}", data=form, headers={"HX-Request": "true"}
        ).text
        gaps = [a for t, a in parse(html).tags if t == "li" and a.get("class") == "gap"]
        assert {"class": "gap", "data-criterion": "employees"} in gaps
        text = parse(html).visible()
        assert advice in text
        assert "−700" not in text
        assert "职工总数 = 700人" in text if lang == "zh" else "employees = 700 people" in text


class TestWhatIsMissing:
    def test_the_list_is_at_the_top_with_units_and_links_to_the_fact_form(
        self, settings: Settings, session: Session
    ) -> None:
        client, ids, _ = client_for(settings, session, "officer")
        page = parse(client.get(f"/tiers/enterprises/{ids['dalian']}?as_of=2025-06-30").text)
        todo = page.visible("todo")
        assert todo.startswith("还缺什么")
        assert "营业收入 单位：万元" in todo
        assert "高企创新能力评价得分" in todo
        assert page.order.index("todo") < page.order.index("what-if-form") < page.order.index("tier-results")
        links = [a["href"] for t, a in page.tags if t == "a" and (a.get("href") or "").startswith("?fact=")]
        assert "?fact=hnte_innovation_score&as_of=2025-06-30#save-fact-form" in links
        assert ("a", {"class": "button", "id": "todo-button", "href": "#save-fact-form"}) in page.tags

    def test_a_link_preselects_the_fact_on_the_form(self, settings: Settings, session: Session) -> None:
        client, ids, _ = client_for(settings, session, "officer")
        html = client.get(f"/tiers/enterprises/{ids['dalian']}?fact=total_assets&lang=en").text
        chosen = [a["value"] for t, a in parse(html).tags if t == "option" and "selected" in a]
        assert chosen == ["total_assets"]
        assert "total assets (× 10,000 yuan)" in parse(html).visible("save-fact-form")


class TestWhatIfError:
    @pytest.mark.parametrize(
        ("lang", "message"),
        [("zh", "第 1 行 职工总数：无法识别“many”，应为整数"), ("en", "row 1, employees: cannot read 'many'")],
    )
    def test_htmx_puts_the_error_beside_the_form(
        self, settings: Settings, session: Session, lang: str, message: str
    ) -> None:
        client, ids, token = client_for(settings, session)
        form = {"csrf_token": token, "fact_1": "employees", "value_1": "many"}
        response = client.post(
            f"/tiers/enterprises/{ids['near']}/what-if?lang={lang}", data=form, headers={"HX-Request": "true"}
        )
        assert response.status_code == 422
        page = parse(response.text)
        assert ("div", {"id": "what-if-error-slot", "hx-swap-oob": "true"}) in page.tags
        assert message in page.visible("what-if-error")

    def test_without_htmx_the_page_shows_it_under_the_form_with_the_input_kept(
        self, settings: Settings, session: Session
    ) -> None:
        client, ids, token = client_for(settings, session)
        form = {"csrf_token": token, "fact_1": "employees", "value_1": "many"}
        response = client.post(f"/tiers/enterprises/{ids['near']}/what-if", data=form)
        assert response.status_code == 422
        page = parse(response.text)
        assert "职工总数" in page.visible("what-if-error-slot")
        assert "无法识别" not in page.visible("tier-results")
        assert page.order.index("what-if-form") < page.order.index("what-if-error") < page.order.index("tier-results")
        assert ("input", {"name": "value_1", "size": "18", "aria-label": "取值 1", "value": "many"}) in page.tags
