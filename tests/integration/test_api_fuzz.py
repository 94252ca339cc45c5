"""Fuzzing in the suite: Schemathesis over the app's own OpenAPI schema, in-process (ASGI transport), against a
real seeded SQLite database, as an anonymous visitor and as a signed-in officer, with valid and invalid inputs.
No generated request may end in a server error (5xx).

Bounded: Hypothesis with a fixed seed (`derandomize`), a few examples per operation and mode, no per-example
deadline; the whole run takes well under two minutes.
"""

from __future__ import annotations

import contextlib
from typing import Any

import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.generation import GenerationMode
from sqlalchemy.orm import Session

from techbridge.config import Settings
from techbridge.web.app import create_app
from tests.registry_seed import PASSWORD, seed_registry

EXAMPLES_PER_OPERATION = 8
MODES = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)


def _officer(app: Any) -> dict[str, Any]:
    """Cookie and CSRF header of a signed-in officer."""
    client = TestClient(app)
    body = client.post("/api/auth/login", json={"username": "officer", "password": PASSWORD}).json()
    return {"headers": {body["csrf_header"]: body["csrf_token"]}, "cookies": dict(client.cookies)}


def _server_errors(operation: Any, mode: GenerationMode, officer: dict[str, Any]) -> list[str]:
    """Every 5xx the operation answers to Hypothesis's examples, anonymous and signed in."""
    found: list[str] = []

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        for extra in ({}, officer):
            where = f"{case.method} {case.formatted_path} query={case.query!r} body={case.body!r}"[:400]
            try:
                response = case.call(**extra)
            except Exception as exc:  # the in-process transport re-raises what the app did not handle
                found.append(f"{where}: {type(exc).__name__}: {exc}"[:600])
                continue
            if response.status_code >= 500:
                found.append(f"{where}: {response.status_code}")

    with contextlib.suppress(Unsatisfiable):  # nothing to make invalid (e.g. no parameters in negative mode)
        run()
    return found


def test_no_server_errors(settings: Settings, session: Session) -> None:
    seed_registry(session)
    session.commit()
    app = create_app(settings)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    officer = _officer(app)
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 20
    for operation in operations:
        for mode in MODES:
            failures.extend(_server_errors(operation, mode, officer))
    assert not failures, "\n".join(sorted(set(failures)))
