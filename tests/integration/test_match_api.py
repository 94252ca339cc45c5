"""The matching JSON API."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from techbridge.config import Settings
from techbridge.db import session_scope
from techbridge.models import Achievement, AchievementKind, ChainNode, NodeKind, Role
from techbridge.web.app import create_app
from tests.registry_seed import PASSWORD, make_user
from tests.unit.matching.seed import Seeded, seed_registry


@pytest.fixture
def seeded(settings: Settings) -> Seeded:
    with session_scope(settings.database_url) as session:
        ids = seed_registry(session)
        make_user(session, "api-ent", Role.ENTERPRISE)
        return ids


@pytest.fixture
def client(settings: Settings, seeded: Seeded) -> TestClient:
    return TestClient(create_app(settings))


class TestMatchApi:
    def test_need(self, client: TestClient, seeded: Seeded) -> None:
        data = client.get("/api/match", params={"q": "C反应蛋白", "kind": "patent"}).json()
        assert data["achievements"][0]["id"] == seeded.crp
        assert "c反应蛋白" in data["achievements"][0]["matched_terms"]

    def test_the_answer_says_when_a_need_was_read_as_english(self, client: TestClient) -> None:
        assert client.get("/api/match", params={"q": "lithium battery cathode"}).json()["cross_lingual"] is True
        assert client.get("/api/match", params={"q": "锂电池正极材料"}).json()["cross_lingual"] is False
        assert client.get("/api/match", params={"q": "FPGA"}).json()["cross_lingual"] is False

    def test_record_use_cases(self, client: TestClient, seeded: Seeded) -> None:
        adopters = client.get(f"/api/match/achievements/{seeded.battery}/adopters").json()["hits"]
        assert adopters[0]["id"] == seeded.local_battery_maker
        assert adopters[0]["is_local"] is True
        similar = client.get(f"/api/match/achievements/{seeded.battery}/similar").json()["hits"]
        assert seeded.battery not in [h["id"] for h in similar]
        recommended = client.get(f"/api/match/enterprises/{seeded.chip_maker}/recommended").json()["hits"]
        assert recommended[0]["id"] == seeded.fpga

    def test_save_and_match_demand(self, client: TestClient, seeded: Seeded) -> None:
        login = client.post("/api/auth/login", json={"username": "api-ent", "password": PASSWORD})
        token = login.json().get("csrf_token")
        created = client.post("/api/match/demands", json={"text": "需要FPGA图像处理"}, headers={"X-CSRF-Token": token})
        assert created.status_code == 201
        demand_id = created.json()["id"]
        matches = client.get(f"/api/match/demands/{demand_id}").json()
        assert matches["achievements"][0]["id"] == seeded.fpga

    def test_english_need_matches_and_is_explained_by_whole_words(self, settings: Settings) -> None:
        with session_scope(settings.database_url) as session:
            session.add(ChainNode(kind=NodeKind.PRODUCT, name="IT", source_dataset="test"))
            for title, abstract in [
                ("Lithium batteries with a coated cathode", "Cycle life of lithium-ion cells at low temperature."),
                ("It is an L-shaped bracket", "A bracket; it holds a shelf."),
            ]:
                session.add(
                    Achievement(
                        kind=AchievementKind.PAPER, title=title, abstract=abstract, source_dataset="t", source_key=title
                    )
                )
        client = TestClient(create_app(settings))
        hits = client.get("/api/match", params={"q": "lithium battery cathode"}).json()["achievements"]
        assert hits[0]["title"] == "Lithium batteries with a coated cathode"
        assert set(hits[0]["matched_terms"]) == {"lithium", "battery", "cathode"}
        assert all(not {"it", "l"} & set(h["matched_terms"]) for h in hits)

    def test_missing_record_is_404(self, client: TestClient) -> None:
        assert client.get("/api/match/enterprises/99999/recommended").status_code == 404


class TestMatchApiFilters:
    """`/api/match` applies region and field as the portal and `search query` do (they were ignored)."""

    def test_region_by_name_filters_the_hits(self, client: TestClient, seeded: Seeded) -> None:
        params = {"q": "锂电池正极材料"}
        assert seeded.battery in _ids(client.get("/api/match", params={**params, "region": "沈阳"}).json())
        assert seeded.battery not in _ids(client.get("/api/match", params={**params, "region": "深圳"}).json())

    def test_field_filters_the_hits(self, client: TestClient, seeded: Seeded) -> None:
        params = {"q": "锂电池正极材料"}
        assert seeded.battery in _ids(client.get("/api/match", params={**params, "field": "新能源"}).json())
        assert seeded.battery not in _ids(client.get("/api/match", params={**params, "field": "电子信息"}).json())

    def test_unknown_region_is_422_naming_the_field(self, client: TestClient) -> None:
        response = client.get("/api/match", params={"q": "电池", "region": "无此地", "lang": "en"})
        assert response.status_code == 422
        assert response.json()["error"] == "invalid_data"
        assert response.json()["location"] == ["region"]

    def test_trl_outside_1_to_9_is_422(self, client: TestClient) -> None:
        assert client.get("/api/match", params={"q": "电池", "trl_min": 20}).status_code == 422


def _ids(data: dict[str, list[dict[str, int]]]) -> list[int]:
    return [hit["id"] for hit in data["achievements"]]
