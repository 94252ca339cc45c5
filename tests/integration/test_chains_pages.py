"""Chain pages and the chain API through a real database seeded with the hand-made graph."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from io import BytesIO

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from techbridge.config import Settings
from techbridge.models import Achievement, Region, RegionLevel, Role, Visibility
from techbridge.web.app import create_app
from tests.registry_seed import PASSWORD, make_user
from tests.unit.chains.seed import seed_chain_graph


class Attrs(HTMLParser):
    """Collects the attributes of every start tag."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def tags(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = Attrs()
    parser.feed(html)
    return parser.tags


@pytest.fixture
def client(settings: Settings, session: Session) -> TestClient:
    seed_chain_graph(session)
    session.commit()
    return TestClient(create_app(settings))


class TestPages:
    def test_list_groups_chains_by_base(self, client: TestClient) -> None:
        response = client.get("/chains?region=21")
        assert response.status_code == 200
        bases = [a["data-base"] for t, a in tags(response.text) if t == "section" and "data-base" in a]
        assert bases == ["equipment", "petrochem", "metallurgy", "consumer"]
        assert 'data-chain="petrochem"' in response.text

    @pytest.mark.parametrize(("lang", "title"), [("zh", "石化和精细化工"), ("en", "Petrochemicals")])
    def test_clusters_name_their_chains_not_their_ids(self, client: TestClient, lang: str, title: str) -> None:
        html = client.get(f"/chains?region=21&lang={lang}").text
        clusters = html[html.index('id="clusters"') :]
        assert re.search(rf'data-chain="petrochem" href="[^"]*">{title}', clusters)
        assert ">petrochem<" not in clusters
        assert ">high_end_equipment<" not in clusters

    def test_a_district_is_read_as_its_city(self, client: TestClient, session: Session) -> None:
        if session.get(Region, "2102") is None:
            session.add(Region(code="2102", name="大连市", level=RegionLevel.CITY, parent_code="21"))
            session.flush()
        session.add(Region(code="210211", name="甘井子区", level=RegionLevel.COUNTY, parent_code="2102"))
        session.commit()
        response = client.get("/chains/PTA?region=甘井子区")
        assert response.status_code == 200
        chart = next(a for t, a in tags(response.text) if a.get("id") == "chain-map")
        assert chart["data-click-url"] == "/chains/PTA/nodes/{id}?region=2102"

    def test_map_carries_the_graph_option_and_the_click_url(self, client: TestClient) -> None:
        response = client.get("/chains/PTA?region=21")
        assert response.status_code == 200
        chart = next(a for t, a in tags(response.text) if a.get("id") == "chain-map")
        option = json.loads(chart["data-echarts"] or "")
        data = {d["name"]: d for d in option["series"][0]["data"]}
        assert data["原油"]["itemStyle"]["color"] == "#c62828"
        assert data["精对苯二甲酸"]["itemStyle"]["color"] == "#ef6c00"
        assert chart["data-click-url"] == "/chains/PTA/nodes/{id}?region=21"

    def test_node_panel_fragment(self, client: TestClient) -> None:
        response = client.get("/chains/PTA/nodes/3?region=21", headers={"HX-Request": "true"})
        assert response.status_code == 200
        assert "<html" not in response.text
        assert "恒力石化" in response.text
        assert "一种精对苯二甲酸氧化反应催化剂" in response.text

    def test_report_sections(self, client: TestClient) -> None:
        response = client.get("/chains/PTA/report?region=21")
        assert response.status_code == 200
        ids = {a.get("id") for _, a in tags(response.text)}
        assert {"weak-links", "leaders", "candidates", "consortium", "xlsx"} <= ids
        roles = [a["data-role"] for t, a in tags(response.text) if t == "tr" and "data-role" in a]
        assert roles[0] == "leader"

    def test_xlsx_export(self, client: TestClient) -> None:
        response = client.get("/chains/PTA/report.xlsx?region=21")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
        book = load_workbook(BytesIO(response.content))
        assert book["链主"]["A2"].value == "恒力石化"

    def test_enterprise_fragment(self, client: TestClient) -> None:
        response = client.get("/chains/enterprises/100")
        assert response.status_code == 200
        assert 'data-chain="petrochem"' in response.text

    def test_unknown_chain_is_404(self, client: TestClient) -> None:
        assert client.get("/chains/不存在").status_code == 404


class TestApi:
    def test_list_and_show(self, client: TestClient) -> None:
        assert "petrochem" in [c["id"] for c in client.get("/api/chains").json()]
        body = client.get("/api/chains/PTA", params={"hops": 1}).json()
        assert len(body["nodes"]) == 4

    @pytest.mark.parametrize(
        ("part", "key", "first"),
        [("gaps", "weak_links", None), ("leaders", "leaders", "恒力石化"), ("attract", "candidates", "荣盛石化")],
    )
    def test_parts(self, client: TestClient, part: str, key: str, first: str | None) -> None:
        body = client.get(f"/api/chains/PTA/{part}", params={"region": "21"}).json()
        assert body[key]
        if first:
            assert body[key][0]["name"] == first

    def test_report_consortium_node_and_enterprise(self, client: TestClient) -> None:
        assert client.get("/api/chains/PTA/report").json()["consortium"]["leader_name"] == "恒力石化"
        body = client.get("/api/chains/PTA/consortium", params={"leader": "辽阳石化"}).json()
        assert body["leader_id"] == 106
        assert client.get("/api/chains/PTA/nodes/3").json()["status"] == "single"
        assert client.get("/api/chains/enterprises/100").json()[0]["id"] == "petrochem"

    def test_errors_are_json(self, client: TestClient) -> None:
        response = client.get("/api/chains/PTA/gaps", params={"region": "abc"})
        assert response.status_code == 422
        assert response.json()["error"] == "invalid_data"
        assert client.get("/api/chains/PTA", params={"hops": 9}).status_code == 422


class TestVisibility:
    """An owner-only achievement matching a chain node stays off every chain surface for anonymous visitors."""

    TITLE = "一种精对苯二甲酸氧化反应催化剂"

    @pytest.fixture
    def private(self, settings: Settings, session: Session) -> TestClient:
        seed_chain_graph(session)
        owner = make_user(session, "owner", Role.INSTITUTION)
        achievement = session.get(Achievement, 500)
        assert achievement is not None
        achievement.owner_id, achievement.visibility = owner.id, Visibility.OWNER
        session.commit()
        return TestClient(create_app(settings))

    @pytest.mark.parametrize(
        "url",
        [
            "/api/chains/PTA/report?region=21",
            "/api/chains/PTA/gaps?region=21",
            "/api/chains/PTA/nodes/3?region=21",
            "/api/chains/PTA/consortium?leader=100",
            "/chains/PTA/report?region=21",
            "/chains/PTA/nodes/3?region=21",
            "/chains/PTA?region=21",
        ],
    )
    def test_anonymous_visitors_do_not_see_it(self, private: TestClient, url: str) -> None:
        response = private.get(url)
        assert response.status_code == 200
        assert self.TITLE not in response.text

    def test_nor_in_the_xlsx_export_but_its_owner_does(self, private: TestClient) -> None:
        def cells(client: TestClient) -> str:
            book = load_workbook(BytesIO(client.get("/chains/PTA/report.xlsx?region=21").content))
            return " ".join(str(c.value) for sheet in book for row in sheet.iter_rows() for c in row)

        assert "恒力石化" in cells(private)
        assert self.TITLE not in cells(private)
        token = re.search(r'name="csrf_token" value="([^"]+)"', private.get("/login").text).group(1)  # type: ignore[union-attr]
        private.post("/login", data={"username": "owner", "password": PASSWORD, "csrf_token": token})
        assert self.TITLE in private.get("/api/chains/PTA/report?region=21").text
