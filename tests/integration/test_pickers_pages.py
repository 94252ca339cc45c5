"""Regions and enterprises chosen by name on /match, /chains and /tiers, and a saved need matched again from its page,
through the real app and database: what the person sees, never an id or a code they must know."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from techbridge.config import Settings
from techbridge.db import session_scope
from techbridge.models import Achievement, AchievementKind, Demand, Role, Visibility
from techbridge.web.app import create_app
from tests.html_page import Page
from tests.integration.test_tiers_pages import seed as seed_tiers
from tests.integration.test_tiers_pages import sign_in
from tests.registry_seed import make_regions, make_user
from tests.unit.matching.seed import Seeded, seed_registry


def _page(response: object) -> Page:
    return Page(response.text, response.status_code)  # type: ignore[attr-defined]


def _ids(html: str, entity: str) -> list[int]:
    return [int(i) for i in re.findall(rf'data-entity="{entity}" data-id="(\d+)"', html)]


@pytest.fixture
def seeded(settings: Settings) -> Seeded:
    """The matching test registry (辽宁省, 沈阳市, 广东省, 深圳市), committed."""
    with session_scope(settings.database_url) as session:
        return seed_registry(session)


@pytest.fixture
def client(settings: Settings) -> TestClient:
    return TestClient(create_app(settings))


class TestMatchRegion:
    @pytest.mark.parametrize("typed", ["辽宁", "辽宁省", "沈阳", "21", "辽宁省 [21]"])
    def test_a_liaoning_region_typed_by_name_keeps_the_liaoning_achievement(
        self, client: TestClient, seeded: Seeded, typed: str
    ) -> None:
        response = client.get("/match", params={"q": "锂电池正极材料", "region": typed})
        assert response.status_code == 200
        assert seeded.battery in _ids(response.text, "achievement")
        assert _page(response).value("region") == typed

    def test_a_province_by_name_filters_like_its_code(self, client: TestClient, seeded: Seeded) -> None:
        by_name = client.get("/match", params={"q": "锂电池正极材料", "region": "广东"})
        by_code = client.get("/match", params={"q": "锂电池正极材料", "region": "44"})
        assert _ids(by_name.text, "achievement") == _ids(by_code.text, "achievement")
        assert seeded.battery not in _ids(by_name.text, "achievement")

    def test_a_region_naming_nothing_is_said_beside_the_field_with_the_input(
        self, client: TestClient, seeded: Seeded
    ) -> None:
        response = client.get("/match", params={"q": "锂电池正极材料", "region": "火星"})
        assert response.status_code == 422
        page = _page(response)
        error = page.by_id("region-error")
        assert error is not None
        assert "火星" in error.text
        assert "辽宁" in error.text  # tells what to type instead
        assert page.value("region") == "火星"
        assert page.value("q") == "锂电池正极材料"
        assert _ids(response.text, "achievement") == []

    def test_htmx_results_carry_the_region_error(self, client: TestClient, seeded: Seeded) -> None:
        headers = {"HX-Request": "true"}
        response = client.get("/match", params={"q": "锂电池", "region": "火星"}, headers=headers)
        assert response.status_code == 422
        error = _page(response).by_id("match-error")
        assert error is not None
        assert "火星" in error.text

    def test_the_region_field_is_a_picker_not_a_code_box(self, client: TestClient, seeded: Seeded) -> None:
        page = _page(client.get("/match"))
        region = next(e for e in page.elements if e.tag == "input" and e.attrs.get("name") == "region")
        assert region.attrs["hx-get"] == "/pick/region"
        assert region.attrs.get("placeholder") != "21"

    def test_the_region_picker_offers_names_with_codes(self, client: TestClient, seeded: Seeded) -> None:
        html = client.get("/pick/region", params={"region": "沈阳"}).text
        assert 'value="沈阳市 [2101]"' in html


class TestMatchField:
    def test_the_field_picker_offers_visible_tags_by_name(self, client: TestClient, settings: Settings) -> None:
        with session_scope(settings.database_url) as session:
            seed_registry(session)
            hidden = Achievement(kind=AchievementKind.PATENT, title="保密", field_tags=["新能源保密领域"])
            hidden.visibility = Visibility.OWNER
            session.add(hidden)
        html = client.get("/pick/field", params={"field": "新能"}).text
        assert '<option value="新能源">' in html
        assert "保密领域" not in html

    def test_a_picked_field_filters_and_an_unknown_one_is_said(self, client: TestClient, seeded: Seeded) -> None:
        ok = client.get("/match", params={"q": "检测", "field": "生物医药"})
        assert ok.status_code == 200
        assert _ids(ok.text, "achievement") == [seeded.crp]
        bad = client.get("/match", params={"q": "检测", "field": "生物"})
        assert bad.status_code == 422
        page = _page(bad)
        error = page.by_id("field-error")
        assert error is not None
        assert "生物" in error.text
        assert page.value("field") == "生物"
        assert page.by_id("region-error") is None


class TestDemandMatchedAgain:
    @pytest.fixture
    def demand_id(self, settings: Settings, seeded: Seeded) -> int:
        with session_scope(settings.database_url) as session:
            demand = Demand(
                title="锂电池正极材料降本", description="需要高镍三元正极材料的低成本工艺", region_code="2101"
            )
            session.add(demand)
            session.flush()
            return demand.id

    def test_the_match_button_opens_the_form_filled_with_the_demand(self, client: TestClient, demand_id: int) -> None:
        page = _page(client.get(f"/demands/{demand_id}"))
        button = page.by_id("match-again")
        assert button is not None
        response = client.get(button.attrs["href"])
        assert response.status_code == 200
        filled = _page(response)
        assert filled.value("q") == "锂电池正极材料降本\n需要高镍三元正极材料的低成本工艺"
        assert filled.value("region") == "沈阳市 [2101]"
        assert _ids(response.text, "achievement")  # matched at once, not an empty form

    def test_the_demand_page_loads_its_own_matches_lazily(
        self, client: TestClient, demand_id: int, seeded: Seeded
    ) -> None:
        page = _page(client.get(f"/demands/{demand_id}"))
        body = page.by_id("demand-matches-body")
        assert body is not None
        assert body.attrs["hx-trigger"] == "load"
        fragment = client.get(body.attrs["hx-get"])
        assert fragment.status_code == 200
        assert "<html" not in fragment.text
        achievements = _ids(fragment.text, "achievement")
        assert achievements[0] == seeded.battery
        assert seeded.hidden not in achievements
        assert _ids(fragment.text, "expert") == [seeded.battery_expert]
        local = [e.text for e in _page(fragment).elements if e.attrs.get("data-code") == "local"]
        assert "位于本省（沈阳市 (2101)）" in local  # the same explanations as /match, the region by name

    @pytest.mark.parametrize("odd", ["²", "99999999999", "-1", "abc"])
    def test_an_odd_demand_parameter_is_an_empty_form(self, client: TestClient, odd: str) -> None:
        response = client.get("/match", params={"demand": odd})
        assert response.status_code == 200
        assert _page(response).value("q") == ""

    def test_a_hidden_demand_is_neither_shown_nor_matched(self, settings: Settings, client: TestClient) -> None:
        with session_scope(settings.database_url) as session:
            owner = make_user(session, "owner1", Role.ENTERPRISE)
            demand = Demand(title="保密需求锂电池", description="", owner_id=owner.id, visibility=Visibility.OWNER)
            session.add(demand)
            session.flush()
            hidden = demand.id
        assert client.get(f"/match/demands/{hidden}").status_code == 404
        response = client.get("/match", params={"demand": str(hidden)})
        assert response.status_code == 404
        assert "保密需求" not in response.text


class TestChainsRegion:
    @pytest.fixture
    def regions(self, session: Session) -> None:
        make_regions(session)
        session.commit()

    @pytest.mark.parametrize(("typed", "code"), [("大连", "2102"), ("辽宁", "21"), ("沈阳市", "2101")])
    def test_a_region_typed_by_name_is_used_by_every_chain_link(
        self, client: TestClient, regions: None, typed: str, code: str
    ) -> None:
        response = client.get("/chains", params={"region": typed})
        assert response.status_code == 200
        links = [e.attrs.get("href", "") for e in _page(response).elements if e.tag == "a"]
        chain_links = [href for href in links if href.startswith("/chains/")]
        assert chain_links
        assert all(href.endswith(f"?region={code}") for href in chain_links)

    def test_a_region_naming_nothing_is_said_beside_the_field(self, client: TestClient, regions: None) -> None:
        response = client.get("/chains", params={"region": "火星"})
        assert response.status_code == 422
        page = _page(response)
        error = page.by_id("region-error")
        assert error is not None
        assert "火星" in error.text
        assert page.value("region") == "火星"

    def test_the_home_region_is_shown_by_name(self, client: TestClient, regions: None) -> None:
        assert _page(client.get("/chains")).value("region") == "辽宁省 [21]"


class TestTierEnterprisePicker:
    @pytest.fixture
    def ids(self, session: Session) -> dict[str, int]:
        return seed_tiers(session)

    def test_an_officer_opens_an_enterprise_by_its_name(self, client: TestClient, ids: dict[str, int]) -> None:
        sign_in(client, "officer")
        response = client.get("/tiers", params={"enterprise": "乙科技"}, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == f"/tiers/enterprises/{ids['near']}"

    def test_no_enterprise_id_is_asked_for(self, client: TestClient, ids: dict[str, int]) -> None:
        sign_in(client, "officer")
        html = client.get("/tiers").text
        assert "企业编号" not in html
        assert 'name="org"' not in html
        assert 'hx-get="/pick/enterprise"' in html

    def test_a_name_naming_nothing_stays_with_the_input(self, client: TestClient, ids: dict[str, int]) -> None:
        sign_in(client, "officer")
        response = client.get("/tiers", params={"enterprise": "不存在科技"})
        assert response.status_code == 422
        page = _page(response)
        error = page.by_id("enterprise-error")
        assert error is not None
        assert "不存在科技" in error.text
        assert page.value("enterprise") == "不存在科技"

    def test_an_enterprise_user_cannot_open_another_enterprise_by_name(
        self, client: TestClient, ids: dict[str, int]
    ) -> None:
        sign_in(client, "ent")
        response = client.get("/tiers", params={"enterprise": "丙科技"}, follow_redirects=False)
        assert response.status_code == 422
        assert _page(response).by_id("enterprise-error") is not None


class TestRegionListParent:
    @pytest.fixture
    def regions(self, settings: Settings) -> None:
        with session_scope(settings.database_url) as session:
            make_regions(session)

    @pytest.mark.parametrize("typed", ["辽宁", "辽宁省", "21", "辽宁省 [21]"])
    def test_the_parent_region_is_typed_by_name(self, client: TestClient, regions: None, typed: str) -> None:
        response = client.get("/regions", params={"parent": typed})
        assert response.status_code == 200
        assert "沈阳市" in response.text
        assert "大连市" in response.text
        assert _page(response).value("parent") == "辽宁省 [21]"

    def test_a_parent_naming_nothing_is_said_beside_the_field_with_the_input(
        self, client: TestClient, regions: None
    ) -> None:
        response = client.get("/regions", params={"parent": "火星"})
        assert response.status_code == 422
        page = _page(response)
        assert page.value("parent") == "火星"
        error = page.by_id("parent-error")
        assert error is not None
        assert "火星" in error.text
