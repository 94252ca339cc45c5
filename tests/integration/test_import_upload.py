"""The /import page through a real DB: sign-in required, CSRF, row errors on a bad file, templates."""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from techbridge.accounts.service import create_user
from techbridge.config import Settings
from techbridge.db import session_scope
from techbridge.models import Achievement, Demand, Organization, Role, User, Visibility
from techbridge.web.app import create_app

BAD = "编号,成果名称,成果类型,技术就绪度\nA1,一种储能电池,专利,5\nA2,,发明,12\n"
GOOD = "编号,成果名称,成果类型,技术就绪度\nA1,一种储能电池,专利,5\n"


class Cells(HTMLParser):
    """Text of every <td> per <tr>, of <option value>s and of <a href>s."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.options: set[str] = set()
        self.links: set[str] = set()
        self._in_td = False
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "tr":
            self.rows.append([])
        elif tag == "td":
            self._in_td = True
            self.rows[-1].append("")
        elif tag == "option":
            self.options.add(values.get("value") or "")
        elif tag == "a":
            self.links.add(values.get("href") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "td":
            self._in_td = False

    def handle_data(self, data: str) -> None:
        if self._in_td:
            self.rows[-1][-1] += data.strip()


def token(client: TestClient, path: str = "/login") -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert match is not None
    return match.group(1)


@pytest.fixture
def client(settings: Settings, session: Session) -> TestClient:
    create_user(session=session, username="uploader", password="correct-horse", role=Role.ENTERPRISE)
    session.commit()
    client = TestClient(create_app(settings))
    data = {"username": "uploader", "password": "correct-horse", "csrf_token": token(client)}
    assert client.post("/login", data=data, follow_redirects=False).status_code == 303
    return client


def upload(client: TestClient, text: str, name: str = "成果.csv") -> object:
    files = {"file": (name, text.encode("utf-8"), "text/csv")}
    return client.post("/import", data={"entity": "achievement", "csrf_token": token(client, "/import")}, files=files)


class TestUploadPage:
    def test_anonymous_users_are_sent_to_sign_in(self, settings: Settings) -> None:
        response = TestClient(create_app(settings)).get("/import", follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/login")

    def test_form_lists_entities_and_templates(self, client: TestClient) -> None:
        page = Cells(client.get("/import").text)
        assert page.options >= {"achievement", "organization"}
        assert "/import/template/achievement.xlsx" in page.links

    def test_bad_file_shows_each_row_error_in_chinese(self, client: TestClient, settings: Settings) -> None:
        response = upload(client, BAD)
        assert response.status_code == 422  # type: ignore[attr-defined]
        text = response.text  # type: ignore[attr-defined]
        rows = Cells(text[text.index('id="import-errors"') :]).rows
        assert ["3", "成果名称", "缺少必填字段", ""] in rows
        assert any(r[:3] == ["3", "成果类型", "未知代码"] for r in rows)
        assert any(r[:3] == ["3", "技术就绪度", "超出范围"] for r in rows)  # 12 is a number, outside TRL 1–9
        assert "文件「成果.csv」有 3 处错误" in text
        with session_scope(settings.database_url) as s:
            assert s.scalar(select(func.count()).select_from(Achievement)) == 0

    def test_good_file_is_imported(self, client: TestClient, settings: Settings) -> None:
        response = upload(client, GOOD)
        assert response.status_code == 200  # type: ignore[attr-defined]
        with session_scope(settings.database_url) as s:
            achievement = s.scalars(select(Achievement)).one()
            owner = s.scalars(select(User).where(User.username == "uploader")).one()
            assert achievement.owner_id == owner.id

    def test_post_without_csrf_is_refused(self, client: TestClient) -> None:
        files = {"file": ("a.csv", GOOD.encode(), "text/csv")}
        assert client.post("/import", data={"entity": "achievement"}, files=files).status_code == 403

    def test_csv_template_has_a_bom_for_excel(self, client: TestClient) -> None:
        response = client.get("/import/template/achievement.csv")
        assert response.content.startswith("\ufeff编号".encode())


class TestUploadVisibility:
    def test_owner_only_upload_is_hidden_from_others(self, client: TestClient, settings: Settings) -> None:
        files = {"file": ("成果.csv", GOOD.encode("utf-8"), "text/csv")}
        data = {"entity": "achievement", "visibility": "owner", "csrf_token": token(client, "/import")}
        assert client.post("/import", data=data, files=files).status_code == 200
        with session_scope(settings.database_url) as s:
            achievement = s.scalars(select(Achievement)).one()
            assert achievement.visibility == "owner"
            path = f"/achievements/{achievement.id}"
        assert client.get(path).status_code == 200
        assert TestClient(create_app(settings)).get(path).status_code == 404

    def test_organizations_cannot_be_hidden_and_nothing_is_written(
        self, client: TestClient, settings: Settings
    ) -> None:
        files = {"file": ("机构.csv", "机构名称\n沈阳某某科技有限公司\n".encode(), "text/csv")}
        data = {"entity": "organization", "visibility": "owner", "csrf_token": token(client, "/import")}
        response = client.post("/import", data=data, files=files)
        assert response.status_code in (400, 422)
        assert "始终公开" in response.text or "只能公开" in response.text
        with session_scope(settings.database_url) as s:
            assert s.scalar(select(func.count()).select_from(Organization)) == 0

    def test_form_offers_the_three_visibilities(self, client: TestClient) -> None:
        assert Cells(client.get("/import").text).options >= {"public", "registered", "owner"}


def sign_in(settings: Settings, username: str, role: Role, organization_id: int | None = None) -> TestClient:
    """A client signed in as a new user of `role` (belonging to `organization_id`)."""
    with session_scope(settings.database_url) as s:
        create_user(session=s, username=username, password="correct-horse", role=role, organization_id=organization_id)
    client = TestClient(create_app(settings))
    data = {"username": username, "password": "correct-horse", "csrf_token": token(client)}
    assert client.post("/login", data=data, follow_redirects=False).status_code == 303
    return client


def post_file(client: TestClient, entity: str, name: str, text: str, visibility: str = "public") -> httpx.Response:
    files = {"file": (name, text.encode("utf-8"), "text/csv")}
    data = {"entity": entity, "visibility": visibility, "csrf_token": token(client, "/import")}
    return client.post("/import", data=data, files=files)


def error_rows(response: httpx.Response) -> list[list[str]]:
    text = response.text
    return Cells(text[text.index('id="import-errors"') :]).rows[1:]


def make_org(settings: Settings, name: str) -> int:
    with session_scope(settings.database_url) as s:
        org = Organization(name=name, normalized_name=name, kind="enterprise")
        s.add(org)
        s.flush()
        return org.id


ORGS = "编号,名称,机构类型,别名\nO1,沈阳某某科技有限公司,企业,某某科技\n"
TEMPLATE = "编号,成果名称,成果类型\nACH-0001,{title},专利\n"


class TestUploadOwnership:
    def test_same_file_and_key_from_another_user_does_not_take_over(self, settings: Settings) -> None:
        alice = sign_in(settings, "alice", Role.ENTERPRISE)
        bob = sign_in(settings, "bob", Role.ENTERPRISE)
        name = "achievement-template.csv"
        assert post_file(alice, "achievement", name, TEMPLATE.format(title="甲的成果"), "owner").status_code == 200
        assert post_file(bob, "achievement", name, TEMPLATE.format(title="乙的成果")).status_code == 200
        with session_scope(settings.database_url) as s:
            rows = s.execute(
                select(User.username, Achievement.title, Achievement.visibility)
                .join(User, User.id == Achievement.owner_id)
                .order_by(User.username)
            ).all()
        assert [tuple(r) for r in rows] == [("alice", "甲的成果", "owner"), ("bob", "乙的成果", "public")]

    def test_reupload_by_the_owner_updates_their_own_record(self, settings: Settings) -> None:
        alice = sign_in(settings, "alice", Role.ENTERPRISE)
        post_file(alice, "achievement", "a.csv", TEMPLATE.format(title="初稿"))
        assert post_file(alice, "achievement", "a.csv", TEMPLATE.format(title="定稿")).status_code == 200
        with session_scope(settings.database_url) as s:
            assert list(s.scalars(select(Achievement.title))) == ["定稿"]

    def test_organizations_from_a_user_are_refused_naming_the_column(self, settings: Settings) -> None:
        alice = sign_in(settings, "alice", Role.ENTERPRISE)
        response = post_file(alice, "organization", "机构.csv", ORGS)
        assert response.status_code == 422
        reasons = {(r[1], r[2]) for r in error_rows(response)}
        assert reasons == {(c, "仅主管部门和管理员可向共享登记库添加机构、别名和产业链关系") for c in ("名称", "别名")}
        with session_scope(settings.database_url) as s:
            assert s.scalar(select(func.count()).select_from(Organization)) == 0

    def test_chain_edges_from_a_user_are_refused(self, settings: Settings) -> None:
        alice = sign_in(settings, "alice", Role.INSTITUTION)
        response = post_file(alice, "chain_edge", "链.csv", "上游节点,下游节点,关系\n正极材料,锂电池,供给\n")
        assert response.status_code == 422
        assert {r[1] for r in error_rows(response)} == {"上游节点", "下游节点"}

    def test_officers_may_add_organizations(self, settings: Settings) -> None:
        officer = sign_in(settings, "officer", Role.OFFICER)
        response = post_file(officer, "organization", "机构.csv", ORGS)
        assert response.status_code == 200
        with session_scope(settings.database_url) as s:
            assert s.scalar(select(func.count()).select_from(Organization)) == 1

    def test_publishing_for_another_organization_is_refused(self, settings: Settings) -> None:
        mine = make_org(settings, "甲公司")
        make_org(settings, "乙公司")  # exists, so the cell resolves and only membership is at stake
        alice = sign_in(settings, "alice", Role.ENTERPRISE, organization_id=mine)
        text = "编号,成果名称,成果类型,权利人\nA1,成果一,专利,乙公司\nA2,成果二,专利,甲公司\n"
        response = post_file(alice, "achievement", "成果.csv", text)
        assert response.status_code == 422
        assert [r[:3] for r in error_rows(response)] == [["2", "权利人", "只能以本账号所属机构的名义发布"]]
        demand = "编号,需求名称,发布企业\nD1,需求一,乙公司\n"
        assert [r[1] for r in error_rows(post_file(alice, "demand", "需求.csv", demand))] == ["发布企业"]
        with session_scope(settings.database_url) as s:
            assert s.scalar(select(func.count()).select_from(Achievement)) == 0

    def test_an_organization_the_uploader_may_not_read_is_as_unknown_as_a_missing_one(self, settings: Settings) -> None:
        mine = make_org(settings, "甲公司")
        hidden = make_org(settings, "丙公司")
        with session_scope(settings.database_url) as s:
            org = s.get(Organization, hidden)
            assert org is not None
            org.visibility = Visibility.OWNER  # nobody's: only officers read it
        alice = sign_in(settings, "alice", Role.ENTERPRISE, organization_id=mine)
        answers = []
        for name in ("丙公司", "丁公司"):  # the hidden one, and one that does not exist
            text = f"编号,成果名称,成果类型,权利人\nA1,成果一,专利,{name}\n"
            response = post_file(alice, "achievement", "成果.csv", text)
            [row] = error_rows(response)
            assert f"未找到机构「{name}」" in " ".join(row)
            answers.append([cell.replace(name, "…") for cell in row])
        assert answers[0] == answers[1]

    def test_publishing_for_ones_own_organization_is_allowed(self, settings: Settings) -> None:
        mine = make_org(settings, "甲公司")
        alice = sign_in(settings, "alice", Role.ENTERPRISE, organization_id=mine)
        demand = "编号,需求名称,发布企业\nD1,需求一,甲公司\n"
        assert post_file(alice, "demand", "需求.csv", demand).status_code == 200
        with session_scope(settings.database_url) as s:
            assert s.scalars(select(Demand.enterprise_id)).one() == mine


class Body:
    """A multipart upload body produced lazily in 1 MB chunks, counting how many chunks were pulled."""

    def __init__(self, size: int, csrf: str = "x", name: str = "big.csv") -> None:
        self.boundary = "techbridge-test-boundary"
        fields = "".join(
            f'--{self.boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'
            for k, v in (("entity", "achievement"), ("csrf_token", csrf))
        )
        self.head = (
            f'{fields}--{self.boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: text/csv\r\n\r\n"
        ).encode()
        self.tail = f"\r\n--{self.boundary}--\r\n".encode()
        self.size = size
        self.pulled = 0

    @property
    def length(self) -> int:
        return len(self.head) + self.size + len(self.tail)

    @property
    def content_type(self) -> str:
        return f"multipart/form-data; boundary={self.boundary}"

    def __iter__(self) -> Iterator[bytes]:
        self.pulled += 1
        yield self.head
        chunk = b"x" * (1024 * 1024)
        for start in range(0, self.size, len(chunk)):
            self.pulled += 1
            yield chunk[: self.size - start]
        yield self.tail


def limited(settings: Settings, **values: int) -> Settings:
    return settings.model_copy(update=values)


def uploads_left(settings: Settings) -> list[Path]:
    folder = settings.var_dir / "uploads"
    return list(folder.iterdir()) if folder.exists() else []


class TestBoundedUploads:
    def test_120_mb_upload_is_413_before_a_byte_is_read(self, settings: Settings) -> None:
        client = sign_in(settings, "alice", Role.ENTERPRISE)
        body = Body(120 * 1024 * 1024, token(client, "/import"))
        headers = {"Content-Type": body.content_type, "Content-Length": str(body.length)}
        response = client.post("/import", content=iter(body), headers=headers)
        assert response.status_code == 413
        assert "50 MB" in response.text
        assert body.pulled == 0
        assert uploads_left(settings) == []

    def test_chunked_upload_is_counted_while_streaming(self, settings: Settings, tmp_path: Path) -> None:
        small = limited(settings, max_upload_bytes=64 * 1024)
        client = sign_in(small, "alice", Role.ENTERPRISE)
        body = Body(1024 * 1024, token(client, "/import"))
        response = client.post("/import", content=iter(body), headers={"Content-Type": body.content_type})
        assert "content-length" not in response.request.headers
        assert response.status_code == 413
        assert uploads_left(small) == []
        with session_scope(small.database_url) as s:
            assert s.scalar(select(func.count()).select_from(Achievement)) == 0

    def test_upload_under_the_limit_is_imported(self, settings: Settings) -> None:
        small = limited(settings, max_upload_bytes=64 * 1024)
        client = sign_in(small, "alice", Role.ENTERPRISE)
        assert post_file(client, "achievement", "a.csv", GOOD).status_code == 200
        assert uploads_left(small) == []

    def test_anonymous_upload_is_refused_before_the_body_is_read(self, settings: Settings) -> None:
        body = Body(1024 * 1024)
        client = TestClient(create_app(settings))
        response = client.post(
            "/import",
            content=iter(body),
            headers={"Content-Type": body.content_type, "Content-Length": str(body.length)},
            follow_redirects=False,
        )
        assert response.status_code == 303
        assert response.headers["location"].startswith("/login")
        assert body.pulled == 0

    def test_rows_past_the_limit_are_a_row_error(self, settings: Settings) -> None:
        client = sign_in(limited(settings, max_import_rows=1), "alice", Role.ENTERPRISE)
        response = post_file(client, "achievement", "a.csv", TEMPLATE.format(title="一") + "ACH-0002,二,专利\n")
        assert response.status_code == 422
        assert [r[:3] for r in error_rows(response)] == [["3", "-", "单个文件行数超过上限"]]

    def test_xlsx_inflating_past_the_limit_is_refused(self, settings: Settings, tmp_path: Path) -> None:
        client = sign_in(limited(settings, max_xlsx_uncompressed_bytes=1024 * 1024), "alice", Role.ENTERPRISE)
        path = tmp_path / "bomb.xlsx"
        bomb_xlsx(path, 4 * 1024 * 1024)
        files = {"file": ("bomb.xlsx", path.read_bytes(), XLSX)}
        data = {"entity": "achievement", "csrf_token": token(client, "/import")}
        response = client.post("/import", data=data, files=files)
        assert response.status_code == 422
        assert [r[1:3] for r in error_rows(response)] == [["-", "文件过大"]]


class TestValuesFitTheirColumns:
    def test_key_longer_than_the_column_is_a_row_error(self, settings: Settings) -> None:
        client = sign_in(settings, "alice", Role.ENTERPRISE)
        response = post_file(client, "achievement", "a.csv", TEMPLATE.replace("ACH-0001", "K" * 256).format(title="x"))
        assert response.status_code == 422
        assert [r[:3] for r in error_rows(response)] == [["2", "编号", "类型错误"]]

    def test_long_file_name_is_cut_to_the_column(self, settings: Settings) -> None:
        client = sign_in(settings, "alice", Role.ENTERPRISE)
        name = "成" * 300 + ".csv"
        assert post_file(client, "achievement", name, TEMPLATE.format(title="x")).status_code == 200
        with session_scope(settings.database_url) as s:
            assert s.scalars(select(Achievement.source_file)).one() == name[:255]


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def bomb_xlsx(path: Path, inflated: int) -> None:
    """A valid one-row workbook plus an entry of `inflated` zero bytes (a few KB compressed)."""
    book = Workbook()
    book.active.append(["编号", "成果名称", "成果类型"])
    book.active.append(["A1", "一种储能电池", "专利"])
    book.save(path)
    with (
        zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as archive,
        archive.open("xl/pad.bin", "w") as out,
    ):
        for _ in range(inflated // (1024 * 1024)):
            out.write(bytes(1024 * 1024))


class TestBoundedApiBodies:
    def test_json_body_past_the_limit_is_413(self, settings: Settings) -> None:
        client = TestClient(create_app(settings))
        payload = json.dumps({"username": "x" * (2 * 1024 * 1024), "password": "y"})
        response = client.post("/api/auth/login", content=payload, headers={"Content-Type": "application/json"})
        assert response.status_code == 413
        assert response.json()["error"] == "too_large"

    def test_json_body_without_content_length_is_counted(self, settings: Settings) -> None:
        client = TestClient(create_app(limited(settings, max_body_bytes=1024)))
        chunks = iter([b'{"username": "', b"x" * 4096, b'", "password": "y"}'])
        response = client.post("/api/auth/login", content=chunks, headers={"Content-Type": "application/json"})
        assert "content-length" not in response.request.headers
        assert response.status_code == 413
        assert "1 KB" in response.json()["message"]

    def test_small_json_body_passes(self, settings: Settings) -> None:
        client = TestClient(create_app(settings))
        response = client.post("/api/auth/login", json={"username": "nobody", "password": "wrong-password"})
        assert response.status_code not in (413, 500)
