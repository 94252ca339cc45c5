"""English pages and English API answers say their interface in English: match reasons name the region in the
reader's language, chain titles are the curated English ones, the tier pools and the dashboard's city table name
cities in English (zh pages keep the Chinese names). Record content (titles, node names) stays as it is."""

from __future__ import annotations

import json
import re
from io import BytesIO

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from techbridge.config import Settings
from techbridge.db import session_scope
from techbridge.models import Region, Role
from techbridge.transfers.demo import load_demo
from techbridge.web.app import create_app
from tests.html_page import Page
from tests.integration.test_tiers_pages import seed as seed_tiers
from tests.integration.test_tiers_pages import sign_in
from tests.integration.test_transfers_pages import signed_in
from tests.unit.chains.seed import seed_chain_graph
from tests.unit.matching.seed import Seeded, seed_registry

LOCAL = {"zh": "位于本省（沈阳市 (2101)）", "en": "In the home region (Shenyang (2101))"}
CHINESE = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff01-\uff5e]")
"""Chinese characters and Chinese (full-width) punctuation."""
PETROCHEM = {"zh": "石化和精细化工", "en": "Petrochemicals and fine chemicals"}


def _page(response: object) -> Page:
    return Page(response.text, response.status_code)  # type: ignore[attr-defined]


def _local_reasons(response: object) -> list[str]:
    return [e.text for e in _page(response).elements if e.attrs.get("data-code") == "local"]


@pytest.fixture
def seeded(settings: Settings) -> Seeded:
    """The matching test registry (辽宁省, 沈阳市, 广东省, 深圳市), committed."""
    with session_scope(settings.database_url) as session:
        return seed_registry(session)


@pytest.fixture
def client(settings: Settings) -> TestClient:
    return TestClient(create_app(settings))


class TestMatchReasons:
    @pytest.mark.parametrize("lang", ["zh", "en"])
    def test_the_adopters_fragment_names_the_local_region_in_the_pages_language(
        self, client: TestClient, seeded: Seeded, lang: str
    ) -> None:
        response = client.get(f"/match/achievements/{seeded.battery}/adopters", params={"lang": lang})
        assert response.status_code == 200
        assert LOCAL[lang] in _local_reasons(response)

    @pytest.mark.parametrize("lang", ["zh", "en"])
    def test_the_match_page_names_the_local_region_in_the_pages_language(
        self, client: TestClient, seeded: Seeded, lang: str
    ) -> None:
        response = client.get("/match", params={"q": "锂电池正极材料", "lang": lang})
        assert response.status_code == 200
        assert LOCAL[lang] in _local_reasons(response)

    def test_the_language_cookie_alone_makes_the_reasons_english(self, client: TestClient, seeded: Seeded) -> None:
        client.cookies.set("lang", "en")  # a lazily loaded panel carries no ?lang=
        fragment = client.get(f"/match/achievements/{seeded.battery}/adopters")
        assert _local_reasons(fragment) == [LOCAL["en"]]

    @pytest.mark.parametrize("lang", ["zh", "en"])
    def test_the_api_gives_the_region_code_and_the_reason_in_the_callers_language(
        self, client: TestClient, seeded: Seeded, lang: str
    ) -> None:
        hits = client.get(f"/api/match/achievements/{seeded.battery}/adopters", params={"lang": lang}).json()["hits"]
        local = next(r for r in hits[0]["reasons"] if r["code"] == "local")
        assert local == {"code": "local", "params": {"region": "2101"}, "text": LOCAL[lang]}

    @pytest.mark.parametrize(
        ("lang", "terms"), [("zh", "命中关键词：正极材料、锂电池"), ("en", "Matched terms: 正极材料, 锂电池")]
    )
    def test_matched_terms_are_listed_with_the_pages_punctuation(
        self, client: TestClient, seeded: Seeded, lang: str, terms: str
    ) -> None:
        response = client.get("/match", params={"q": "锂电池正极材料", "lang": lang})
        shown = [e.text for e in _page(response).elements if e.attrs.get("data-code") == "terms"]
        assert terms in shown

    def test_a_region_naming_nothing_is_explained_in_english(self, client: TestClient, seeded: Seeded) -> None:
        response = client.get("/match", params={"q": "锂电池", "region": "火星", "lang": "en"})
        assert response.status_code == 422
        error = _page(response).by_id("region-error")
        assert error is not None
        assert (
            error.text
            == "no region '火星'; type a province, city or county name such as Liaoning, Dalian or Shenhe District"
        )

    def test_the_need_api_says_every_reason_in_english_when_asked(self, client: TestClient, seeded: Seeded) -> None:
        data = client.get("/api/match", params={"q": "锂电池正极材料", "lang": "en"}).json()
        reasons = [r for hit in data["achievements"] for r in hit["reasons"]]
        assert LOCAL["en"] in [r["text"] for r in reasons if r["code"] == "local"]
        assert all("本省" not in r["text"] for r in reasons)


@pytest.fixture
def chains(settings: Settings, session: Session) -> TestClient:
    """The hand-made chain graph (PTA, 恒力石化 …), committed."""
    seed_chain_graph(session)
    session.commit()
    return TestClient(create_app(settings))


class TestChainTitles:
    @pytest.mark.parametrize("lang", ["zh", "en"])
    @pytest.mark.parametrize("path", ["/chains/petrochem", "/chains/petrochem/report"])
    def test_a_curated_chain_page_is_titled_in_the_pages_language(
        self, chains: TestClient, lang: str, path: str
    ) -> None:
        page = _page(chains.get(path, params={"region": "21", "lang": lang}))
        assert page.status == 200
        heading = next(e for e in page.elements if e.tag == "h1")
        assert heading.text.startswith(PETROCHEM[lang])
        other = PETROCHEM["zh" if lang == "en" else "en"]
        assert other not in heading.text
        assert other not in next(e for e in page.elements if e.tag == "title").text

    def test_the_region_error_page_is_titled_in_english_too(self, chains: TestClient) -> None:
        page = _page(chains.get("/chains/petrochem", params={"region": "火星", "lang": "en"}))
        assert page.status == 422
        assert next(e for e in page.elements if e.tag == "h1").text == PETROCHEM["en"]

    @pytest.mark.parametrize(("lang", "about"), [("zh", "说明"), ("en", "About")])
    def test_the_report_workbook_is_in_the_pages_language(self, chains: TestClient, lang: str, about: str) -> None:
        response = chains.get("/chains/petrochem/report.xlsx", params={"region": "21", "lang": lang})
        assert response.status_code == 200
        book = load_workbook(BytesIO(response.content))
        assert book.sheetnames[0] == about
        assert book[about]["B1"].value == PETROCHEM[lang]

    def test_an_ad_hoc_chain_keeps_its_root_nodes_name(self, chains: TestClient) -> None:
        page = _page(chains.get("/chains/精对苯二甲酸", params={"region": "21", "lang": "en"}))
        assert page.status == 200
        assert next(e for e in page.elements if e.tag == "h1").text.startswith("精对苯二甲酸")  # data: no translation

    def test_the_chain_list_describes_chains_in_english(self, chains: TestClient) -> None:
        page = _page(chains.get("/chains", params={"region": "21", "lang": "en"}))
        row = next(e for e in page.elements if e.attrs.get("data-chain") == "consumer_goods" and e.tag == "tr")
        assert "Food processing, aquatic products" in row.text
        assert "食品加工" not in row.text

    def test_an_enterprises_chains_are_titled_in_english(self, chains: TestClient) -> None:
        page = _page(chains.get("/chains/enterprises/100", params={"lang": "en"}))
        item = next(e for e in page.elements if e.attrs.get("data-chain") == "petrochem")
        assert item.text.startswith(PETROCHEM["en"])

    @pytest.mark.parametrize(("lang", "cells"), [("zh", ["产品", "主营产品"]), ("en", ["Product", "Main product"])])
    def test_an_enterprises_chain_links_name_kind_and_relation_in_the_pages_language(
        self, chains: TestClient, lang: str, cells: list[str]
    ) -> None:
        page = _page(chains.get("/enterprises/100", params={"lang": lang}))
        rows = [[c.text for c in e.children] for e in page.elements if e.tag == "tr" and e.children[0].tag == "td"]
        linked = [row[1:3] for row in rows if len(row) == 4]
        assert cells in linked

    @pytest.mark.parametrize("lang", ["zh", "en"])
    def test_the_api_gives_the_title_in_the_callers_language(self, chains: TestClient, lang: str) -> None:
        params = {"lang": lang}
        shown = chains.get("/api/chains/petrochem", params=params).json()
        assert (shown["title"], shown["title_text"]) == (PETROCHEM["zh"], PETROCHEM[lang])
        report = chains.get("/api/chains/petrochem/report", params={**params, "region": "21"}).json()
        assert (report["chain"]["title"], report["chain"]["title_text"]) == (PETROCHEM["zh"], PETROCHEM[lang])
        listed = next(c for c in chains.get("/api/chains", params=params).json() if c["id"] == "petrochem")
        assert listed["title_text"] == PETROCHEM[lang]
        assert listed["description_text"] == (listed["description"] if lang == "zh" else listed["description_en"])
        mine = chains.get("/api/chains/enterprises/100", params=params).json()
        assert next(c for c in mine if c["id"] == "petrochem")["title_text"] == PETROCHEM[lang]

    def test_the_api_names_an_ad_hoc_chain_by_its_root_in_every_language(self, chains: TestClient) -> None:
        shown = chains.get("/api/chains/PTA", params={"lang": "en"}).json()
        assert shown["title_text"] == shown["title"] == "PTA"


def _chart(page: Page, element_id: str) -> dict[str, object]:
    element = page.by_id(element_id)
    assert element is not None
    return json.loads(element.attrs["data-echarts"])  # type: ignore[no-any-return]


class TestTierPoolCities:
    @pytest.mark.parametrize(("lang", "city"), [("zh", "沈阳市"), ("en", "Shenyang")])
    def test_the_ladder_and_the_city_filter_name_cities_in_the_pages_language(
        self, settings: Settings, session: Session, lang: str, city: str
    ) -> None:
        seed_tiers(session)
        client = TestClient(create_app(settings))
        sign_in(client, "officer")
        page = _page(client.get("/tiers/pools", params={"policy": "hnte", "as_of": "2025-06-30", "lang": lang}))
        assert page.status == 200
        assert _chart(page, "ladder-chart")["xAxis"] == {"type": "category", "data": [city]}
        options = [e.text for e in page.elements if e.tag == "option" and e.attrs.get("value") == "2101"]
        assert options == [city]


class TestTierPunctuation:
    def test_english_pool_rows_and_criteria_use_english_punctuation(self, settings: Settings, session: Session) -> None:
        ids = seed_tiers(session)
        client = TestClient(create_app(settings))
        sign_in(client, "officer")
        pools = _page(client.get("/tiers/pools", params={"policy": "hnte", "lang": "en"}))
        details = [row.children[-1].text for row in pools.find("tr", "pool-items") if row.children[0].tag == "td"]
        assert any(text.startswith("Missing facts: ") for text in details)
        assert not [text for text in details if CHINESE.search(text)]  # fact ids and English gap sentences
        page = _page(client.get(f"/tiers/enterprises/{ids['near']}", params={"as_of": "2025-06-30", "lang": "en"}))
        muted = [e.text for e in page.elements if e.tag == "span" and e.attrs.get("class") == "muted"]
        groups = [text for text in muted if text.endswith("of the following)")]
        assert "(all of the following)" in groups
        assert not [text for text in muted if "of the following" in text and CHINESE.search(text)]


@pytest.fixture
def officer(settings: Settings, session: Session) -> TestClient:
    """An officer's client on the demonstration set (Liaoning's cities)."""
    session.add_all(
        [
            Region(code="21", name="辽宁省", level="province"),
            Region(code="2101", name="沈阳市", level="city", parent_code="21"),
            Region(code="2102", name="大连市", level="city", parent_code="21"),
        ]
    )
    load_demo(session=session, seed=7)
    client, _ = signed_in(settings, session, Role.OFFICER)
    return client


class TestDashboardCities:
    @pytest.mark.parametrize(("lang", "cities"), [("zh", ["沈阳市", "大连市"]), ("en", ["Shenyang", "Dalian"])])
    def test_the_city_table_and_the_map_name_cities_in_the_pages_language(
        self, officer: TestClient, lang: str, cities: list[str]
    ) -> None:
        page = _page(officer.get("/dashboard", params={"lang": lang}))
        assert page.status == 200
        table = [row.children[0].text for row in page.find("tr", "table-cities") if row.children[0].tag == "td"]
        assert table[:2] == cities
        assert len(table) == 14
        series = _chart(page, "chart-map")["series"][0]  # type: ignore[index]
        assert [d["name"] for d in series["data"]][:2] == cities
        relabelled = [series["nameMap"].get(name) for name in ("沈阳市", "大连市")]
        assert relabelled == ([None, None] if lang == "zh" else cities)  # the map's areas shown as the table names them

    def test_the_english_city_sheet_names_cities_in_english(self, officer: TestClient) -> None:
        response = officer.get("/dashboard/export/cities.xlsx", params={"lang": "en"})
        assert response.status_code == 200
        cells = [row[0] for row in load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True)]
        assert "Shenyang" in cells
        assert "沈阳市" not in cells

    def test_the_english_filters_and_definitions_hold_no_chinese(self, officer: TestClient) -> None:
        page = _page(officer.get("/dashboard", params={"lang": "en"}))
        region = next(e for e in page.elements if e.tag == "input" and e.attrs.get("name") == "region")
        assert region.attrs["placeholder"] == "whole province, or e.g. Dalian"
        texts = [e.text for e in page.elements if e.tag == "p" and "definition" in e.attrs.get("class", "")]
        texts += [e.text for e in page.elements if e.attrs.get("id") in ("filter-scope", "connect-unfiltered")]
        assert len(texts) >= 3
        assert [text for text in texts if CHINESE.search(text)] == []
        assert any(text.startswith("Contracts: ") for text in texts)


class TestRegionList:
    @pytest.mark.parametrize(("lang", "names"), [("zh", ["辽宁省", "沈阳市"]), ("en", ["Liaoning", "Shenyang"])])
    def test_the_region_list_names_provinces_and_cities_in_the_pages_language(
        self, client: TestClient, seeded: Seeded, lang: str, names: list[str]
    ) -> None:
        page = _page(client.get("/regions", params={"lang": lang}))
        assert page.status == 200
        shown = [e.text for e in page.elements if e.attrs.get("class") == "record-link"]
        assert set(names) <= set(shown)

    @pytest.mark.parametrize(
        ("lang", "parent", "names"),
        [
            ("zh", "沈阳", ["和平区", "沈河区", "康平县", "新民市"]),
            ("en", "Shenyang", ["Heping District", "Shenhe District", "Kangping County", "Xinmin City"]),
        ],
    )
    def test_a_citys_districts_and_counties_are_named_in_the_pages_language(
        self, settings: Settings, client: TestClient, seeded: Seeded, lang: str, parent: str, names: list[str]
    ) -> None:
        with session_scope(settings.database_url) as session:
            for code, name in (("210102", "和平区"), ("210103", "沈河区"), ("210123", "康平县"), ("210181", "新民市")):
                session.add(Region(code=code, name=name, level="county", parent_code="2101"))
        page = _page(client.get("/regions", params={"parent": parent, "lang": lang}))
        assert page.status == 200
        shown = [e.text for e in page.elements if e.attrs.get("class") == "record-link"]
        assert shown == names
        if lang == "en":
            assert [text for text in shown if CHINESE.search(text)] == []
