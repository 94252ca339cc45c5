"""A province loads its own carriers (CLI, as an officer), then finds them on /carriers, their pages, and the
pilot base proposed on a TRL-5 achievement in its field."""

from __future__ import annotations

import csv
import io
import re
from html.parser import HTMLParser

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from techbridge.config import Settings
from techbridge.db import session_scope
from techbridge.models import Achievement, AchievementKind, Organization, PilotCapacity, Role
from techbridge.web.app import create_app
from tests.html_page import Page
from tests.integration.test_import_cli import add_user, invoke
from tests.unit.imports.test_carriers import SAMPLE, add_regions


class Links(HTMLParser):
    """Texts of the record links of a list page."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.names: list[str] = []
        self._in = False
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in = tag == "a" and ("class", "record-link") in attrs

    def handle_data(self, data: str) -> None:
        if self._in:
            self.names.append(data.strip())
            self._in = False


def load_sample(settings: Settings, session: Session) -> dict[str, int]:
    add_regions(session)
    add_user(settings, "officer", Role.OFFICER)
    code, _out, err = invoke(settings, "import", "file", "carrier", str(SAMPLE), "--as", "officer", "-q")
    assert code == 0, err
    with session_scope(settings.database_url) as db:
        return {o.name: o.id for o in db.scalars(select(Organization))}


def signed_in(settings: Settings, username: str, role: Role) -> TestClient:
    add_user(settings, username, role)
    client = TestClient(create_app(settings))
    data = {"username": username, "password": "correct-horse", "csrf_token": csrf(client, "/login")}
    assert client.post("/login", data=data, follow_redirects=False).status_code == 303
    return client


def csrf(client: TestClient, path: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert match is not None
    return match.group(1)


def upload_carriers(client: TestClient) -> Page:
    files = {"file": ("carriers.csv", SAMPLE.read_bytes(), "text/csv")}
    response = client.post("/import", data={"entity": "carrier", "csrf_token": csrf(client, "/import")}, files=files)
    return Page(response.text, response.status_code)


class TestCarrierTemplateOnTheUploadPage:
    def test_the_page_offers_the_carrier_template_beside_the_organization_one(self, settings: Settings) -> None:
        page = Page(signed_in(settings, "officer", Role.OFFICER).get("/import").text, 200)
        options = {e.attrs["value"]: e.text for e in page.elements if e.tag == "option"}
        assert options["carrier"] == "载体平台（科技园、孵化器、中试基地等）"
        assert options["organization"] == "机构（企业、高校、院所、载体）"
        links = {e.attrs["href"] for e in page.elements if e.tag == "a"}
        assert {"/import/template/carrier.csv", "/import/template/carrier.xlsx"} <= links
        assert "/import/template/organization.csv" in links

    def test_the_csv_template_is_the_one_the_cli_prints(self, settings: Settings) -> None:
        response = signed_in(settings, "officer", Role.OFFICER).get("/import/template/carrier.csv")
        assert response.status_code == 200
        assert 'filename="carrier-template.csv"' in response.headers["content-disposition"]
        _code, printed, _err = invoke(settings, "import", "template", "carrier")
        assert response.content.decode("utf-8-sig") == printed
        header, example = list(csv.reader(io.StringIO(printed)))
        assert header[:4] == ["编号", "名称", "机构类型", "载体类型"]
        assert "股票代码" not in header
        assert dict(zip(header, example, strict=True))["载体类型"] == "中试基地"

    def test_the_xlsx_template_has_the_carrier_columns_and_type_choices(self, settings: Settings) -> None:
        response = signed_in(settings, "officer", Role.OFFICER).get("/import/template/carrier.xlsx")
        book = load_workbook(io.BytesIO(response.content))
        sheet = book.worksheets[0]
        header = [cell.value for cell in next(sheet.iter_rows(max_row=1))]
        assert header[:4] == ["编号", "名称", "机构类型", "载体类型"]
        assert {"所在城市", "中试TRL下限", "中试TRL上限", "主要设备/能力"} <= set(header)
        formulas = [v.formula1 for v in sheet.data_validations.dataValidation]
        choices = {str(cell.value) for name in book.sheetnames for row in book[name].iter_rows() for cell in row}
        assert formulas
        assert {"大学科技园", "孵化器", "中试基地"} <= choices

    def test_a_filled_template_uploaded_as_carriers_creates_them(self, settings: Settings, session: Session) -> None:
        add_regions(session)
        page = upload_carriers(signed_in(settings, "officer", Role.OFFICER))
        assert page.status == 200
        with session_scope(settings.database_url) as db:
            ids = {o.name: o.id for o in db.scalars(select(Organization))}
        links = {e.text: e.attrs["href"] for e in page.find("a", "import-records")}
        assert links["大连精细化工中试基地"] == f"/carriers/{ids['大连精细化工中试基地']}"
        assert len(links) == 3
        with session_scope(settings.database_url) as db:
            kinds = {o.name: (o.kind, o.carrier_type, o.region_code) for o in db.scalars(select(Organization))}
            capacity = db.scalars(select(PilotCapacity)).one()
            assert (capacity.trl_min, capacity.trl_max) == (4, 7)
        assert kinds["大连精细化工中试基地"] == ("carrier", "pilot_base", "2102")
        assert kinds["沈阳浑南大学科技园"] == ("carrier", "science_park", "2101")

    def test_a_member_upload_is_refused_with_the_row_errors(self, settings: Settings, session: Session) -> None:
        add_regions(session)
        page = upload_carriers(signed_in(settings, "alice", Role.ENTERPRISE))
        assert page.status == 422
        assert "仅主管部门和管理员" in " ".join(td.text for td in page.find("td", "import-errors"))
        with session_scope(settings.database_url) as db:
            assert db.scalars(select(Organization).where(Organization.kind == "carrier")).all() == []


class TestCarriersEndToEnd:
    def test_cli_import_as_a_member_is_refused(self, settings: Settings, session: Session) -> None:
        add_regions(session)
        add_user(settings, "alice", Role.ENTERPRISE)
        code, _out, err = invoke(settings, "import", "file", "carrier", str(SAMPLE), "--as", "alice", "-q")
        assert code == 1
        assert "carriers.csv, row 2, column 名称: only officers and admins" in err

    def test_cli_template_has_the_carrier_columns(self, settings: Settings) -> None:
        code, out, _err = invoke(settings, "import", "template", "carrier")
        assert code == 0
        header = out.splitlines()[0].split(",")
        assert header[:4] == ["编号", "名称", "机构类型", "载体类型"]
        assert {"所在城市", "服务领域", "中试TRL下限", "中试TRL上限", "主要设备/能力"} <= set(header)
        assert "股票代码" not in header

    def test_list_filters_by_type_and_city(self, settings: Settings, session: Session) -> None:
        load_sample(settings, session)
        client = TestClient(create_app(settings))
        assert sorted(Links(client.get("/carriers").text).names) == sorted(
            ["大连精细化工中试基地", "沈阳浑南大学科技园", "鞍山众创空间"]
        )
        assert Links(client.get("/carriers?carrier_type=pilot_base").text).names == ["大连精细化工中试基地"]
        assert Links(client.get("/carriers?region=2101").text).names == ["沈阳浑南大学科技园"]

    def test_pilot_base_page_shows_city_type_trl_and_equipment(self, settings: Settings, session: Session) -> None:
        ids = load_sample(settings, session)
        page = TestClient(create_app(settings)).get(f"/carriers/{ids['大连精细化工中试基地']}").text
        for text in ("大连市", "中试基地", "TRL 4–7", "200 L 反应釜、连续流中试线", "精细化工"):
            assert text in page
        park = TestClient(create_app(settings)).get(f"/carriers/{ids['沈阳浑南大学科技园']}").text
        assert "人工智能" in park
        assert "TRL" not in park

    def test_trl_5_achievement_in_the_field_gets_the_imported_base(self, settings: Settings, session: Session) -> None:
        ids = load_sample(settings, session)
        work = Achievement(kind=AchievementKind.TECHNOLOGY, title="一种连续流合成工艺", trl=5, field_tags=["精细化工"])
        session.add(work)
        session.commit()
        html = TestClient(create_app(settings)).get(f"/transfers/achievements/{work.id}/pilot-bases").text
        assert f'data-org="{ids["大连精细化工中试基地"]}"' in html
        assert "共同领域" in html
        assert "精细化工" in html
        assert "覆盖 TRL 5" in html
