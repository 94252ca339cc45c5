"""The registry JSON API through a real DB: lists and gets, visibility, API sign-in, CSRF, 422s, OpenAPI."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from techbridge.config import Settings
from techbridge.web.app import create_app
from tests.registry_seed import PASSWORD, Seed, make_many_achievements, seed_registry


@pytest.fixture
def seed(session: Session) -> Seed:
    seeded = seed_registry(session)
    session.commit()
    return seeded


@pytest.fixture
def client(settings: Settings) -> TestClient:
    return TestClient(create_app(settings))


def api_login(client: TestClient, username: str) -> dict[str, str]:
    """Sign in through the API; the headers every write then needs."""
    response = client.post("/api/auth/login", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200
    body = response.json()
    return {body["csrf_header"]: body["csrf_token"]}


class TestReads:
    @pytest.mark.parametrize(
        ("path", "name_field", "expected"),
        [
            ("/api/enterprises", "name", "沈阳新松机器人自动化股份有限公司"),
            ("/api/institutions", "name", "大连理工大学"),
            ("/api/carriers", "name", "沈阳中试基地"),
            ("/api/experts", "name", "王教授"),
            ("/api/achievements", "title", "一种六轴工业机器人关节减速器"),
            ("/api/demands", "title", "高精度减速器寿命提升"),
            ("/api/regions?parent=21", "name", "沈阳市"),
        ],
    )
    def test_every_entity_type_is_listed(
        self, client: TestClient, seed: Seed, path: str, name_field: str, expected: str
    ) -> None:
        body = client.get(path).json()
        assert expected in [item[name_field] for item in body["items"]]
        assert {"number", "pages", "total", "size", "capped"} <= body.keys()

    def test_paging_parameters(self, client: TestClient, session: Session, seed: Seed) -> None:
        make_many_achievements(session, 14)
        session.commit()
        body = client.get("/api/achievements?size=5&page=3&sort=id").json()
        assert (body["number"], body["pages"], body["total"], len(body["items"])) == (3, 3, 15, 5)

    def test_filters_match_the_portal(self, client: TestClient, seed: Seed) -> None:
        body = client.get("/api/achievements?region=2101&trl_min=5").json()
        assert [a["title"] for a in body["items"]] == ["一种六轴工业机器人关节减速器"]

    def test_size_above_the_limit_is_refused(self, client: TestClient, seed: Seed) -> None:
        response = client.get("/api/achievements?size=1000")
        assert response.status_code == 422
        assert response.json()["detail"][0]["loc"] == ["query", "size"]

    def test_get_includes_owners(self, client: TestClient, seed: Seed) -> None:
        body = client.get(f"/api/achievements/{seed.public_achievement_id}").json()
        assert {o["name"] for o in body["owners"]} == {"沈阳新松机器人自动化股份有限公司", "王教授"}

    @pytest.mark.parametrize(
        "path", ["/api/enterprises/9999", "/api/experts/9999", "/api/demands/9999", "/api/regions/9999"]
    )
    def test_unknown_records_are_404_json(self, client: TestClient, seed: Seed, path: str) -> None:
        response = client.get(path)
        assert response.status_code == 404
        assert response.json()["error"] == "not_found"


class TestVisibility:
    @pytest.mark.parametrize(
        ("username", "private_status", "listed"),
        [(None, 404, 1), ("other", 404, 2), ("ent", 200, 3), ("officer", 200, 3)],
    )
    def test_visibility_per_viewer(
        self, client: TestClient, seed: Seed, username: str | None, private_status: int, listed: int
    ) -> None:
        if username:
            api_login(client, username)
        assert client.get(f"/api/achievements/{seed.private_achievement_id}").status_code == private_status
        assert client.get("/api/achievements").json()["total"] == listed

    def test_expert_contact_is_null_for_anonymous(self, client: TestClient, seed: Seed) -> None:
        anonymous = client.get(f"/api/experts/{seed.expert_id}").json()
        assert (anonymous["email"], anonymous["contact_visible"]) == (None, False)
        api_login(client, "other")
        assert client.get(f"/api/experts/{seed.expert_id}").json()["email"] == "wang@dlut.edu.cn"


class TestWrites:
    def test_wrong_password_is_401(self, client: TestClient, seed: Seed) -> None:
        response = client.post("/api/auth/login", json={"username": "ent", "password": "nope-nope"})
        assert response.status_code == 401

    def test_login_needs_json(self, client: TestClient, seed: Seed) -> None:
        response = client.post("/api/auth/login", data={"username": "ent", "password": PASSWORD})
        assert response.status_code == 422

    def test_anonymous_create_is_refused(self, client: TestClient, seed: Seed) -> None:
        assert client.post("/api/demands", json={"title": "某个需求"}).status_code == 403

    def test_create_without_csrf_header_is_refused(self, client: TestClient, seed: Seed) -> None:
        api_login(client, "ent")
        response = client.post("/api/demands", json={"title": "某个需求"})
        assert response.status_code == 403
        assert response.json()["error"] == "permission_denied"

    def test_create_with_a_wrong_token_is_refused(self, client: TestClient, seed: Seed) -> None:
        api_login(client, "ent")
        assert client.post("/api/demands", json={"title": "某个需求"}, headers={"X-CSRF-Token": "x"}).status_code == 403

    def test_creates_a_demand_owned_by_the_caller(self, client: TestClient, seed: Seed) -> None:
        headers = api_login(client, "ent")
        payload = {"title": "视觉检测需求", "budget": "30", "visibility": "registered"}
        response = client.post("/api/demands", json=payload, headers=headers)
        assert response.status_code == 201
        body = response.json()
        assert (body["owner_id"], body["enterprise_id"], body["visibility"]) == (
            seed.owner_id,
            seed.enterprise_id,
            "registered",
        )
        assert client.get(f"/api/demands/{body['id']}").status_code == 200

    def test_an_organization_the_caller_may_not_read_is_answered_as_a_missing_one(
        self, client: TestClient, seed: Seed
    ) -> None:
        headers = api_login(client, "other")
        answers = []
        for org_id in (seed.hidden_enterprise_id, 999_999):
            response = client.post("/api/demands", json={"title": "某个需求", "enterprise_id": org_id}, headers=headers)
            answers.append((response.status_code, response.json()))
        assert answers[0] == answers[1]
        assert answers[0][0] == 422

    @pytest.mark.parametrize(
        ("path", "payload", "field"),
        [
            ("/api/demands", {"budget": "10"}, "title"),
            ("/api/demands", {"title": "某个需求", "deadline": "明天"}, "deadline"),
            ("/api/achievements", {"title": "某成果", "trl": 0}, "trl"),
            ("/api/achievements", {"title": "某成果", "transfer_modes": ["sell"]}, "transfer_modes"),
        ],
    )
    def test_validation_errors_name_the_field(
        self, client: TestClient, seed: Seed, path: str, payload: dict[str, object], field: str
    ) -> None:
        headers = api_login(client, "ent")
        response = client.post(path, json=payload, headers=headers)
        assert response.status_code == 422
        assert response.json()["detail"][0]["loc"][:2] == ["body", field]

    def test_unknown_region_is_422_with_location(self, client: TestClient, seed: Seed) -> None:
        headers = api_login(client, "ent")
        response = client.post("/api/achievements", json={"title": "某成果", "region_code": "99"}, headers=headers)
        assert response.status_code == 422
        assert response.json()["location"] == ["region_code"]

    def test_creates_an_achievement_held_by_the_callers_organization(self, client: TestClient, seed: Seed) -> None:
        headers = api_login(client, "ent")
        payload = {"title": "协作机器人力控", "kind": "technology", "trl": 6, "transfer_modes": ["license"]}
        body = client.post("/api/achievements", json=payload, headers=headers).json()
        assert [o["id"] for o in body["owners"]] == [seed.enterprise_id]

    def test_only_the_owner_may_patch(self, client: TestClient, seed: Seed) -> None:
        headers = api_login(client, "other")
        path = f"/api/achievements/{seed.public_achievement_id}"
        assert client.patch(path, json={"trl": 7}, headers=headers).status_code == 403
        headers = api_login(client, "officer")
        assert client.patch(path, json={"trl": 7}, headers=headers).json()["trl"] == 7

    def test_logout_ends_the_session(self, client: TestClient, seed: Seed) -> None:
        headers = api_login(client, "ent")
        assert client.post("/api/auth/logout", headers=headers).status_code == 204
        assert client.get(f"/api/achievements/{seed.private_achievement_id}").status_code == 404


class TestOpenApi:
    def test_docs_list_every_registry_endpoint_with_models(self, client: TestClient) -> None:
        spec = client.get("/openapi.json").json()
        for entity in ("enterprises", "institutions", "carriers", "experts", "achievements", "demands", "regions"):
            assert f"/api/{entity}" in spec["paths"]
            assert any(p.startswith(f"/api/{entity}/{{") for p in spec["paths"])
        post = spec["paths"]["/api/demands"]["post"]
        assert post["responses"]["201"]["content"]["application/json"]["schema"]["$ref"].endswith("DemandRead")
        assert any(p["name"] == "X-CSRF-Token" for p in post["parameters"])
        assert "/api/auth/login" in spec["paths"]
        assert client.get("/docs").status_code == 200
