"""The matching pages and fragments through the real app and database."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from techbridge.config import Settings
from techbridge.db import session_scope
from techbridge.models import Demand, Role
from techbridge.web.app import create_app
from tests.registry_seed import PASSWORD, make_user
from tests.unit.matching.seed import Seeded, seed_registry


@pytest.fixture
def seeded(settings: Settings) -> Seeded:
    """The matching test registry, committed."""
    with session_scope(settings.database_url) as session:
        return seed_registry(session)


@pytest.fixture
def client(settings: Settings, seeded: Seeded) -> TestClient:
    """A client on the app (the index is built on first search: the registry is small)."""
    return TestClient(create_app(settings))


def _ids(html: str, entity: str) -> list[int]:
    return [int(i) for i in re.findall(rf'data-entity="{entity}" data-id="(\d+)"', html)]


class TestMatchPage:
    def test_need_lists_matching_achievements_first(self, client: TestClient, seeded: Seeded) -> None:
        response = client.get("/match", params={"q": "锂电池正极材料"})
        assert response.status_code == 200
        ids = _ids(response.text, "achievement")
        assert ids[0] == seeded.battery or ids[1] == seeded.battery
        assert seeded.rice not in ids
        assert "<mark>" in response.text

    def test_hidden_achievement_is_not_shown_to_anonymous(self, client: TestClient, seeded: Seeded) -> None:
        response = client.get("/match", params={"q": "锂电池隔膜涂覆"})
        assert seeded.hidden not in _ids(response.text, "achievement")

    def test_htmx_request_gets_only_the_results(self, client: TestClient) -> None:
        response = client.get("/match", params={"q": "FPGA"}, headers={"HX-Request": "true"})
        assert response.text.lstrip().startswith('<div id="match-results">')
        assert "<html" not in response.text

    def test_filters_restrict_results(self, client: TestClient, seeded: Seeded) -> None:
        response = client.get("/match", params={"q": "检测", "trl_min": "7", "kind": "patent"})
        assert _ids(response.text, "achievement") == [seeded.crp]

    def test_expert_is_matched_through_fields(self, client: TestClient, seeded: Seeded) -> None:
        response = client.get("/match", params={"q": "正极材料"})
        assert _ids(response.text, "expert") == [seeded.battery_expert]

    def test_a_need_no_expert_covers_says_so(self, client: TestClient, seeded: Seeded) -> None:
        response = client.get("/match", params={"q": "水稻育种"})
        assert seeded.rice in _ids(response.text, "achievement")
        assert _ids(response.text, "expert") == []
        assert 'id="no-experts"' in response.text
        assert "没有专家的项目或成果覆盖这项需求的主要内容" in response.text

    @pytest.mark.parametrize(("lang", "says"), [("zh", "用中文描述需求"), ("en", "Describe the need in Chinese")])
    def test_an_english_need_is_told_the_registry_is_chinese(self, client: TestClient, lang: str, says: str) -> None:
        english = client.get("/match", params={"q": "lithium battery cathode", "lang": lang})
        assert 'id="cross-lingual"' in english.text
        assert says in english.text
        chinese = client.get("/match", params={"q": "锂电池正极材料", "lang": lang})
        assert 'id="cross-lingual"' not in chinese.text

    def test_empty_need_shows_the_hint(self, client: TestClient) -> None:
        response = client.get("/match")
        assert response.status_code == 200
        assert 'id="q"' in response.text


class TestFragments:
    def test_adopters_prefer_the_local_enterprise(self, client: TestClient, seeded: Seeded) -> None:
        html = client.get(f"/match/achievements/{seeded.battery}/adopters").text
        ids = _ids(html, "enterprise")
        assert ids[:2] == [seeded.local_battery_maker, seeded.remote_battery_maker]
        assert 'class="tag local"' in html
        assert "<html" not in html

    def test_recommended_achievements_for_the_chip_maker(self, client: TestClient, seeded: Seeded) -> None:
        html = client.get(f"/match/enterprises/{seeded.chip_maker}/recommended").text
        assert _ids(html, "achievement")[0] == seeded.fpga

    def test_similar_excludes_itself(self, client: TestClient, seeded: Seeded) -> None:
        html = client.get(f"/match/achievements/{seeded.battery}/similar").text
        ids = _ids(html, "achievement")
        assert seeded.battery not in ids
        assert ids

    def test_unknown_achievement_is_404(self, client: TestClient) -> None:
        assert client.get("/match/achievements/999999/adopters").status_code == 404


def _sign_in(client: TestClient, settings: Settings) -> str:
    """Sign an enterprise user in; the CSRF token of the need form."""
    with session_scope(settings.database_url) as session:
        make_user(session, "ent1", Role.ENTERPRISE)
    login = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', login.text) or re.search(
        r'name="csrf-token" content="([^"]+)"', login.text
    )
    assert token
    client.post("/login", data={"username": "ent1", "password": PASSWORD, "csrf_token": token.group(1)})
    page = client.get("/match", params={"q": "需要锂电池正极材料降本方案"})
    form_token = re.search(r'<meta name="csrf-token" content="([^"]+)"', page.text)
    assert form_token
    return form_token.group(1)


class TestSaveDemand:
    def test_signed_in_user_saves_the_need(self, client: TestClient, settings: Settings) -> None:
        token = _sign_in(client, settings)
        response = client.post(
            "/match/demands",
            data={"q": "需要锂电池正极材料降本方案", "csrf_token": token},
            follow_redirects=False,
        )
        assert response.status_code == 303
        with session_scope(settings.database_url) as session:
            demand = session.scalars(select(Demand)).one()
        assert response.headers["location"] == f"/demands/{demand.id}?done=saved"  # with its confirmation
        assert demand.title == "需要锂电池正极材料降本方案"

    @pytest.mark.parametrize("region", ["辽宁", "辽宁省 [21]"])
    def test_the_region_is_saved_as_typed_or_picked(self, client: TestClient, settings: Settings, region: str) -> None:
        token = _sign_in(client, settings)
        data = {"q": "锂电池正极材料", "region": region, "csrf_token": token}
        assert client.post("/match/demands", data=data, follow_redirects=False).status_code == 303
        with session_scope(settings.database_url) as session:
            assert session.scalars(select(Demand.region_code)).one() == "21"

    def test_a_region_naming_nothing_is_refused_not_dropped(self, client: TestClient, settings: Settings) -> None:
        token = _sign_in(client, settings)
        data = {"q": "锂电池正极材料", "region": "火星", "csrf_token": token}
        response = client.post("/match/demands", data=data, follow_redirects=False)
        assert response.status_code == 422
        assert "火星" in response.text
        with session_scope(settings.database_url) as session:
            assert session.scalars(select(Demand)).all() == []

    def test_anonymous_cannot_save(self, client: TestClient) -> None:
        page = client.get("/match")
        token = re.search(r'<meta name="csrf-token" content="([^"]+)"', page.text)
        assert token
        response = client.post("/match/demands", data={"q": "锂电池", "csrf_token": token.group(1)})
        assert response.status_code in (401, 403)
