"""The portal's forms as a person meets them: changes committed before the redirect that shows them, errors kept on
the form with the input, a confirmation after each action, records picked by name (real DB, TestClient)."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlencode

import anyio
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from techbridge.accounts.service import create_user
from techbridge.config import Settings
from techbridge.models import Organization, OrgKind, Role, TransferEvent
from techbridge.transfers.demo import load_demo
from techbridge.web.app import create_app
from tests.integration.test_transfers_pages import signed_in


class TestChangesAreCommittedBeforeTheRedirect:
    def test_a_note_is_in_the_database_when_the_redirect_starts(self, settings: Settings, session: Session) -> None:
        """The page a POST redirects to must show the change: the commit may not trail the response (it did, when
        the session closed after the response was sent, and the next page sometimes showed the old state)."""
        load_demo(session=session, seed=7)
        session.commit()
        client, token = signed_in(settings, session, Role.OFFICER)
        case_id = int(re.search(r"/transfers/cases/(\d+)", client.get("/transfers").text).group(1))  # type: ignore[union-attr]
        app = create_app(settings)
        body = urlencode({"text": "probe-note", "csrf_token": token}).encode()
        cookie = "; ".join(f"{name}={value}" for name, value in client.cookies.items())
        engine = create_engine(settings.database_url)
        seen: list[int] = []

        def count_notes() -> int:
            with Session(engine) as probe:
                query = select(func.count()).select_from(TransferEvent).where(TransferEvent.note == "probe-note")
                return int(probe.scalar(query) or 0)

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                seen.append(message["status"])
                seen.append(count_notes())

        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": f"/transfers/cases/{case_id}/note",
            "raw_path": f"/transfers/cases/{case_id}/note".encode(),
            "query_string": b"",
            "root_path": "",
            "headers": [
                (b"host", b"testserver"),
                (b"content-type", b"application/x-www-form-urlencoded"),
                (b"content-length", str(len(body)).encode()),
                (b"cookie", cookie.encode()),
            ],
            "client": ("127.0.0.1", 5000),
            "server": ("testserver", 80),
        }

        async def call() -> None:
            async with app.router.lifespan_context(app):
                await app(scope, receive, send)

        with ThreadPoolExecutor(1) as pool:  # a thread of its own: the browser tests may run a loop in this one
            pool.submit(anyio.run, call).result()
        engine.dispose()
        assert seen == [303, 1]


def field_value(html: str, name: str) -> str:
    """The value an input (or the text a textarea) named `name` shows."""
    match = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', html) or re.search(
        rf'<textarea[^>]*name="{name}"[^>]*>([^<]*)</textarea>', html
    )
    return match.group(1) if match else ""


class TestPublishingAChallenge:
    FORM = {  # noqa: RUF012 - a fixed form, read only
        "title": "高精度减速器国产化",
        "goal": "寿命 8000 小时",
        "indicators": "回差 1 弧分\n寿命 8000 小时",
        "budget": "lots",
        "deadline": "2027-06-30",
        "field": "机器人",
        "chain_link": "减速器",
        "publisher_name": "某链主企业",
    }

    def test_a_budget_that_is_no_number_stays_on_the_form(self, settings: Settings, session: Session) -> None:
        client, token = signed_in(settings, session, Role.OFFICER)
        response = client.post("/challenges", data={**self.FORM, "csrf_token": token}, follow_redirects=False)
        assert response.status_code == 422
        assert re.search(r'data-field="budget"[^>]*>[^<]*“lots”不是数字', response.text)
        for name in ("title", "goal", "budget", "deadline", "field", "chain_link", "publisher_name"):
            assert field_value(response.text, name) == self.FORM[name], name
        assert "回差 1 弧分\n寿命 8000 小时" in response.text

    def test_a_budget_of_nan_and_a_blank_title_are_said_in_english(self, settings: Settings, session: Session) -> None:
        client, token = signed_in(settings, session, Role.OFFICER)
        client.cookies.set("lang", "en")
        bad = {**self.FORM, "budget": "NaN", "csrf_token": token}
        assert 'data-field="budget"' in client.post("/challenges", data=bad).text
        blank = {**self.FORM, "budget": "10", "title": " ", "csrf_token": token}
        response = client.post("/challenges", data=blank, follow_redirects=False)
        assert response.status_code == 422
        assert re.search(r'data-field="title"[^>]*>a challenge needs a title and a goal<', response.text)
        assert field_value(response.text, "goal") == self.FORM["goal"]

    def test_publishing_confirms(self, settings: Settings, session: Session) -> None:
        client, token = signed_in(settings, session, Role.OFFICER)
        good = {**self.FORM, "budget": "300", "csrf_token": token}
        response = client.post("/challenges", data=good, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"].endswith("?done=published")
        assert 'id="flash"' in client.get(response.headers["location"]).text


def first_case(client: TestClient) -> int:
    return int(re.search(r"/transfers/cases/(\d+)", client.get("/transfers?stage=matched").text).group(1))  # type: ignore[union-attr]


class TestMovingATransferCase:
    def test_a_skip_without_a_reason_stays_on_the_form(self, settings: Settings, session: Session) -> None:
        load_demo(session=session, seed=7)
        session.commit()
        client, token = signed_in(settings, session, Role.OFFICER)
        case_id = first_case(client)
        form = {"to": "contracted", "skip": "1", "reason": "", "note": "双方已口头同意", "csrf_token": token}
        response = client.post(f"/transfers/cases/{case_id}/advance", data=form, follow_redirects=False)
        assert response.status_code == 422
        assert re.search(r'id="advance-error" data-field="reason"[^>]*>跳过阶段必须说明理由<', response.text)
        assert re.search(r'<option value="contracted" selected>', response.text)
        assert re.search(r'name="skip" value="1" checked', response.text)
        assert field_value(response.text, "note") == "双方已口头同意"

    def test_an_unknown_stage_is_an_error_on_the_form_not_a_crash(self, settings: Settings, session: Session) -> None:
        load_demo(session=session, seed=7)
        session.commit()
        client, token = signed_in(settings, session, Role.OFFICER)
        client.cookies.set("lang", "en")
        case_id = first_case(client)
        form = {"to": "production", "csrf_token": token}
        response = client.post(f"/transfers/cases/{case_id}/advance", data=form, follow_redirects=False)
        assert response.status_code == 422
        assert "unknown stage" in response.text

    def test_each_change_confirms(self, settings: Settings, session: Session) -> None:
        load_demo(session=session, seed=7)
        session.commit()
        client, token = signed_in(settings, session, Role.OFFICER)
        client.cookies.set("lang", "en")
        case_id = first_case(client)
        steps = [
            ("advance", {"to": "contacted"}, "Case moved on."),
            ("note", {"text": "called them"}, "Note added."),
            ("close", {"reason": "price"}, "Case closed."),
        ]
        for action, data, said in steps:
            response = client.post(f"/transfers/cases/{case_id}/{action}", data={**data, "csrf_token": token})
            assert response.status_code == 200, action
            assert re.search(rf'id="flash"[^>]*>{said}<', response.text), action


class TestOfficersNameTheOwnerOfARecord:
    def test_the_demand_form_picks_the_enterprise_by_name(self, settings: Settings, session: Session) -> None:
        name = "沈阳新松机器人自动化股份有限公司"
        org = Organization(name=name, normalized_name=name, kind=OrgKind.ENTERPRISE, visibility="public")
        session.add(org)
        session.commit()
        client, token = signed_in(settings, session, Role.OFFICER)
        form_page = client.get("/demands/new").text
        assert 'name="enterprise_id"' not in form_page
        assert re.search(r'<input name="enterprise"[^>]*data-kind="enterprise"', form_page)
        data = {"title": "减速器寿命提升", "enterprise": org.name, "csrf_token": token}
        response = client.post("/demands", data=data, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"].endswith("?done=created")
        page = client.get(response.headers["location"]).text
        assert 'id="flash"' in page
        assert org.name in page

    def test_a_name_that_names_nothing_stays_beside_the_picker(self, settings: Settings, session: Session) -> None:
        client, token = signed_in(settings, session, Role.OFFICER)
        data = {
            "title": "减速器寿命提升",
            "description": "寿命 8000 小时",
            "owner": "不存在的大学",
            "csrf_token": token,
        }
        response = client.post("/achievements", data=data, follow_redirects=False)
        assert response.status_code == 422
        assert re.search(r'data-field="owner">[^<]*不存在的大学', response.text)
        assert field_value(response.text, "owner") == "不存在的大学"
        assert field_value(response.text, "title") == "减速器寿命提升"

    def test_an_enterprise_user_is_confirmed_too(self, settings: Settings, session: Session) -> None:
        client, token = signed_in(settings, session, Role.ENTERPRISE)
        assert 'name="enterprise"' not in client.get("/demands/new").text
        response = client.post("/demands", data={"title": "减速器寿命提升", "csrf_token": token})
        assert re.search(r'id="flash"[^>]*>已创建。<', response.text)


class TestTheEnterprisePageInEnglish:
    def test_no_fixed_chinese_and_officers_get_a_working_tiers_link(self, settings: Settings, session: Session) -> None:
        name = "沈阳示例科技有限公司"
        honours = [{"tier": "专精特新", "snippet": "公司是专精特新企业"}]
        org = Organization(name=name, normalized_name=name, kind=OrgKind.ENTERPRISE, visibility="public")
        org.extra = {"self_declared_honours": honours, "financials": {"2024": {"revenue_wan": 1}}}
        org.extra["financials_source"] = "annual reports"
        session.add(org)
        session.commit()
        client, _ = signed_in(settings, session, Role.OFFICER)
        client.cookies.set("lang", "en")
        html = client.get(f"/enterprises/{org.id}").text
        assert "企业自述" not in html
        assert "Self-declared" in html
        assert "Source: annual reports" in html
        assert client.get(f"/tiers/enterprises/{org.id}").status_code == 200
        assert f'href="/tiers/enterprises/{org.id}"' in html


class TestTheHomePageOffersWhatTheRoleMayOpen:
    def test_only_officers_and_administrators_see_the_dashboard_card(
        self, settings: Settings, session: Session
    ) -> None:
        anonymous = TestClient(create_app(settings))
        assert 'href="/dashboard"' not in anonymous.get("/").text
        enterprise, _ = signed_in(settings, session, Role.ENTERPRISE, "ent")
        assert 'href="/dashboard"' not in enterprise.get("/").text
        officer, _ = signed_in(settings, session, Role.OFFICER, "off")
        assert 'href="/dashboard"' in officer.get("/").text

    def test_the_own_tiers_link_is_offered_to_enterprise_users_only(self, settings: Settings, session: Session) -> None:
        university = Organization(name="示例理工大学", normalized_name="示例理工大学", kind=OrgKind.UNIVERSITY)
        firm = Organization(name="示例精密机械有限公司", normalized_name="示例精密机械", kind=OrgKind.ENTERPRISE)
        session.add_all([university, firm])
        session.flush()
        for username, role, org in (("inst", Role.INSTITUTION, university), ("firm", Role.ENTERPRISE, firm)):
            create_user(session=session, username=username, password="password-1", role=role, organization_id=org.id)
        session.commit()
        for username, expected in (("inst", None), ("firm", f"/tiers/enterprises/{firm.id}")):
            client = TestClient(create_app(settings))
            token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)  # type: ignore[union-attr]
            client.post("/login", data={"username": username, "password": "password-1", "csrf_token": token})
            found = re.search(r'id="own-tiers-link" href="([^"]+)"', client.get("/tiers").text)
            assert (found.group(1) if found else None) == expected
