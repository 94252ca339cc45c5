"""Errors of the JSON API: one body (`ErrorRead`) for domain and request-validation errors, documented on every
route of the OpenAPI document."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from techbridge.config import Settings
from techbridge.web.app import create_app
from tests.registry_seed import seed_registry

ERROR_KEYS = {"error", "message", "location", "detail"}


@pytest.fixture
def client(settings: Settings, session: Session) -> TestClient:
    seed_registry(session)
    session.commit()
    return TestClient(create_app(settings))


class TestErrorsAreDocumented:
    def test_every_api_operation_documents_403_404_422_as_error_read(self, client: TestClient) -> None:
        spec = client.get("/openapi.json").json()
        missing = [
            f"{method.upper()} {path} {status}"
            for path, item in spec["paths"].items()
            for method, operation in item.items()
            for status in ("403", "404", "422")
            if path.startswith("/api/") and _schema_ref(operation, status) != "#/components/schemas/ErrorRead"
        ]
        assert not missing

    def test_error_read_allows_the_validation_detail(self, client: TestClient) -> None:
        schema = client.get("/openapi.json").json()["components"]["schemas"]["ErrorRead"]
        assert set(schema["properties"]) == ERROR_KEYS
        assert set(schema["required"]) == {"error", "message", "location"}


class TestOneErrorBody:
    def test_invalid_query_names_the_field_with_a_code(self, client: TestClient) -> None:
        response = client.get("/api/achievements", params={"size": "abc", "lang": "en"})
        assert response.status_code == 422
        body = response.json()
        assert set(body) == ERROR_KEYS
        assert (body["error"], body["location"]) == ("invalid_data", ["query", "size"])
        assert body["message"] == "size: must be a whole number"  # the field, not where in the request it is
        assert body["detail"][0]["loc"] == ["query", "size"]

    def test_message_in_the_callers_language(self, client: TestClient) -> None:
        body = client.get("/api/achievements", params={"size": "abc", "lang": "zh"}).json()
        assert body["message"] == "size：请输入整数"

    def test_domain_404_has_the_same_body(self, client: TestClient) -> None:
        response = client.get("/api/match/achievements/999999/adopters")
        assert response.status_code == 404
        assert set(response.json()) == {"error", "message", "location"}
        assert response.json()["error"] == "not_found"

    def test_portal_routes_answer_their_error_page(self, client: TestClient) -> None:
        response = client.get("/match/demands/abc")
        assert response.status_code == 422
        assert response.headers["content-type"].startswith("text/html")


def _schema_ref(operation: dict[str, object], status: str) -> object:
    response = operation.get("responses", {}).get(status, {})  # type: ignore[attr-defined]
    return response.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref")
