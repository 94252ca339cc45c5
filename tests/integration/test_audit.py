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
from tests.html_page import Page
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


class TestFilterByName:
    """The actor and the record are picked by name (the shared picker), never typed as ids."""

    def _admin(self, settings: Settings) -> TestClient:
        client = TestClient(create_app(settings))
        client.post("/api/auth/login", json={"username": "root", "password": PASSWORD})
        return client

    def _demands(self, settings: Settings, titles: list[str]) -> list[int]:
        writer = TestClient(create_app(settings))
        headers = api_login(writer, "ent")
        return [writer.post("/api/demands", json={"title": title}, headers=headers).json()["id"] for title in titles]

    def _rows(self, html: str) -> list[tuple[str, str, str]]:
        page = Page(html, 200)
        return [
            (row.attrs["data-action"], row.attrs["data-entity"], row.children[4].text)
            for row in page.find("tr", "audit-table")
            if "data-action" in row.attrs
        ]

    def test_the_actor_is_a_user_picked_or_typed_by_name(self, settings: Settings, seed: Seed) -> None:
        self._demands(settings, ["视觉检测需求"])
        invoke(settings, "users", "role", "other", "institution")
        admin = self._admin(settings)
        options = admin.get("/pick/user?actor=en").text
        assert f'value="ent [#{seed.owner_id}]"' in options
        for actor in ("ent", f"ent [#{seed.owner_id}]"):
            response = admin.get("/admin/audit", params={"actor": actor, "entity": "demands"})
            assert response.status_code == 200
            assert {entity for _action, entity, _key in self._rows(response.text)} == {"demands"}
            assert Page(response.text, 200).value("actor") == actor
        process = entries(settings, action="role")[0].actor  # a process, not a user: named as the log names it
        by_process = Page(admin.get("/admin/audit", params={"actor": process}).text, 200)
        rows = [row for row in by_process.find("tr", "audit-table") if "data-action" in row.attrs]
        assert "role" in {row.attrs["data-action"] for row in rows}
        assert {row.children[1].text for row in rows} == {process}

    @pytest.mark.parametrize(
        ("lang", "said"),
        [("zh", "未找到名为「nobody」的用户"), ("en", "no user called 'nobody'")],
    )
    def test_an_unknown_actor_is_an_error_beside_the_field(
        self, settings: Settings, seed: Seed, lang: str, said: str
    ) -> None:
        response = self._admin(settings).get("/admin/audit", params={"actor": "nobody", "lang": lang})
        assert response.status_code == 422
        page = Page(response.text, 422)
        error = page.by_id("actor-error")
        assert error is not None
        assert said in error.text
        assert page.value("actor") == "nobody"
        assert self._rows(response.text) == []

    def test_the_record_is_picked_by_name_through_its_tables_picker(self, settings: Settings, seed: Seed) -> None:
        wanted, _other = self._demands(settings, ["视觉检测需求", "焊缝检测需求"])
        admin = self._admin(settings)
        page = admin.get("/admin/audit", params={"entity": "demands"}).text
        record = next(e for e in Page(page, 200).elements if e.attrs.get("name") == "record")
        assert (record.attrs["data-kind"], record.attrs["hx-get"]) == ("demand", "/pick/demand")
        for typed in ("视觉检测需求", f"视觉检测需求 [#{wanted}]"):
            response = admin.get("/admin/audit", params={"entity": "demands", "record": typed})
            assert {key for _action, _entity, key in self._rows(response.text)} == {str(wanted)}
        # the filter is a GET form pushed to the address bar: a link shared from the page carries the names
        form = Page(page, 200).by_id("audit-filters")
        assert form is not None
        assert (form.attrs["method"], form.attrs["hx-push-url"]) == ("get", "true")
        assert "entity_id" not in {e.attrs.get("name") for e in Page(page, 200).find("input", "audit-filters")}

    @pytest.mark.parametrize(
        ("lang", "said"),
        [("zh", "未找到名为「不存在的需求」的技术需求"), ("en", "no demand called '不存在的需求'")],
    )
    def test_an_unknown_record_is_an_error_beside_the_field(
        self, settings: Settings, seed: Seed, lang: str, said: str
    ) -> None:
        params = {"entity": "demands", "record": "不存在的需求", "lang": lang}
        response = self._admin(settings).get("/admin/audit", params=params, headers={"HX-Request": "true"})
        assert response.status_code == 422
        assert "<html" not in response.text
        page = Page(response.text, 422)
        error = page.by_id("record-error")
        assert error is not None
        assert said in error.text
        assert page.value("record") == "不存在的需求"

    def test_older_links_by_key_still_filter_and_show_the_name(self, settings: Settings, seed: Seed) -> None:
        wanted, _other = self._demands(settings, ["视觉检测需求", "焊缝检测需求"])
        response = self._admin(settings).get("/admin/audit", params={"entity": "demands", "entity_id": str(wanted)})
        assert {key for _action, _entity, key in self._rows(response.text)} == {str(wanted)}
        assert Page(response.text, 200).value("record") == f"视觉检测需求 [#{wanted}]"

    def test_only_administrators_may_pick_users(self, settings: Settings, seed: Seed) -> None:
        officer = TestClient(create_app(settings))
        officer.post("/api/auth/login", json={"username": "officer", "password": PASSWORD})
        assert "<option" not in officer.get("/pick/user?actor=ent").text
        assert "<option" not in TestClient(create_app(settings)).get("/pick/user?actor=ent").text
        assert "<option" in self._admin(settings).get("/pick/user?actor=ent").text
