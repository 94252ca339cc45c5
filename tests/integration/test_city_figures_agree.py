"""One contract set, one city per code, on every surface: the local conversion rate (CLI file and registry mode,
API), turnover's `local` flow (CLI, API), the dashboard's headline and city table (page, XLSX export) and the city
a transfer case is filed under. Parties sit where the first 4 digits of a code do not name one city (北京's
districts, 仙桃/潜江 in 湖北's 4290 group), in ordinary cities (沈阳's districts, 沈阳 vs 大连) and nowhere known (a
foreign buyer); the expected figures are worked out by hand below, so a surface that still compares 4-digit
prefixes disagrees with them."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from techbridge.access import SYSTEM
from techbridge.cli.app import app
from techbridge.config import Settings, get_settings
from techbridge.models import Region, Role
from techbridge.transfers.dashboard import DashboardFilter, build_dashboard
from techbridge.transfers.pipeline import CaseCreate, create_case
from techbridge.transfers.service import FunnelScope, load_bottlenecks
from tests.integration.test_transfers_pages import signed_in

# value of each contract a distinct power of 2, so every sum names the contracts it holds
HEADER = "contract_id,type,seller_name,seller_region_code,seller_kind,buyer_name,buyer_region_code,contract_value,"
CONTRACTS = f"""{HEADER}registered_on
B1,development,北京甲大学,110101,university,北京乙公司,110108,1,2024-03-15
B2,development,北京丙大学,110108,university,北京市级公司,110000,2,2024-03-15
B3,development,北京丙大学,110108,university,沈阳丁公司,210103,4,2024-03-15
H1,development,仙桃某学院,429004,university,潜江某公司,429005,8,2024-03-15
H2,development,仙桃某学院,429004,university,仙桃某公司,429004,16,2024-03-15
H3,development,潜江某研究所,429005,institute,天门某公司,429006,32,2024-03-15
S1,development,东北大学,210102,university,沈河某公司,210103,64,2024-03-15
S2,development,东北大学,210102,university,大连某公司,210202,128,2024-03-15
S3,development,金属研究所,210103,institute,Siemens AG,,256,2024-03-15
S4,development,大连理工大学,210211,university,铁西某公司,210106,512,2024-03-15
S5,development,大连化物所,210202,institute,甘井子某公司,210211,1024,2024-03-15
E1,development,和平某企业,210102,enterprise,沈河某企业,210103,2048,2024-03-15
"""

# city → (numerator, denominator) of the value-basis rate, universities and institutes selling
RATE = {
    "北京": (1 + 2, 1 + 2 + 4),  # 东城 → 海淀 and → a municipality-level buyer are local; → 沈阳 is not
    "仙桃": (16, 8 + 16),  # 仙桃 → 潜江 is not local: two cities, though both in 4290
    "潜江": (0, 32),
    "沈阳": (64, 64 + 128 + 256),  # → 沈河 local; → 大连 and the foreign buyer not; E1's seller is an enterprise
    "大连": (1024, 512 + 1024),
}
# a region code of the city (some a district) for the rate, and the city key turnover and the dashboard use
CODES = {
    "北京": ("110108", "11"),
    "仙桃": ("429004", "429004"),
    "潜江": ("429005", "429005"),
    "沈阳": ("210103", "2101"),
    "大连": ("2102", "2102"),
}
PROVINCE = {"北京": "110000", "仙桃": "420000", "潜江": "420000", "沈阳": "210000", "大连": "210000"}


def cli(settings: Settings, *args: str) -> dict[str, object]:
    get_settings.cache_clear()
    env = {"TECHBRIDGE_DATABASE_URL": settings.database_url, "TECHBRIDGE_LANG": "en"}
    result = CliRunner().invoke(app, list(args), env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    payload: dict[str, object] = json.loads(result.stdout)
    return payload


def flow(groups: object) -> dict[str, float]:
    """`{key: contract_value}` of a turnover flow table."""
    assert isinstance(groups, dict)
    return {str(row["key"]): row["contract_value"] for row in groups["flow"]}


@pytest.fixture
def loaded(settings: Settings, session: Session, tmp_path: Path) -> Path:
    """The contracts in a file and imported; the regions the dashboard's filter resolves by name."""
    path = tmp_path / "cities.csv"
    path.write_text(CONTRACTS, encoding="utf-8")
    assert cli(settings, "transfers", "contracts", "import", str(path)).get("rejected") is not True
    session.add_all(
        [
            Region(code="21", name="辽宁省", level="province"),
            Region(code="2101", name="沈阳市", level="city", parent_code="21"),
            Region(code="210102", name="和平区", level="county", parent_code="2101"),
            Region(code="2102", name="大连市", level="city", parent_code="21"),
        ]
    )
    session.commit()
    return path


class TestTheRate:
    @pytest.mark.parametrize("city", sorted(RATE))
    def test_cli_file_registry_and_api_give_the_hand_figures(
        self, settings: Settings, session: Session, loaded: Path, city: str
    ) -> None:
        region = CODES[city][0]
        args = ("metrics", "local-conversion", "--region", region, "--scope", "city", "--json")
        client, _ = signed_in(settings, session, Role.OFFICER)
        api = client.get("/api/metrics/local-conversion", params={"region": region, "scope": "city"}).json()
        for payload in (cli(settings, *args, "--contracts", str(loaded)), cli(settings, *args), api):
            assert (payload["numerator"], payload["denominator"]) == RATE[city], payload
            assert payload["definition_params"]["prefix"] == CODES[city][1]  # type: ignore[index]


class TestTurnoverLocalFlow:
    @pytest.mark.parametrize("city", sorted(RATE))
    def test_a_city_sells_locally_what_the_rate_counts_local(
        self, settings: Settings, session: Session, loaded: Path, city: str
    ) -> None:
        region, key = CODES[city]
        args = ("metrics", "turnover", "--by", "flow", "--sellers", "university,institute", "--json")
        client, _ = signed_in(settings, session, Role.OFFICER)
        api = client.get(
            "/api/metrics/turnover", params={"region": key, "by": "flow", "sellers": "university,institute"}
        ).json()
        tables = [
            cli(settings, *args, "--region", key, "--contracts", str(loaded))["groups"],
            cli(settings, *args, "--region", region, "--scope", "city")["groups"],  # a district means its city
            api["groups"],
        ]
        for groups in tables:
            groups_flow = flow(groups)
            numerator, denominator = RATE[city]
            assert groups_flow["output.total"] == denominator
            assert groups_flow.get("output.local", 0) == numerator

    def test_local_means_the_same_city_seen_from_a_district_too(self, settings: Settings, loaded: Path) -> None:
        payload = cli(settings, "metrics", "turnover", "--region", "210102", "--by", "flow", "--json")
        groups = flow(payload["groups"])
        assert (groups["output.total"], groups["output.local"]) == (64 + 128 + 2048, 64 + 2048)
        assert "absorb.total" not in groups  # no buyer in 和平区

    def test_whole_beijing_is_one_city_and_a_group_of_cities_has_no_local_flow(
        self, settings: Settings, loaded: Path
    ) -> None:
        beijing = flow(cli(settings, "metrics", "turnover", "--region", "110000", "--by", "flow", "--json")["groups"])
        assert (beijing["output.local"], beijing["absorb.local"]) == (1 + 2, 1 + 2)
        group = flow(cli(settings, "metrics", "turnover", "--region", "429000", "--by", "flow", "--json")["groups"])
        assert group["output.total"] == 8 + 16 + 32
        assert not [key for key in group if key.endswith(".local")]


class TestDashboard:
    @pytest.mark.parametrize("city", sorted(RATE))
    def test_the_headline_of_a_city_is_the_rate(self, session: Session, loaded: Path, city: str) -> None:
        flt = DashboardFilter(city=CODES[city][1], data="real")
        data = build_dashboard(session=session, region=PROVINCE[city], flt=flt)
        figure = data.headline_value
        assert (figure.numerator, figure.denominator) == RATE[city]
        assert figure.unlocated_buyers == (1 if city == "沈阳" else 0)

    def test_the_province_counts_every_seller_of_the_province(self, session: Session, loaded: Path) -> None:
        hubei = build_dashboard(session=session, region="420000", flt=DashboardFilter(data="real"))
        assert (hubei.headline_value.numerator, hubei.headline_value.denominator) == (8 + 16 + 32, 8 + 16 + 32)

    def test_the_city_table_the_page_and_the_export_agree_with_the_rate(
        self, settings: Settings, session: Session, loaded: Path
    ) -> None:
        data = build_dashboard(session=session, region="210000", flt=DashboardFilter(data="real"))
        rows = {row["name"]: (row["numerator"], row["denominator"]) for row in data.by_city}
        assert (rows["沈阳市"], rows["大连市"]) == (RATE["沈阳"], RATE["大连"])
        client, _ = signed_in(settings, session, Role.OFFICER)
        response = client.get("/dashboard/export/cities.xlsx", params={"data": "real"})
        sheet = load_workbook(io.BytesIO(response.content)).active
        assert sheet is not None
        cells = {row[0]: row[2:4] for row in sheet.iter_rows(values_only=True)}
        assert (cells["沈阳市"], cells["大连市"]) == (RATE["沈阳"], RATE["大连"])
        # a district chosen by name narrows the page to its city
        response = client.get("/dashboard/export/headline.xlsx", params={"data": "real", "region": "和平区"})
        sheet = load_workbook(io.BytesIO(response.content)).active
        assert sheet is not None
        assert [row[2:4] for row in sheet.iter_rows(values_only=True) if row[2] == RATE["沈阳"][0]] == [RATE["沈阳"]]

    def test_a_hubei_deployment_picks_xiantao_and_refuses_its_group(
        self, settings: Settings, session: Session, loaded: Path
    ) -> None:
        session.add_all(
            [
                Region(code="42", name="湖北省", level="province"),
                Region(code="4290", name="湖北省省直辖县级行政区划", level="city", parent_code="42"),
                Region(code="429004", name="仙桃市", level="county", parent_code="4290"),
            ]
        )
        session.commit()
        client, _ = signed_in(settings.model_copy(update={"region_code": "42"}), session, Role.OFFICER)
        response = client.get("/dashboard/export/headline.xlsx", params={"data": "real", "region": "仙桃"})
        sheet = load_workbook(io.BytesIO(response.content)).active
        assert sheet is not None
        assert [row[2:4] for row in sheet.iter_rows(values_only=True) if row[2] == RATE["仙桃"][0]] == [RATE["仙桃"]]
        page = client.get("/dashboard", params={"data": "real", "region": "湖北省省直辖县级行政区划"})
        assert page.status_code == 200
        assert "包含多个市" in page.text


class TestCases:
    @pytest.mark.parametrize(
        ("code", "filed"), [("110108", "11"), ("110000", "11"), ("429004", "429004"), ("210102", "2101"), ("21", "21")]
    )
    def test_a_case_is_filed_under_the_city_of_its_code(self, session: Session, code: str, filed: str) -> None:
        case = create_case(session=session, data=CaseCreate(title="案例", city_code=code), viewer=SYSTEM)
        assert case.city_code == filed

    def test_the_funnel_of_a_city_holds_its_districts_cases(self, session: Session) -> None:
        for code in ("429004", "429005", "110101", "110108"):
            create_case(session=session, data=CaseCreate(title=code, city_code=code), viewer=SYSTEM)
        session.flush()
        for city, count in (("429004", 1), ("11", 2)):
            funnel = load_bottlenecks(session=session, scope=FunnelScope(city_prefix=city))[0]
            assert funnel.stages[0].reached == count, city
