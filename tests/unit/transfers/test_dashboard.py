"""Dashboard figures from the rollups agree with the pure metrics on the hand-made contract set."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import delete
from sqlalchemy.orm import Session

from techbridge.access import SYSTEM
from techbridge.errors import InvalidDataError
from techbridge.models import ContractRollup, Region, RegionLevel
from techbridge.transfers.contracts import import_contracts_file, import_contracts_text
from techbridge.transfers.dashboard import DashboardFilter, build_dashboard, quarter_bounds, resolve_city
from techbridge.transfers.demo import load_demo
from techbridge.transfers.export import build_tables
from techbridge.transfers.metrics import compute_local_conversion, compute_turnover, turnover_rows
from techbridge.transfers.queries import iter_contract_facts
from techbridge.transfers.schemas import Amount, ConversionDefinition, PartyKind

DATA = Path(__file__).resolve().parents[2] / "data" / "contracts"
EVERY_KIND = DashboardFilter(sellers=tuple(PartyKind))


@pytest.fixture
def regions(session: Session) -> None:
    session.add_all(
        [
            Region(code="21", name="辽宁省", level=RegionLevel.PROVINCE),
            Region(code="2102", name="大连市", level=RegionLevel.CITY, parent_code="21"),
            Region(code="210202", name="中山区", level=RegionLevel.COUNTY, parent_code="2102"),
            Region(code="11", name="北京市", level=RegionLevel.PROVINCE),
            Region(code="42", name="湖北省", level=RegionLevel.PROVINCE),
            Region(code="4290", name="湖北省省直辖县级行政区划", level=RegionLevel.CITY, parent_code="42"),
        ]
    )
    session.flush()


@pytest.mark.usefixtures("regions")
class TestResolveCity:
    @pytest.mark.parametrize(
        ("name", "city"), [("大连", "2102"), ("Dalian", "2102"), ("中山区", "2102"), ("辽宁", ""), ("  ", "")]
    )
    def test_a_city_a_district_or_the_province_by_name(self, session: Session, name: str, city: str) -> None:
        assert resolve_city(session, province="21", name=name) == city

    @pytest.mark.parametrize(
        ("province", "name", "message_zh"),
        [("21", "北京", "「北京」不在本省"), ("42", "湖北省省直辖县级行政区划", "包含多个市"), ("21", "火星", "火星")],
    )
    def test_what_names_no_city_of_the_province_is_refused_on_region(
        self, session: Session, province: str, name: str, message_zh: str
    ) -> None:
        with pytest.raises(InvalidDataError) as caught:
            resolve_city(session, province=province, name=name)
        assert caught.value.location == ("region",)
        assert message_zh in caught.value.localized("zh")


class TestBuildDashboard:
    def test_headline_and_city_rates_match_hand_computation(self, session: Session) -> None:
        import_contracts_file(session=session, path=DATA / "basic.csv", viewer=SYSTEM)
        data = build_dashboard(session=session, region="21")
        assert not data.is_demo
        assert (data.headline_value.numerator, data.headline_value.denominator) == (210, Decimal("435.5"))
        assert (data.headline_count.numerator, data.headline_count.denominator) == (3, 5)
        cities = {row["code"]: (row["numerator"], row["denominator"]) for row in data.by_city}
        assert cities["2101"] == (160, 360)
        assert cities["2102"] == (0, Decimal("75.5"))
        every_kind = build_dashboard(session=session, region="21", flt=EVERY_KIND)
        assert {row["key"]: row["contract_value"] for row in every_kind.by_type}["service"] == 310
        assert {row["key"]: row["count"] for row in data.flows}["absorb.out_of_province"] == 1

    def test_a_foreign_buyer_is_disclosed_beside_the_rate(self, session: Session) -> None:
        text = (DATA / "basic.csv").read_text(encoding="utf-8")
        text += "F1,development,东北大学,,210102,university,Siemens AG,,,100,80,2024-03-01,2024-03-15,新材料,\n"
        import_contracts_text(session=session, text=text, viewer=SYSTEM)
        data = build_dashboard(session=session, region="21", lang="en")
        assert (data.headline_value.numerator, data.headline_value.denominator) == (210, Decimal("535.5"))
        assert data.headline_value.unlocated_buyers == 1
        assert "counted 1 such contracts" in data.headline_value.definition

    def test_unlocated_buyers_on_the_income_basis_are_those_the_rate_counts(self, session: Session) -> None:
        # F2 has no verified income: the 技术交易额 rate leaves it out of both sums, so its foreign buyer is not
        # in that denominator (the CLI and API say 1); the count basis still counts both foreign buyers.
        text = (DATA / "basic.csv").read_text(encoding="utf-8")
        text += "F1,development,东北大学,,210102,university,Siemens AG,,,100,80,2024-03-01,2024-03-15,新材料,\n"
        text += "F2,development,东北大学,,210102,university,Bosch GmbH,,,50,,2024-03-01,2024-03-15,新材料,\n"
        import_contracts_text(session=session, text=text, viewer=SYSTEM)
        flt = DashboardFilter(amount=Amount.TECHNOLOGY_INCOME)
        data = build_dashboard(session=session, region="21", lang="en", flt=flt)
        definition = ConversionDefinition(region="21", amount=Amount.TECHNOLOGY_INCOME)
        assert compute_local_conversion(iter_contract_facts(session), definition).unlocated_buyers == 1
        assert data.headline_value.unlocated_buyers == 1
        assert "counted 1 such contracts" in data.headline_value.definition
        assert data.headline_count.unlocated_buyers == 2
        city = build_dashboard(
            session=session, region="21", flt=DashboardFilter(amount=Amount.TECHNOLOGY_INCOME, city="2101")
        )
        assert (city.headline_value.unlocated_buyers, city.headline_count.unlocated_buyers) == (1, 2)
        by_value = build_dashboard(session=session, region="21")
        assert (by_value.headline_value.unlocated_buyers, by_value.headline_count.unlocated_buyers) == (2, 2)

    def test_stale_rollups_are_rebuilt(self, session: Session) -> None:
        import_contracts_file(session=session, path=DATA / "basic.csv", viewer=SYSTEM)
        session.execute(delete(ContractRollup))
        assert build_dashboard(session=session, region="21").headline_value.denominator == Decimal("435.5")

    def test_demo_is_shown_only_without_real_contracts(self, session: Session) -> None:
        assert load_demo(session=session, seed=1) > 0
        assert build_dashboard(session=session, region="21").is_demo
        import_contracts_file(session=session, path=DATA / "basic.csv", viewer=SYSTEM)
        data = build_dashboard(session=session, region="21")
        assert not data.is_demo
        assert data.contracts == 6  # universities and institutes (the default sellers), any region
        assert build_dashboard(session=session, region="21", flt=EVERY_KIND).contracts == 8
        assert load_demo(session=session, seed=1) == 0


class TestFilters:
    """basic.csv by hand: C1 C2 (2024Q1), C3 (Q2, university → Beijing), C4 (Q2, enterprise), C5 (Q2, Beijing seller),
    C6 (Q3), C7 (Q4, 大连 university → Suzhou), C8 (2025Q1, other)."""

    def test_seller_kinds_limit_every_figure(self, session: Session) -> None:
        import_contracts_file(session=session, path=DATA / "basic.csv", viewer=SYSTEM)
        data = build_dashboard(session=session, region="21", flt=DashboardFilter(sellers=(PartyKind.ENTERPRISE,)))
        assert (data.headline_count.numerator, data.headline_count.denominator) == (1, 1)  # C4
        assert data.contracts == 1
        assert [(row["key"], row["contract_value"]) for row in data.by_type] == [("service", 300)]
        assert [(row["key"], row["count"]) for row in data.by_field] == [("电子信息", 1)]
        assert {row["key"]: row["count"] for row in data.flows} == {"absorb.in_province": 1, "output.in_province": 1}

    def test_a_quarter_range_limits_every_figure(self, session: Session) -> None:
        import_contracts_file(session=session, path=DATA / "basic.csv", viewer=SYSTEM)
        data = build_dashboard(session=session, region="21", flt=DashboardFilter(quarter_from=20242, quarter_to=20242))
        assert (data.headline_count.numerator, data.headline_count.denominator) == (0, 1)  # C3
        assert [row["key"] for row in data.by_quarter] == ["2024Q2"]
        assert data.contracts == 2  # C3 and C5 (a Beijing seller: any region)
        assert [(row["key"], row["contract_value"]) for row in data.by_type] == [("transfer", 200)]  # 含许可
        assert [(row["key"], row["count"]) for row in data.by_type[0]["of_which"]] == [("license", 1)]
        assert "2024-04-01" in data.headline_value.definition
        assert data.quarters == [20241, 20242, 20243, 20244, 20251]  # the range inputs offer every quarter

    def test_a_city_uses_city_scope(self, session: Session) -> None:
        import_contracts_file(session=session, path=DATA / "basic.csv", viewer=SYSTEM)
        data = build_dashboard(session=session, region="21", flt=DashboardFilter(city="2102"))
        assert (data.headline_value.numerator, data.headline_value.denominator) == (0, Decimal("75.5"))  # C2, C7
        assert [row["code"] for row in data.by_city] == ["2102"]
        assert data.contracts == 2
        assert {row["key"]: row["count"] for row in data.flows}["output.out_of_province"] == 1  # C7

    def test_demo_can_be_asked_for_beside_real_data(self, session: Session) -> None:
        load_demo(session=session, seed=1)
        import_contracts_file(session=session, path=DATA / "basic.csv", viewer=SYSTEM)
        assert build_dashboard(session=session, region="21", flt=DashboardFilter(data="demo")).is_demo
        assert not build_dashboard(session=session, region="21", flt=DashboardFilter(data="real")).is_demo


class TestTypeTable:
    def test_licences_are_a_sub_row_under_transfer_incl_licence(self, session: Session) -> None:
        import_contracts_file(session=session, path=DATA / "basic.csv", viewer=SYSTEM)
        data = build_dashboard(session=session, region="21", flt=EVERY_KIND)
        labels = [row[0] for row in build_tables(data, None, "zh")["types"].rows]
        assert labels.index("其中：技术许可") == labels.index("技术转让（含许可）") + 1
        assert "技术许可" not in labels


class TestSameTurnoverAsTheCli:
    """The dashboard's type and field tables and the CLI's turnover (metrics.compute_turnover) share one rule: with
    the dashboard's seller kinds passed to the CLI function they agree to the 分."""

    @pytest.mark.parametrize("sellers", [(PartyKind.UNIVERSITY, PartyKind.INSTITUTE), tuple(PartyKind)])
    def test_types_and_fields_agree(self, session: Session, sellers: tuple[PartyKind, ...]) -> None:
        import_contracts_file(session=session, path=DATA / "basic.csv", viewer=SYSTEM)
        data = build_dashboard(session=session, region="21", flt=DashboardFilter(sellers=sellers))
        cli = compute_turnover(iter_contract_facts(session), region="21", by=["type", "field"], sellers=sellers)
        assert data.by_type == turnover_rows(cli["type"])
        assert data.by_field == turnover_rows(cli["field"])


class TestQuarterBounds:
    def test_first_and_last_day(self) -> None:
        assert [str(day) for day in quarter_bounds(20241)] == ["2024-01-01", "2024-03-31"]
        assert [str(day) for day in quarter_bounds(20244)] == ["2024-10-01", "2024-12-31"]
