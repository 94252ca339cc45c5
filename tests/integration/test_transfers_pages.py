"""Portal pages of transfers, the dashboard and challenges through a real DB (TestClient)."""

from __future__ import annotations

import html
import io
import json
import re

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from techbridge.accounts.service import create_user
from techbridge.config import Settings
from techbridge.models import (
    Achievement,
    AchievementKind,
    CarrierType,
    Organization,
    OrgKind,
    PilotCapacity,
    Role,
    TransferCase,
)
from techbridge.transfers.demo import load_demo
from techbridge.web.app import create_app


def signed_in(settings: Settings, session: Session, role: Role, username: str = "u1") -> tuple[TestClient, str]:
    create_user(session=session, username=username, password="password-1", role=role)
    session.commit()
    client = TestClient(create_app(settings))
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)  # type: ignore[union-attr]
    client.post("/login", data={"username": username, "password": "password-1", "csrf_token": token})
    return client, token


class TestDashboard:
    def test_demo_figures_are_labelled_and_defined(self, settings: Settings, session: Session) -> None:
        load_demo(session=session, seed=7)
        client, _ = signed_in(settings, session, Role.OFFICER)
        page = client.get("/dashboard")
        assert page.status_code == 200
        assert 'id="demo-label"' in page.text
        assert page.text.count('class="muted definition"') >= 7
        for section in page.text.split("<section")[1:]:  # each definition once per section, not four times
            notes = re.findall(r'class="muted definition"[^>]*>([^<]*)<', section)
            cells = re.findall(r"<td>(本地转化率（[^<]*)</td>", section)
            assert len(notes + cells) == len(set(notes + cells)), notes + cells
        assert page.text.count("本地转化率（金额口径，省内）=") == 2  # the headline table and the trend, nowhere else
        assert "data-echarts" in page.text

    def test_the_english_dashboard_writes_amounts_in_english(self, settings: Settings, session: Session) -> None:
        load_demo(session=session, seed=7)
        client, _ = signed_in(settings, session, Role.OFFICER)
        page = client.get("/dashboard?lang=en").text
        options = [json.loads(html.unescape(raw)) for raw in re.findall(r"data-echarts='([^']*)'", page)]
        assert len(options) >= 4
        texts = json.dumps(options, ensure_ascii=False)
        assert "万元" not in texts
        assert "× 10,000 yuan" in texts
        assert "万元" not in page

    def test_anonymous_visitors_are_sent_to_sign_in(self, settings: Settings) -> None:
        response = TestClient(create_app(settings)).get("/dashboard", follow_redirects=False)
        assert (response.status_code, response.headers["location"]) == (303, "/login?next=/dashboard")

    def test_signed_in_non_officers_are_refused(self, settings: Settings, session: Session) -> None:
        client, _ = signed_in(settings, session, Role.ENTERPRISE)
        assert client.get("/dashboard").status_code == 403

    @pytest.mark.parametrize("name", ["cities", "all"])
    def test_tables_export_to_xlsx(self, settings: Settings, session: Session, name: str) -> None:
        load_demo(session=session, seed=7)
        client, _ = signed_in(settings, session, Role.OFFICER)
        response = client.get(f"/dashboard/export/{name}.xlsx")
        book = load_workbook(io.BytesIO(response.content))
        assert "cities" in book.sheetnames
        assert len(book.sheetnames) == (1 if name == "cities" else 8)
        rows = list(book["cities"].iter_rows(values_only=True))
        assert any(row[0] == "沈阳市" for row in rows)

    def test_the_map_script_is_served_locally(self, settings: Settings) -> None:
        body = TestClient(create_app(settings)).get("/dashboard/map.js").text
        assert 'registerMap("辽宁"' in body


class TestBrokerWorkspace:
    def test_a_case_is_created_and_advanced_through_the_portal(self, settings: Settings, session: Session) -> None:
        client, token = signed_in(settings, session, Role.BROKER, "broker1")
        response = client.post(
            "/transfers/cases", data={"title": "膜分离技术转化", "csrf_token": token}, follow_redirects=False
        )
        location, _, done = response.headers["location"].partition("?")
        assert done == "done=created"
        assert 'id="flash"' in client.get(f"{location}?{done}").text
        client.post(f"{location}/advance", data={"to": "contacted", "csrf_token": token})
        refused = client.post(f"{location}/advance", data={"to": "piloting", "csrf_token": token})
        assert refused.status_code == 422  # the case page again, the message beside the advance form
        assert 'id="advance-error"' in refused.text
        client.post(
            f"{location}/advance", data={"to": "piloting", "skip": "1", "reason": "已签合同", "csrf_token": token}
        )
        page = client.get(location)
        assert 'data-stage="piloting"' in page.text
        assert "已签合同" in page.text
        assert "膜分离技术转化" in client.get("/transfers").text


class TestPilotBases:
    def test_trl_5_achievement_gets_the_matching_base(self, settings: Settings, session: Session) -> None:
        base = Organization(
            kind=OrgKind.CARRIER,
            carrier_type=CarrierType.PILOT_BASE,
            name="辽宁精细化工中试基地",
            normalized_name="精细化工中试基地",
            region_code=None,
        )
        achievement = Achievement(kind=AchievementKind.TECHNOLOGY, title="催化剂", trl=5, field_tags=["化工"])
        session.add_all([base, achievement])
        session.flush()
        session.add(PilotCapacity(organization_id=base.id, fields=["化工"], trl_min=4, trl_max=7, equipment="反应釜"))
        session.commit()
        html = TestClient(create_app(settings)).get(f"/transfers/achievements/{achievement.id}/pilot-bases").text
        assert "辽宁精细化工中试基地" in html
        assert "<html" not in html

    def test_without_any_pilot_base_the_fragment_says_so(self, settings: Settings, session: Session) -> None:
        achievement = Achievement(kind=AchievementKind.TECHNOLOGY, title="催化剂", trl=5, field_tags=["化工"])
        session.add(achievement)
        session.commit()
        html = TestClient(create_app(settings)).get(f"/transfers/achievements/{achievement.id}/pilot-bases").text
        assert "平台尚未登记任何中试基地" in html
        assert "仅 TRL 4–7" not in html


class TestDashboardDefinition:
    def test_seller_kinds_and_amount_change_the_stated_definition(self, settings: Settings, session: Session) -> None:
        load_demo(session=session, seed=7)
        client, _ = signed_in(settings, session, Role.OFFICER)
        page = client.get("/dashboard?sellers=enterprise&amount=technology_income")
        assert "enterprises" in page.text or "企业" in page.text
        assert "技术交易额（登记核定）" in page.text
        workbook = load_workbook(io.BytesIO(client.get("/dashboard/export/headline.xlsx?sellers=enterprise").content))
        assert any("企业" in str(row[4]) for row in workbook["headline"].iter_rows(values_only=True) if row[4])

    def test_export_links_carry_the_definition(self, settings: Settings, session: Session) -> None:
        load_demo(session=session, seed=7)
        client, _ = signed_in(settings, session, Role.OFFICER)
        page = client.get("/dashboard?sellers=university&amount=technology_income").text
        assert 'href="/dashboard/export/cities.xlsx?sellers=university&amp;amount=technology_income"' in page
        assert 'value="university" checked' in page
        assert 'value="institute" checked' not in page


class TestCaseFormPickers:
    def test_an_achievement_and_a_city_are_picked_by_name(self, settings: Settings, session: Session) -> None:
        from tests.registry_seed import make_regions

        make_regions(session)
        achievement = Achievement(kind=AchievementKind.PATENT, title="一种膜分离装置")
        session.add(achievement)
        session.commit()
        client, token = signed_in(settings, session, Role.BROKER, "broker1")
        form = {"title": "膜分离转化", "achievement": "一种膜分离装置", "city": "大连", "csrf_token": token}
        response = client.post("/transfers/cases", data=form, follow_redirects=False)
        assert response.status_code == 303
        page = client.get(response.headers["location"])
        assert "一种膜分离装置" in page.text
        assert "大连市" in page.text
        session.expire_all()
        case = session.scalars(select(TransferCase).where(TransferCase.title == "膜分离转化")).one()
        assert (case.achievement_id, case.city_code) == (achievement.id, "2102")

    def test_a_title_naming_nothing_stays_on_the_form_with_the_input(
        self, settings: Settings, session: Session
    ) -> None:
        client, token = signed_in(settings, session, Role.BROKER, "broker1")
        form = {"title": "膜分离转化", "achievement": "不存在的成果", "city": "火星", "csrf_token": token}
        response = client.post("/transfers/cases", data=form)
        assert response.status_code == 422
        assert 'id="form-error"' in response.text
        assert 'value="不存在的成果"' in response.text
        assert 'value="膜分离转化"' in response.text
