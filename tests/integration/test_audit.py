"""The audit log through a real DB: portal/API writes, imports, role changes; the admin page and `techbridge audit`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from techbridge.config import Settings
from techbridge.db import session_scope
from techbridge.models import AuditEntry, Role
from techbridge.web.app import create_app
from tests.integration.test_api_registry import api_login
from tests.integration.test_import_cli import GOOD, invoke
from tests.registry_seed import PASSWORD, Seed, make_user, seed_registry


@pytest.fixture
def seed(session: Session) -> Seed:
    seeded = seed_registry(session)
    make_user(session, "root", Role.ADMIN)
    session.commit()
    return seeded


def entries(settings: Settings, **where: str) -> list[AuditEntry]:
    with session_scope(settings.database_url) as session:
        stmt = select(AuditEntry).filter_by(**where).order_by(AuditEntry.id)
        rows = list(session.scalars(stmt))
        session.expunge_all()
        return rows


class TestCapture:
    def test_api_create_and_update_name_the_user(self, settings: Settings, seed: Seed) -> None:
        client = TestClient(create_app(settings))
        headers = api_login(client, "ent")
        demand = client.post("/api/demands", json={"title": "视觉检测需求"}, headers=headers).json()
        client.patch(f"/api/demands/{demand['id']}", json={"budget": "50"}, headers=headers)
        created = entries(settings, entity="demands", action="create", actor="ent")
        updated = entries(settings, entity="demands", action="update", actor="ent")
        assert [(e.actor, e.actor_id, e.entity_id) for e in created] == [("ent", seed.owner_id, str(demand["id"]))]
        assert created[0].details["label"] == "视觉检测需求"
        assert updated[-1].actor == "ent"
        assert "budget" in updated[-1].details["fields"]

    def test_reads_are_not_audited(self, settings: Settings, seed: Seed) -> None:
        client = TestClient(create_app(settings))
        before = len(entries(settings))
        api_login(client, "ent")
        client.get("/api/achievements")
        client.get("/achievements")
        assert len(entries(settings)) == before

    def test_import_run_is_one_entry_with_its_counts(self, settings: Settings, tmp_path: Path) -> None:
        path = tmp_path / "good.csv"
        path.write_text(GOOD, encoding="utf-8")
        code, _out, _err = invoke(settings, "import", "file", "achievement", str(path), "-q")
        assert code == 0
        runs = entries(settings, action="import")
        assert len(runs) == 1
        assert runs[0].actor.startswith("cli")
        assert runs[0].details["source"] == "file:achievement"
        assert runs[0].details["counts"]
        assert entries(settings, entity="achievements") == []  # bulk rows are covered by the run's entry

    def test_role_change_records_old_and_new(self, settings: Settings, seed: Seed) -> None:
        code, out, _err = invoke(settings, "users", "role", "ent", "broker")
        assert code == 0, out
        (change,) = entries(settings, action="role")
        assert change.details == {"label": "ent", "from": "enterprise", "to": "broker"}
        assert change.actor.startswith("cli")


class TestReading:
    def _client(self, settings: Settings, username: str | None) -> TestClient:
        client = TestClient(create_app(settings))
        if username:
            client.post("/api/auth/login", json={"username": username, "password": PASSWORD})
        return client

    @pytest.mark.parametrize("username", ["ent", "officer"])
    def test_page_is_for_admins_only(self, settings: Settings, seed: Seed, username: str) -> None:
        assert self._client(settings, username).get("/admin/audit").status_code == 403

    def test_anonymous_visitors_are_sent_to_sign_in(self, settings: Settings, seed: Seed) -> None:
        response = self._client(settings, None).get("/admin/audit", follow_redirects=False)
        assert (response.status_code, response.headers["location"]) == (303, "/login?next=/admin/audit")

    def test_admin_filters_and_pages(self, settings: Settings, seed: Seed) -> None:
        invoke(settings, "users", "role", "ent", "broker")
        writer = self._client(settings, "officer")
        token = api_login(writer, "officer")
        for index in range(3):
            writer.post("/api/demands", json={"title": f"需求{index}"}, headers=token)
        admin = self._client(settings, "root")
        page = admin.get("/admin/audit?action=role&lang=en")
        assert page.status_code == 200
        assert page.text.count('data-action="role"') == 1
        partial = admin.get("/admin/audit?entity=demands&action=create&actor=officer", headers={"HX-Request": "true"})
        assert partial.text.count('data-entity="demands"') == 3
        assert "<html" not in partial.text

    def test_cli_lists_as_json_with_filters(self, settings: Settings, seed: Seed) -> None:
        invoke(settings, "users", "role", "ent", "broker")
        code, out, _err = invoke(settings, "audit", "--action", "role", "--json")
        assert code == 0
        body = json.loads(out)
        assert body["total"] == 1
        assert body["entries"][0]["details"]["to"] == "broker"
