"""`techbridge chains …` through the Typer app on a real database seeded with the hand-made graph."""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import Result
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from techbridge.cli.app import app, main
from techbridge.config import Settings, get_settings
from techbridge.models import Role
from techbridge.web.app import create_app
from tests.registry_seed import PASSWORD, make_user
from tests.unit.chains.seed import seed_chain_graph


@pytest.fixture
def seeded(settings: Settings, session: Session) -> Settings:
    seed_chain_graph(session)
    session.commit()
    return settings


def invoke(settings: Settings, *args: str, lang: str = "zh") -> Result:
    get_settings.cache_clear()
    env = {"TECHBRIDGE_DATABASE_URL": settings.database_url, "TECHBRIDGE_LANG": lang}
    return CliRunner().invoke(app, list(args), env=env)


def as_json(result: Result) -> Any:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


class TestJsonCommands:
    def test_list(self, seeded: Settings) -> None:
        rows = as_json(invoke(seeded, "chains", "list", "--json"))
        ids = [r["id"] for r in rows]
        assert "petrochem" in ids
        assert ids == sorted(ids)

    def test_show_by_synonym_with_hops(self, seeded: Settings) -> None:
        payload = as_json(invoke(seeded, "chains", "show", "PTA", "--hops", "1", "--json"))
        assert sorted(n["name"] for n in payload["nodes"]) == ["对二甲苯", "涤纶长丝", "精对苯二甲酸", "聚酯纤维"]
        assert payload["direction"].startswith("edges run supplier")

    def test_gaps(self, seeded: Settings) -> None:
        payload = as_json(invoke(seeded, "chains", "gaps", "PTA", "--region", "21", "--json"))
        kinds = {(w["name"], w["kind"]) for w in payload["weak_links"]}
        assert {("精对苯二甲酸", "single"), ("原油", "gap")} <= kinds
        assert payload["region"] == "21"

    def test_leaders_for_a_city(self, seeded: Settings) -> None:
        payload = as_json(invoke(seeded, "chains", "leaders", "PTA", "--region", "2110", "--json"))
        assert [ld["name"] for ld in payload["leaders"]] == ["辽阳石化"]

    def test_attract(self, seeded: Settings) -> None:
        payload = as_json(invoke(seeded, "chains", "attract", "PTA", "--region", "21", "--json"))
        assert payload["candidates"][0]["name"] == "荣盛石化"
        assert payload["candidates"][0]["reasons"]

    def test_consortium_by_name(self, seeded: Settings) -> None:
        payload = as_json(invoke(seeded, "chains", "consortium", "PTA", "--leader", "恒力石化", "--json"))
        assert payload["leader_name"] == "恒力石化"
        assert {"leader", "institution", "expert", "upstream"} <= {m["role"] for m in payload["members"]}


class TestSameAnswerAsTheApi:
    """The CLI reads as the administrator and says reasons in the user's language, as the API does for ?lang=."""

    @pytest.mark.parametrize("lang", ["en", "zh"])
    @pytest.mark.parametrize("part", ["report", "gaps", "attract"])
    def test_equal_to_the_api_for_an_admin(self, seeded: Settings, session: Session, part: str, lang: str) -> None:
        make_user(session, "chains-admin", Role.ADMIN)
        session.commit()
        client = TestClient(create_app(seeded))
        client.post("/api/auth/login", json={"username": "chains-admin", "password": PASSWORD})
        api = client.get(f"/api/chains/PTA/{part}", params={"region": "21", "lang": lang}).json()
        assert as_json(invoke(seeded, "chains", part, "PTA", "--region", "21", "--json", lang=lang)) == api

    def test_reasons_in_english_for_an_english_user(self, seeded: Settings) -> None:
        payload = as_json(invoke(seeded, "chains", "gaps", "PTA", "--region", "21", "--json", lang="en"))
        assert payload["weak_links"]
        assert all(w["reason_text"].endswith("depend on it.") for w in payload["weak_links"])
        assert payload["relevance_text"].isascii()


class TestTextOutput:
    @pytest.mark.parametrize(
        ("args", "expected"),
        [
            (("list",), "petrochem"),
            (("show", "PTA"), "精对苯二甲酸"),
            (("report", "PTA", "--region", "21"), "weak links"),
            (("gaps", "PTA", "--region", "21"), "single"),
            (("leaders", "PTA", "--region", "21"), "恒力石化"),
            (("attract", "PTA", "--region", "21"), "荣盛石化"),
            (("consortium", "PTA", "--leader", "100"), "大连化物所"),
        ],
    )
    def test_readable_lines(self, seeded: Settings, args: tuple[str, ...], expected: str) -> None:
        result = invoke(seeded, "chains", *args)
        assert result.exit_code == 0, result.output
        assert expected in result.stdout


class TestErrors:
    def test_unknown_root_is_exit_1_with_one_line(
        self, seeded: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        get_settings.cache_clear()
        monkeypatch.setenv("TECHBRIDGE_DATABASE_URL", seeded.database_url)
        monkeypatch.setenv("TECHBRIDGE_LANG", "en")
        monkeypatch.setattr("sys.argv", ["techbridge", "chains", "show", "不存在", "--json"])
        with pytest.raises(SystemExit) as exit_:
            main()
        assert exit_.value.code == 1
        assert capsys.readouterr().err.strip() == "error: no chain or node named '不存在'"
        get_settings.cache_clear()

    def test_bad_region_is_an_error(self, seeded: Settings) -> None:
        result = invoke(seeded, "chains", "gaps", "PTA", "--region", "x1", "--json")
        assert result.exit_code != 0
