"""Registry portal pages through a real DB: lists, HTMX partials, details, visibility, 404s, forms and CSRF."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from techbridge.config import Settings
from techbridge.web.app import create_app
from tests.registry_seed import PASSWORD, Seed, make_many_achievements, seed_registry

VOID = {"input", "br", "meta", "link", "img", "hr"}


class _Select(HTMLParser):
    """Text of every element carrying `attr` whose value contains `value` (a tiny CSS-selector stand-in)."""

    def __init__(self, attr: str, value: str) -> None:
        super().__init__()
        self.attr, self.value = attr, value
        self.depth: list[int] = []
        self.level = 0
        self.found: list[list[str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID:
            return
        self.level += 1
        if any(k == self.attr and v is not None and self.value in v.split() for k, v in attrs):
            self.depth.append(self.level)
            self.found.append([])

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if self.depth and self.depth[-1] == self.level:
            self.depth.pop()
        self.level -= 1

    def handle_data(self, data: str) -> None:
        for index in range(len(self.depth)):
            self.found[len(self.found) - len(self.depth) + index].append(data)


def select_text(html: str, attr: str, value: str) -> list[str]:
    """Whitespace-normalized texts of the elements whose `attr` contains `value`."""
    parser = _Select(attr, value)
    parser.feed(html)
    return [" ".join("".join(parts).split()) for parts in parser.found]


@pytest.fixture
def seed(session: Session) -> Seed:
    seeded = seed_registry(session)
    session.commit()
    return seeded


@pytest.fixture
def client(settings: Settings) -> TestClient:
    return TestClient(create_app(settings))


def csrf_of(client: TestClient) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert match is not None
    return match.group(1)


def sign_in(client: TestClient, username: str) -> str:
    token = csrf_of(client)
    response = client.post(
        "/login", data={"username": username, "password": PASSWORD, "csrf_token": token}, follow_redirects=False
    )
    assert response.status_code == 303
    return token


class TestLists:
    @pytest.mark.parametrize(
        ("path", "expected"),
        [
            ("/enterprises", "沈阳新松机器人自动化股份有限公司"),
            ("/institutions", "大连理工大学"),
            ("/carriers", "沈阳中试基地"),
            ("/experts", "王教授"),
            ("/achievements", "一种六轴工业机器人关节减速器"),
            ("/demands", "高精度减速器寿命提升"),
            ("/regions", "沈阳市"),
        ],
    )
    def test_every_list_shows_its_rows(self, client: TestClient, seed: Seed, path: str, expected: str) -> None:
        response = client.get(path)
        assert response.status_code == 200
        assert expected in select_text(response.text, "class", "record-link")

    def test_hidden_rows_are_not_listed_for_anonymous(self, client: TestClient, seed: Seed) -> None:
        links = select_text(client.get("/achievements").text, "class", "record-link")
        assert links == ["一种六轴工业机器人关节减速器"]

    def test_owner_sees_owner_only_rows_in_the_list(self, client: TestClient, seed: Seed) -> None:
        sign_in(client, "ent")
        assert "仅所有者可见的视觉检测算法" in select_text(client.get("/achievements").text, "class", "record-link")

    def test_htmx_request_gets_only_the_table(self, client: TestClient, seed: Seed) -> None:
        response = client.get("/achievements?q=减速器", headers={"HX-Request": "true"})
        assert "<html" not in response.text
        assert 'id="registry-table"' in response.text
        assert select_text(response.text, "class", "record-link") == ["一种六轴工业机器人关节减速器"]

    def test_keyword_box_filters(self, client: TestClient, seed: Seed) -> None:
        assert select_text(client.get("/enterprises?q=新松").text, "class", "record-link") == [
            "沈阳新松机器人自动化股份有限公司"
        ]
        assert select_text(client.get("/enterprises?q=不存在").text, "class", "record-link") == []

    def test_pagination_moves_through_pages(self, client: TestClient, session: Session, seed: Seed) -> None:
        make_many_achievements(session, 30)
        session.commit()
        first = client.get("/achievements?sort=title")
        second = client.get("/achievements?sort=title&page=2")
        first_rows = select_text(first.text, "class", "record-link")
        second_rows = select_text(second.text, "class", "record-link")
        assert len(first_rows) == 20
        assert len(second_rows) == 11
        assert first_rows == sorted(first_rows)
        assert not set(first_rows) & set(second_rows)
        assert 'rel="next"' in first.text

    def test_a_capped_total_reads_as_a_number_with_a_plus(
        self, client: TestClient, session: Session, seed: Seed, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        from techbridge.registry import list_queries

        make_many_achievements(session, 30)
        session.commit()
        monkeypatch.setattr(list_queries, "COUNT_CAP", 25)
        zh = client.get("/achievements").text
        en = client.get("/achievements?lang=en").text
        assert "共 25+ 条" in zh
        assert "超过" not in zh
        assert "25+ rows" in en

    def test_sorting_by_year_descending(self, client: TestClient, session: Session, seed: Seed) -> None:
        make_many_achievements(session, 12)
        session.commit()
        response = client.get("/achievements?sort=-year")
        assert 'aria-sort="descending"' in response.text
        rows = select_text(response.text, "class", "record-link")
        assert rows[0] == "批量成果 009"  # year 2024


class TestDetails:
    def test_enterprise_page_shows_facts_and_capability_panels(self, client: TestClient, seed: Seed) -> None:
        html = client.get(f"/enterprises/{seed.enterprise_id}").text
        assert select_text(html, "id", "credit-code") == ["91210100604607919A"]
        assert select_text(html, "id", "region") == ["沈阳市 (2101)"]
        assert "工业机器人制造" in select_text(html, "id", "industries")[0]
        assert "工业机器人" in select_text(html, "id", "chain-nodes")[0]
        for url in ("/match/enterprises/{id}/recommended", "/chains/enterprises/{id}"):
            assert f'hx-get="{url.format(id=seed.enterprise_id)}"' in html

    def test_every_panel_of_the_enterprise_page_loads(self, client: TestClient, seed: Seed) -> None:
        """A panel whose fragment answers 404 left a console error and vanished (the tiers one had no route)."""
        html = client.get(f"/enterprises/{seed.enterprise_id}").text
        urls = re.findall(r'hx-get="(/[^"]+)" hx-trigger="load"', html)
        assert urls
        for url in urls:
            assert client.get(url).status_code == 200, url
        assert f'href="/tiers/enterprises/{seed.enterprise_id}"' not in html  # facts are the enterprise's and officers'

    def test_achievement_page_shows_owners_ipc_and_panels(self, client: TestClient, seed: Seed) -> None:
        html = client.get(f"/achievements/{seed.public_achievement_id}").text
        assert "王教授" in select_text(html, "id", "owners")[0]
        assert "B25J" in select_text(html, "id", "ipc")[0]
        assert select_text(html, "id", "transfer-modes") == ["许可"]
        assert f'hx-get="/match/achievements/{seed.public_achievement_id}/adopters"' in html
        assert f'hx-get="/transfers/achievements/{seed.public_achievement_id}/pilot-bases"' in html

    @pytest.mark.parametrize("path", ["/enterprises/9999", "/achievements/9999", "/experts/9999", "/demands/9999"])
    def test_unknown_ids_are_404(self, client: TestClient, seed: Seed, path: str) -> None:
        assert client.get(path).status_code == 404

    def test_an_institution_is_not_an_enterprise(self, client: TestClient, seed: Seed) -> None:
        assert client.get(f"/enterprises/{seed.university_id}").status_code == 404
        assert client.get(f"/institutions/{seed.university_id}").status_code == 200


class TestVisibility:
    @pytest.mark.parametrize(
        ("username", "private", "registered"),
        [(None, 404, 404), ("other", 404, 200), ("ent", 200, 200), ("officer", 200, 200)],
    )
    def test_detail_pages_follow_visibility(
        self, client: TestClient, seed: Seed, username: str | None, private: int, registered: int
    ) -> None:
        if username:
            sign_in(client, username)
        assert client.get(f"/achievements/{seed.private_achievement_id}").status_code == private
        assert client.get(f"/demands/{seed.private_demand_id}").status_code == private
        assert client.get(f"/achievements/{seed.registered_achievement_id}").status_code == registered

    def test_expert_contact_needs_a_signed_in_viewer(self, client: TestClient, seed: Seed) -> None:
        anonymous = client.get(f"/experts/{seed.expert_id}").text
        assert "wang@dlut.edu.cn" not in anonymous
        sign_in(client, "other")
        assert "wang@dlut.edu.cn" in select_text(client.get(f"/experts/{seed.expert_id}").text, "id", "contact")[0]

    def test_home_counts_only_what_the_viewer_may_read(self, client: TestClient, seed: Seed) -> None:
        anonymous = select_text(client.get("/").text, "class", "count")
        sign_in(client, "officer")
        officer = select_text(client.get("/").text, "class", "count")
        # cards: enterprise, institution, carrier, expert, achievement, demand, chain_node, chain_edge, region
        assert anonymous[:6] == ["1", "1", "1", "1", "1", "1"]
        assert officer[:6] == ["2", "1", "1", "1", "3", "2"]


class TestForms:
    def test_anonymous_is_sent_to_sign_in(self, client: TestClient, seed: Seed) -> None:
        response = client.get("/demands/new", follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/login?next=")

    def test_post_without_csrf_is_rejected(self, client: TestClient, seed: Seed) -> None:
        sign_in(client, "ent")
        response = client.post("/demands", data={"title": "机器人减速器降噪"})
        assert response.status_code == 403
        assert client.get("/demands?q=降噪").text.count("record-link") == 0

    def test_invalid_form_is_422_with_chinese_field_errors(self, client: TestClient, seed: Seed) -> None:
        token = sign_in(client, "ent")
        response = client.post("/demands", data={"title": "x", "budget": "abc", "csrf_token": token})
        assert response.status_code == 422
        errors = dict(
            zip(
                re.findall(r'data-field="([^"]+)"', response.text),
                select_text(response.text, "class", "field-error"),
                strict=True,
            )
        )
        assert errors["title"] == "标题：至少需要 2 个字符"
        assert errors["budget"] == "预算：请输入数字"
        assert 'value="x"' in response.text  # the user's input is kept

    def test_unknown_region_is_a_field_error(self, client: TestClient, seed: Seed) -> None:
        token = sign_in(client, "ent")
        response = client.post("/demands", data={"title": "某个需求", "region_code": "9999", "csrf_token": token})
        assert response.status_code == 422
        assert "未知的行政区划代码 9999" in select_text(response.text, "class", "field-error")[0]

    def test_valid_demand_redirects_to_its_page(self, client: TestClient, seed: Seed) -> None:
        token = sign_in(client, "ent")
        data = {"title": "机器人减速器降噪", "budget": "80", "field_tags": "降噪、齿轮", "csrf_token": token}
        response = client.post("/demands", data=data, follow_redirects=False)
        assert response.status_code == 303
        page = client.get(response.headers["location"])
        assert page.status_code == 200
        assert select_text(page.text, "id", "enterprise") == ["沈阳新松机器人自动化股份有限公司"]
        assert select_text(page.text, "id", "budget") == ["80.00"]

    def test_achievement_form_checks_trl_and_saves_modes(self, client: TestClient, seed: Seed) -> None:
        token = sign_in(client, "ent")
        bad = client.post("/achievements", data={"title": "力控技术", "trl": "12", "csrf_token": token})
        assert bad.status_code == 422
        assert select_text(bad.text, "class", "field-error") == ["技术就绪度：不能大于 9"]
        data = {"title": "力控技术", "trl": "5", "transfer_modes": ["license", "equity"], "csrf_token": token}
        good = client.post("/achievements", data=data, follow_redirects=False)
        assert good.status_code == 303
        assert select_text(client.get(good.headers["location"]).text, "id", "transfer-modes") == ["许可作价入股"]
