"""Regions on the chain and metrics surfaces, through a real database: a code or name naming no region is an error
naming `region` (API 422, CLI one line and exit 1, the page's message beside its picker), a real region without
data answers an honest empty result, and English pages name regions in English and take English names."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import Result
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from techbridge.cli.app import app, main
from techbridge.config import Settings, get_settings
from techbridge.models import Region, RegionLevel, Role
from techbridge.web.app import create_app
from tests.html_page import Page
from tests.registry_seed import PASSWORD, make_user
from tests.unit.chains.seed import seed_chain_graph

CONTRACTS = str(Path(__file__).resolve().parents[1] / "data" / "contracts" / "basic.csv")
REFUSED = {"zh": "没有代码为 99 的地区", "en": "no region has the code 99"}


@pytest.fixture
def seeded(settings: Settings, session: Session) -> Settings:
    seed_chain_graph(session)
    session.commit()
    return settings


@pytest.fixture
def client(seeded: Settings) -> TestClient:
    return TestClient(create_app(seeded))


@pytest.fixture
def officer(seeded: Settings, session: Session, client: TestClient) -> TestClient:
    make_user(session, "region-officer", Role.OFFICER)
    session.commit()
    client.post("/api/auth/login", json={"username": "region-officer", "password": PASSWORD})
    return client


def text_of(page: Page, element_id: str) -> str:
    """The text a person reads in the element with this id (empty when the page has none)."""
    element = page.by_id(element_id)
    return element.text if element is not None else ""


def invoke(settings: Settings, *args: str, lang: str) -> Result:
    get_settings.cache_clear()
    env = {"TECHBRIDGE_DATABASE_URL": settings.database_url, "TECHBRIDGE_LANG": lang}
    return CliRunner().invoke(app, list(args), env=env)


def run_main(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], lang: str, *argv: str
) -> tuple[int, str]:
    """A command as a user runs it (`main`: errors as one stderr line), its exit code and stderr."""
    get_settings.cache_clear()
    monkeypatch.setenv("TECHBRIDGE_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("TECHBRIDGE_LANG", lang)
    monkeypatch.setattr("sys.argv", ["techbridge", *argv])
    with pytest.raises(SystemExit) as exit_:
        main()
    get_settings.cache_clear()
    return int(exit_.value.code or 0), capsys.readouterr().err


class TestChainApi:
    @pytest.mark.parametrize("lang", ["zh", "en"])
    @pytest.mark.parametrize("part", ["/report", "/gaps", "/leaders", "/attract", "/nodes/2"])
    def test_an_unknown_code_is_a_422_naming_region(self, client: TestClient, part: str, lang: str) -> None:
        response = client.get(f"/api/chains/PTA{part}", params={"region": "99", "lang": lang})
        assert response.status_code == 422
        body = response.json()
        assert (body["error"], body["location"]) == ("invalid_data", ["region"])
        assert body["message"].startswith("region: ")
        assert REFUSED[lang] in body["message"]

    def test_the_consortium_refuses_it_too(self, client: TestClient) -> None:
        params = {"leader": "恒力石化", "region": "2115", "lang": "en"}
        response = client.get("/api/chains/PTA/consortium", params=params)
        assert (response.status_code, response.json()["location"]) == (422, ["region"])

    @pytest.mark.parametrize(("region", "lang"), [("火星", "zh"), ("Atlantis", "en")])
    def test_an_unknown_name_is_a_422_naming_region(self, client: TestClient, region: str, lang: str) -> None:
        response = client.get("/api/chains/PTA/leaders", params={"region": region, "lang": lang})
        assert (response.status_code, response.json()["location"]) == (422, ["region"])
        assert region in response.json()["message"]

    @pytest.mark.parametrize("region", ["2110", "辽阳", "辽阳市", "Liaoyang", "liaoyang"])
    def test_a_code_or_a_chinese_or_english_name(self, client: TestClient, region: str) -> None:
        response = client.get("/api/chains/PTA/leaders", params={"region": region})
        assert response.status_code == 200
        payload = response.json()
        assert payload["region"] == "2110"
        assert [ld["name"] for ld in payload["leaders"]] == ["辽阳石化"]

    def test_a_real_region_without_data_is_an_honest_empty_report(self, client: TestClient) -> None:
        response = client.get("/api/chains/PTA/report", params={"region": "65"})  # 新疆: real, nothing seeded there
        assert response.status_code == 200
        payload = response.json()
        assert payload["leaders"] == []
        assert payload["summary"]["covered"] == 0
        assert payload["summary"]["gap"] > 0


class TestChainCli:
    @pytest.mark.parametrize(("lang", "prefix"), [("zh", "错误："), ("en", "error: ")])
    @pytest.mark.parametrize("command", ["report", "gaps", "leaders", "attract"])
    def test_an_unknown_code_is_one_line_and_exit_1(
        self,
        seeded: Settings,
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str],
        command: str,
        lang: str,
        prefix: str,
    ) -> None:
        code, err = run_main(seeded, monkeypatch, capsys, lang, "chains", command, "PTA", "--region", "99")
        assert code == 1
        assert err.count("\n") == 1
        assert err.startswith(prefix + "region: ")
        assert REFUSED[lang] in err

    def test_an_unknown_name_is_refused(
        self, seeded: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        code, err = run_main(seeded, monkeypatch, capsys, "en", "chains", "gaps", "PTA", "--region", "Atlantis")
        assert code == 1
        assert err.startswith("error: region: no region 'Atlantis'")

    @pytest.mark.parametrize("region", ["2110", "辽阳", "Liaoyang"])
    def test_a_code_or_a_name(self, seeded: Settings, region: str) -> None:
        result = invoke(seeded, "chains", "leaders", "PTA", "--region", region, "--json", lang="en")
        assert result.exit_code == 0, result.output
        payload = json.loads(result.stdout)
        assert (payload["region"], [ld["name"] for ld in payload["leaders"]]) == ("2110", ["辽阳石化"])

    def test_a_real_region_without_data_answers_empty(self, seeded: Settings) -> None:
        result = invoke(seeded, "chains", "leaders", "PTA", "--region", "65", "--json", lang="zh")
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["leaders"] == []


class TestChainPages:
    @pytest.mark.parametrize(("lang", "said"), [("zh", "未找到地区「火星」"), ("en", "no region '火星'")])
    @pytest.mark.parametrize("page", ["", "/report"])
    def test_an_unknown_region_shows_its_error_beside_the_picker(
        self, client: TestClient, page: str, lang: str, said: str
    ) -> None:
        response = client.get(f"/chains/PTA{page}", params={"region": "火星", "lang": lang})
        assert response.status_code == 422
        html = Page(response.text, response.status_code)
        assert said in text_of(html, "region-error")
        assert "region-form" in html.by_id("region-error").within  # type: ignore[union-attr]
        assert html.value("region") == "火星"
        assert html.by_id("summary") is None  # no figures: not another region's, not an empty report
        assert html.by_id("weak-links") is None

    def test_the_list_keeps_an_unknown_code_with_its_error(self, client: TestClient) -> None:
        response = client.get("/chains", params={"region": "99", "lang": "en"})
        assert response.status_code == 422
        html = Page(response.text, response.status_code)
        assert "no region '99'" in text_of(html, "region-error")
        assert html.value("region") == "99"

    @pytest.mark.parametrize(("lang", "shown"), [("zh", "辽阳市 (2110)"), ("en", "Liaoyang (2110)")])
    def test_the_map_names_its_region_in_the_pages_language(self, client: TestClient, lang: str, shown: str) -> None:
        response = client.get("/chains/PTA", params={"region": "Liaoyang", "lang": lang})
        assert response.status_code == 200
        html = Page(response.text, response.status_code)
        assert text_of(html, "map-region") == shown
        assert html.value("region") == shown.replace("(", "[").replace(")", "]")

    def test_a_real_region_without_data_shows_its_empty_map(self, client: TestClient, session: Session) -> None:
        session.add(Region(code="65", name="新疆维吾尔自治区", level=RegionLevel.PROVINCE))
        session.commit()
        response = client.get("/chains/PTA", params={"region": "Xinjiang", "lang": "en"})
        assert response.status_code == 200
        html = Page(response.text, response.status_code)
        assert text_of(html, "map-region") == "Xinjiang (65)"
        assert html.by_id("region-error") is None


class TestPicker:
    @pytest.mark.parametrize(
        ("lang", "typed", "option"), [("zh", "辽阳", "辽阳市 [2110]"), ("en", "liao", "Liaoyang [2110]")]
    )
    def test_options_are_named_in_the_pages_language(
        self, client: TestClient, lang: str, typed: str, option: str
    ) -> None:
        response = client.get("/pick/region", params={"region": typed, "lang": lang})
        assert f'value="{option}"' in response.text


class TestMetricsApi:
    @pytest.mark.parametrize("lang", ["zh", "en"])
    @pytest.mark.parametrize("path", ["/api/metrics/local-conversion", "/api/metrics/turnover"])
    def test_an_unknown_code_is_a_422_naming_region(self, officer: TestClient, path: str, lang: str) -> None:
        response = officer.get(path, params={"region": "99", "lang": lang})
        assert response.status_code == 422
        body = response.json()
        assert (body["error"], body["location"]) == ("invalid_data", ["region"])
        assert REFUSED[lang] in body["message"]

    def test_a_county_code_of_an_unknown_city_is_refused(self, officer: TestClient) -> None:
        response = officer.get("/api/metrics/turnover", params={"region": "211500"})
        assert (response.status_code, response.json()["location"]) == (422, ["region"])

    def test_a_real_region_without_contracts_is_an_empty_answer(self, officer: TestClient) -> None:
        rate = officer.get("/api/metrics/local-conversion", params={"region": "65"})
        assert rate.status_code == 200
        assert (rate.json()["rate"], rate.json()["denominator"]) == (None, 0)
        turnover = officer.get("/api/metrics/turnover", params={"region": "65"})
        assert turnover.status_code == 200
        assert all(rows == [] for rows in turnover.json()["groups"].values())

    @pytest.mark.parametrize(("lang", "name"), [("zh", "辽宁省 (21)"), ("en", "Liaoning (21)")])
    def test_the_definition_names_the_region_in_the_callers_language(
        self, officer: TestClient, lang: str, name: str
    ) -> None:
        response = officer.get("/api/metrics/local-conversion", params={"region": "21", "lang": lang})
        assert name in response.json()["definition"]

    def test_official_figures_refuse_a_code_naming_no_province(self, officer: TestClient) -> None:
        response = officer.get("/api/metrics/official", params={"region": "99", "year": 2023, "lang": "en"})
        assert (response.status_code, response.json()["location"]) == (422, ["region"])
        assert "no province has the code '99'" in response.json()["message"]
        missing = officer.get("/api/metrics/official", params={"region": "65", "year": 2023})
        assert (missing.status_code, missing.json()["error"]) == (404, "not_found")


class TestMetricsCli:
    @pytest.mark.parametrize(("lang", "prefix"), [("zh", "错误："), ("en", "error: ")])
    @pytest.mark.parametrize(
        "argv",
        [
            ("local-conversion", "--contracts", CONTRACTS, "--region", "99"),
            ("local-conversion", "--region", "99"),
            ("turnover", "--contracts", CONTRACTS, "--region", "99"),
            ("turnover", "--region", "990000"),
            ("official", "--region", "99", "--year", "2023"),
        ],
    )
    def test_an_unknown_code_is_one_line_and_exit_1(
        self,
        seeded: Settings,
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str],
        argv: tuple[str, ...],
        lang: str,
        prefix: str,
    ) -> None:
        code, err = run_main(seeded, monkeypatch, capsys, lang, "metrics", *argv)
        assert code == 1
        assert err.count("\n") == 1
        assert err.startswith(prefix + "region: ")
        assert "99" in err

    def test_a_real_region_without_contracts_answers_empty(self, seeded: Settings) -> None:
        args = ("metrics", "local-conversion", "--contracts", CONTRACTS, "--region", "65", "--json")
        result = invoke(seeded, *args, lang="en")
        assert result.exit_code == 0, result.output
        payload = json.loads(result.stdout)
        assert (payload["rate"], payload["denominator"]) == (None, 0)


class TestDashboard:
    @pytest.mark.parametrize(("lang", "typed"), [("zh", "大连"), ("en", "Dalian"), ("en", "dalian")])
    def test_the_region_filter_takes_either_name(self, officer: TestClient, lang: str, typed: str) -> None:
        response = officer.get("/dashboard", params={"region": typed, "lang": lang})
        assert response.status_code == 200
        assert Page(response.text, response.status_code).by_id("filter-error") is None

    def test_an_unknown_region_is_said_beside_the_filter_with_the_input_kept(self, officer: TestClient) -> None:
        response = officer.get("/dashboard", params={"region": "Atlantis", "lang": "en"})
        html = Page(response.text, response.status_code)
        assert "no region 'Atlantis'" in text_of(html, "filter-error")
        assert html.value("region") == "Atlantis"


class TestRecordPages:
    @pytest.mark.parametrize(("lang", "shown"), [("zh", "辽阳市 (2110)"), ("en", "Liaoyang (2110)")])
    def test_an_enterprise_page_names_its_region_in_the_pages_language(
        self, client: TestClient, lang: str, shown: str
    ) -> None:
        response = client.get("/enterprises/106", params={"lang": lang})
        assert response.status_code == 200
        assert text_of(Page(response.text, response.status_code), "region") == shown

    @pytest.mark.parametrize(
        ("lang", "typed", "name", "city"),
        [("zh", "白塔", "白塔区", "辽阳市"), ("en", "baita", "Baita District", "Liaoyang")],
    )
    def test_a_county_is_named_and_picked_in_the_pages_language(
        self, client: TestClient, session: Session, lang: str, typed: str, name: str, city: str
    ) -> None:
        session.add(Region(code="211002", name="白塔区", level=RegionLevel.COUNTY, parent_code="2110"))
        session.commit()
        options = client.get("/pick/region", params={"region": typed, "lang": lang}).text
        assert f'<option value="{name} [211002]">{city}</option>' in options  # its city tells two of one name apart
        for region in (f"{name} [211002]", name, name.upper()):
            response = client.get("/chains", params={"region": region, "lang": lang})
            assert response.status_code == 200
            assert Page(response.text, response.status_code).value("region") == f"{city} [2110]"  # read as its city

    def test_an_english_county_name_several_cities_have_asks_which(self, client: TestClient, session: Session) -> None:
        session.add_all(
            [
                Region(code="12", name="天津市", level=RegionLevel.PROVINCE),
                Region(code="1201", name="市辖区", level=RegionLevel.CITY, parent_code="12"),
                Region(code="120101", name="和平区", level=RegionLevel.COUNTY, parent_code="1201"),
                Region(code="210102", name="和平区", level=RegionLevel.COUNTY, parent_code="2101"),
            ]
        )
        session.commit()
        options = client.get("/pick/region", params={"region": "heping", "lang": "en"}).text
        assert '<option value="Heping District [120101]">Tianjin</option>' in options  # 市辖区: its province
        assert '<option value="Heping District [210102]">Shenyang</option>' in options
        response = client.get("/api/chains/PTA/leaders", params={"region": "Heping District", "lang": "en"})
        assert (response.status_code, response.json()["location"]) == (422, ["region"])
        assert "names several regions (120101, 210102)" in response.json()["message"]
        for typed in ("Heping District, Shenyang", "Heping District [210102]"):
            response = client.get("/chains", params={"region": typed, "lang": "en"})
            assert response.status_code == 200
            assert Page(response.text, response.status_code).value("region") == "Shenyang [2101]"
