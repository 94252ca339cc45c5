"""English pages and English API answers say their interface in English: match reasons name the region in the
reader's language, chain titles are the curated English ones, the tier pools and the dashboard's city table name
cities in English (zh pages keep the Chinese names). Record content (titles, node names) stays as it is."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from techbridge.config import Settings
from techbridge.db import session_scope
from techbridge.web.app import create_app
from tests.html_page import Page
from tests.unit.matching.seed import Seeded, seed_registry

LOCAL = {"zh": "位于本省（沈阳市 (2101)）", "en": "In the home region (Shenyang (2101))"}


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

    def test_the_need_api_says_every_reason_in_english_when_asked(self, client: TestClient, seeded: Seeded) -> None:
        data = client.get("/api/match", params={"q": "锂电池正极材料", "lang": "en"}).json()
        reasons = [r for hit in data["achievements"] for r in hit["reasons"]]
        assert LOCAL["en"] in [r["text"] for r in reasons if r["code"] == "local"]
        assert all("本省" not in r["text"] for r in reasons)
