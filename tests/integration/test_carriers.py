"""A province loads its own carriers (CLI, as an officer), then finds them on /carriers, their pages, and the
pilot base proposed on a TRL-5 achievement in its field."""

from __future__ import annotations

from html.parser import HTMLParser

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from techbridge.config import Settings
from techbridge.db import session_scope
from techbridge.models import Achievement, AchievementKind, Organization, Role
from techbridge.web.app import create_app
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
