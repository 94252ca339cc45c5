"""Bounded input: every integer path parameter is bounded to a 64-bit id, and out-of-range or odd values are 404/422,
never a server error (issue 10 item 7, found by fuzzing the OpenAPI schema)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from techbridge.config import Settings
from techbridge.web.app import create_app
from techbridge.web.deps import MAX_ID
from tests.registry_seed import PASSWORD, seed_registry

TOO_BIG = str(2**64 + 1)


def _api_routes(routes: list[Any]) -> Iterator[APIRoute]:
    """Every APIRoute, through included routers (FastAPI keeps them nested)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif hasattr(route, "original_router"):
            yield from _api_routes(route.original_router.routes)


def _bounds(route: APIRoute) -> list[tuple[str, object, object]]:
    found = []
    for param in route.dependant.path_params:
        if param.field_info.annotation is int:
            limits = {type(m).__name__: m for m in param.field_info.metadata}
            ge = getattr(limits.get("Ge"), "ge", None)
            le = getattr(limits.get("Le"), "le", None)
            found.append((param.name, ge, le))
    return found


class TestPathIds:
    def test_every_integer_path_parameter_is_bounded(self, settings: Settings) -> None:
        app = create_app(settings)
        routes = list(_api_routes(app.routes))
        unbounded = [
            f"{route.path} {name} ge={ge} le={le}"
            for route in routes
            for name, ge, le in _bounds(route)
            if (ge, le) != (1, MAX_ID)
        ]
        assert unbounded == []
        assert sum(1 for route in routes if _bounds(route)) > 30

    @pytest.mark.parametrize(
        "path",
        [
            f"/api/demands/{TOO_BIG}",
            f"/api/experts/{TOO_BIG}",
            f"/api/match/demands/{TOO_BIG}",
            f"/api/achievements/{TOO_BIG}",
            f"/api/enterprises/{TOO_BIG}",
            f"/api/tiers/enterprises/{TOO_BIG}",
            f"/achievements/{TOO_BIG}",
            f"/experts/{TOO_BIG}",
            f"/api/experts?affiliation={TOO_BIG}",
            f"/api/demands?enterprise={TOO_BIG}",
            f"/api/achievements?year={TOO_BIG}",
            f"/api/achievements?page={TOO_BIG}",
        ],
    )
    def test_ids_beyond_64_bits_are_refused(self, settings: Settings, path: str) -> None:
        client = TestClient(create_app(settings), raise_server_exceptions=False)
        assert client.get(path).status_code in (404, 422)

    def test_portal_filter_beyond_64_bits_is_ignored(self, settings: Settings) -> None:
        client = TestClient(create_app(settings), raise_server_exceptions=False)
        assert client.get(f"/experts?affiliation={TOO_BIG}").status_code == 200


class TestLocalConversionParameters:
    @pytest.mark.parametrize(("name", "value"), [("sellers", "ª\x18Bî"), ("type", "licence,?"), ("sellers", "x")])
    def test_unknown_choice_is_a_422_naming_the_parameter(
        self, settings: Settings, session: Session, name: str, value: str
    ) -> None:
        seed_registry(session)
        session.commit()
        client = TestClient(create_app(settings), raise_server_exceptions=False)
        client.post("/api/auth/login", json={"username": "officer", "password": PASSWORD})
        response = client.get("/api/metrics/local-conversion", params={"region": "21", name: value})
        assert response.status_code == 422
        assert response.json()["location"] == ["query", name]
