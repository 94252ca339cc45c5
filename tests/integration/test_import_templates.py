"""Import templates people can fill, through the portal and a real DB: the XLSX template's instructions, dropdowns
and region list; labels the UI shows accepted by the importer; regions by name; errors as Chinese sentences; the
result linking to the imported records."""

from __future__ import annotations

import io
import re

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from techbridge.accounts.service import create_user
from techbridge.config import Settings
from techbridge.db import session_scope
from techbridge.models import Achievement, Organization, Region, Role
from techbridge.web.app import create_app
from tests.html_page import Page

HEADER = "编号,成果名称,成果类型,技术就绪度,价格（万元）,所在地区\n"


def token(client: TestClient, path: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert match is not None
    return match.group(1)


@pytest.fixture
def client(settings: Settings, session: Session) -> TestClient:
    university = Organization(name="大连理工大学", normalized_name="大连理工大学", kind="university")
    session.add_all(
        [
            Region(code="21", name="辽宁省", level="province"),
            Region(code="2102", name="大连市", level="city", parent_code="21"),
            Region(code="2101", name="沈阳市", level="city", parent_code="21"),
            Region(code="11", name="北京市", level="province"),
            Region(code="110105", name="朝阳区", level="county", parent_code="11"),
            Region(code="220105", name="朝阳区", level="county", parent_code="11"),
            university,
        ]
    )
    session.flush()
    role = Role.ENTERPRISE
    create_user(session=session, username="office", password="correct-horse", role=role, organization_id=university.id)
    session.commit()
    client = TestClient(create_app(settings))
    data = {"username": "office", "password": "correct-horse", "csrf_token": token(client, "/login")}
    assert client.post("/login", data=data, follow_redirects=False).status_code == 303
    return client


def upload(client: TestClient, content: bytes, name: str = "成果.csv") -> Page:
    files = {"file": (name, content, "text/csv")}
    data = {"entity": "achievement", "csrf_token": token(client, "/import")}
    response = client.post("/import", data=data, files=files)
    return Page(response.text, response.status_code)


def error_details(page: Page) -> dict[tuple[str, str], str]:
    """(row, column) → detail cell of the error table."""
    rows = [[td.text for td in tr.children] for tr in page.find("tr", "import-errors") if tr.children[0].tag == "td"]
    return {(r[0], r[1]): r[3] for r in rows}


def achievements(settings: Settings) -> dict[str, tuple[str, str | None]]:
    with session_scope(settings.database_url) as s:
        return {a.title: (a.kind, a.region_code) for a in s.scalars(select(Achievement))}


class TestLabels:
    def test_the_labels_the_portal_shows_and_the_short_spellings_are_both_accepted(
        self, client: TestClient, settings: Settings
    ) -> None:
        rows = "A1,甲,技术成果,,,\nA2,乙,技术,,,\nA3,丙,新品种,,,\nA4,丁,品种,,,\nA5,戊,软件著作权,,,\n"
        assert upload(client, (HEADER + rows).encode()).status == 200
        kinds = {title: kind for title, (kind, _region) in achievements(settings).items()}
        assert kinds == {"甲": "technology", "乙": "technology", "丙": "variety", "丁": "variety", "戊": "software"}


class TestRegionsByName:
    def test_a_region_column_takes_names_short_names_picked_values_and_codes(
        self, client: TestClient, settings: Settings
    ) -> None:
        rows = (
            "A1,甲,专利,,,大连\nA2,乙,专利,,,大连市\nA3,丙,专利,,,沈阳市 [2101]\nA4,丁,专利,,,2102\nA5,戊,专利,,,辽宁\n"
        )
        assert upload(client, (HEADER + rows).encode()).status == 200
        regions = {title: region for title, (_kind, region) in achievements(settings).items()}
        assert regions == {"甲": "2102", "乙": "2102", "丙": "2101", "丁": "2102", "戊": "21"}

    def test_an_unknown_or_shared_name_is_an_error_that_says_what_to_write(self, client: TestClient) -> None:
        page = upload(client, (HEADER + "A1,甲,专利,,,火星\nA2,乙,专利,,,朝阳区\n").encode())
        details = error_details(page)
        assert "未找到地区「火星」" in details[("2", "所在地区")]
        assert "「地区」表" in details[("2", "所在地区")]
        assert "对应多个地区" in details[("3", "所在地区")]


class TestErrorsInChinese:
    def test_each_detail_is_a_chinese_sentence_naming_what_is_allowed(self, client: TestClient) -> None:
        page = upload(client, (HEADER + "A1,甲,发明,12,-5,\n").encode())
        assert page.status == 422
        details = error_details(page)
        assert (
            details[("2", "成果类型")] == "「发明」不是可选值；可选值：专利、论文、技术成果、软件著作权、新品种、标准"
        )
        assert details[("2", "技术就绪度")] == "「12」超出范围：应在 1 到 9 之间"
        assert details[("2", "价格（万元）")] == "「-5」超出范围：应在 0 到 999999999999 之间"
        text = "".join(e.text for e in page.elements if e.attrs.get("id") == "import-errors")
        assert not re.search(r"[A-Za-z]{3,}", text.replace("成果.csv", ""))

    def test_english_users_get_the_english_detail(self, client: TestClient) -> None:
        client.cookies.set("lang", "en")
        details = error_details(upload(client, (HEADER + "A1,甲,发明,,,\n").encode()))
        assert details[("2", "成果类型")].startswith("'发明' is not one of the allowed values: 专利, 论文")


class TestResultLinks:
    def test_the_result_lists_the_imported_titles_linking_to_their_pages(
        self, client: TestClient, settings: Settings
    ) -> None:
        page = upload(client, (HEADER + "A1,一种储能电池,专利,,,\nA2,一种催化剂,论文,,,\n").encode())
        with session_scope(settings.database_url) as s:
            ids = {a.title: a.id for a in s.scalars(select(Achievement))}
        links = [(a.text, a.attrs["href"]) for a in page.find("a", "import-records")]
        assert links == [
            ("一种储能电池", f"/achievements/{ids['一种储能电池']}"),
            ("一种催化剂", f"/achievements/{ids['一种催化剂']}"),
        ]
        assert client.get(links[0][1]).status_code == 200
        counts = {
            tr.attrs["data-count"]: tr.children[0].text
            for tr in page.find("tr", "import-done")
            if tr.attrs.get("data-count")
        }
        assert counts["achievement.inserted"] == "新增成果"


class TestXlsxTemplate:
    @pytest.fixture
    def book(self, client: TestClient) -> object:
        response = client.get("/import/template/achievement.xlsx")
        assert response.status_code == 200
        return load_workbook(io.BytesIO(response.content))

    def test_the_data_sheet_comes_first_then_instructions_allowed_values_and_regions(self, book: object) -> None:
        assert book.sheetnames == ["科技成果", "填写说明", "可选值", "地区"]

    def test_instructions_give_meaning_required_format_allowed_values_and_example(self, book: object) -> None:
        sheet = book["填写说明"]  # type: ignore[index]
        rows = {r[0]: r for r in sheet.iter_rows(min_row=3, values_only=True)}
        assert rows["成果类型"][1:6] == (
            "成果的类别",
            "必填",
            "从下拉列表中选一项",
            "专利、论文、技术成果、软件著作权、新品种、标准",
            "专利",
        )
        assert rows["技术就绪度"][3] == "整数，范围 1–9"
        assert "「地区」表" in rows["所在地区"][3]
        assert rows["所在地区"][6] == "所在地区代码、region_code"

    def test_choice_columns_have_dropdowns_from_the_allowed_values(self, book: object) -> None:
        rules = {str(dv.sqref): dv for dv in book["科技成果"].data_validations.dataValidation}  # type: ignore[index]
        kind = rules["C2:C5000"]
        assert (kind.type, kind.formula1, kind.showErrorMessage) == ("list", "'可选值'!$A$2:$A$7", True)
        assert "技术成果" in kind.error
        assert [c.value for c in book["可选值"]["A"]][1:] == [
            "专利",
            "论文",
            "技术成果",
            "软件著作权",
            "新品种",
            "标准",
        ]  # type: ignore[index]
        assert rules["L2:L5000"].formula1 == "'地区'!$A$2:$A$7"

    def test_the_region_sheet_lists_liaoning_first_with_names_and_codes(self, book: object) -> None:
        rows = list(book["地区"].iter_rows(min_row=2, max_col=3, values_only=True))  # type: ignore[index]
        assert rows[:3] == [
            ("辽宁省 [21]", "辽宁省", "21"),
            ("沈阳市 [2101]", "沈阳市", "2101"),
            ("大连市 [2102]", "大连市", "2102"),
        ]

    def test_the_template_as_downloaded_imports(self, client: TestClient, settings: Settings) -> None:
        content = client.get("/import/template/achievement.xlsx").content
        page = upload(client, content, "成果模板.xlsx")
        assert page.status == 200, error_details(page)
        assert achievements(settings) == {"一种高镍三元正极材料的制备方法": ("patent", "2102")}


class TestFileErrorsInChinese:
    def test_a_missing_column_is_said_in_chinese_only(self, client: TestClient) -> None:
        details = error_details(upload(client, "编号,成果类型\nA1,专利\n".encode()))
        assert details[("1", "成果名称")] == "文件缺少该列"


class TestUploadPage:
    def test_the_page_says_what_the_xlsx_template_contains(self, client: TestClient) -> None:
        hint = Page(client.get("/import").text, 200).by_id("templates-hint")
        assert hint is not None
        assert "填写说明" in hint.text
