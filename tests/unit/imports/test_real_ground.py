"""The listed-company financials, NSFC and yearbook importers on small fixture files, through a real database."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from techbridge.config import Settings
from techbridge.db import session_scope
from techbridge.imports.a_share_facts import json_number, to_wan
from techbridge.imports.service import import_all, import_source, sources
from techbridge.models import (
    Achievement,
    AchievementOwner,
    EnterpriseFact,
    Expert,
    OfficialStatistic,
    Organization,
    Region,
    ResearchProject,
)

DATA = Path(__file__).resolve().parents[2] / "data" / "realdata"
PROFILE_HEADER = ("ts_code", "公司名称", "交易所", "注册资金", "省份", "城市", "公司简介", "公司员工数", "主营业务")


def seed_regions(settings: Settings) -> None:
    """Liaoning with two cities, Beijing and Jilin: enough for the fixtures' place names."""
    with session_scope(settings.database_url) as session:
        session.add_all(
            [
                Region(code="21", name="辽宁省", level="province"),
                Region(code="11", name="北京市", level="province"),
                Region(code="22", name="吉林省", level="province"),
            ]
        )
        session.flush()
        session.add_all(
            [
                Region(code="2101", name="沈阳市", level="city", parent_code="21"),
                Region(code="2102", name="大连市", level="city", parent_code="21"),
            ]
        )


def org(settings: Settings, **fields: object) -> int:
    with session_scope(settings.database_url) as session:
        row = Organization(normalized_name=str(fields["name"]), **fields)
        session.add(row)
        session.flush()
        return row.id


@pytest.fixture
def financials_dir(tmp_path: Path) -> Path:
    """The fixture CSVs plus a profiles workbook written here (the real one is an XLSX)."""
    from openpyxl import Workbook

    folder = tmp_path / "a_share_financials"
    shutil.copytree(DATA / "a_share_financials", folder)
    (folder / "raw").mkdir()
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(PROFILE_HEADER)
    sheet.append(
        ("688999.SH", "沈阳示例机器人股份有限公司", "SSE", "15000.5", "辽宁", "沈阳市", "示例简介：工业机器人", "820",
         "工业机器人及智能装备的研发、生产和销售")
    )  # fmt: skip
    book.save(folder / "raw" / "上市公司基本信息.xlsx")
    return folder


class TestUnits:
    def test_yuan_become_exact_wan(self) -> None:
        assert to_wan("123456789.12") == Decimal("12345.678912")
        assert to_wan("nan") is None
        assert to_wan("") is None

    def test_json_number_prints_the_same_decimal(self) -> None:
        assert json_number(Decimal("20000.0000")) == 20000
        assert repr(json_number(Decimal("12345.678912"))) == "12345.678912"

    def test_unreadable_amount_is_an_error(self) -> None:
        with pytest.raises(ValueError, match="abc"):
            to_wan("abc")


class TestListedCompanies:
    def test_resolves_onto_the_stored_company_and_refines_its_city(
        self, settings: Settings, financials_dir: Path
    ) -> None:
        seed_regions(settings)
        stored = org(
            settings,
            name="沈阳示例机器人股份有限公司",
            kind="enterprise",
            listing_code="688999.SH",
            province_code="21",
            region_code="21",
            source_dataset="a_share",
            source_key="688999.SH",
        )
        summary = import_source(settings, "a_share_financials", financials_dir, show_progress=False)
        with session_scope(settings.database_url) as session:
            company = session.get(Organization, stored)
            assert company is not None
            assert company.region_code == "2101"
            assert company.description == "示例简介：工业机器人"
            assert company.extra["main_business"] == "工业机器人及智能装备的研发、生产和销售"
            assert company.extra["registered_capital_wan"] == "15000.5"
            assert company.employees == 820
            dalian = session.scalars(select(Organization).where(Organization.listing_code == "600998.SH")).one()
            assert dalian.region_code == "2102"
        assert summary.counts["organization.merged"] == 1
        assert any(r.column == "company_full_name" and "873999.BJ" in r.detail for r in summary.rejections)

    def test_facts_in_wan_with_year_and_source(self, settings: Settings, financials_dir: Path) -> None:
        seed_regions(settings)
        import_source(settings, "a_share_financials", financials_dir, show_progress=False)
        with session_scope(settings.database_url) as session:
            company = session.scalars(select(Organization).where(Organization.listing_code == "688999.SH")).one()
            facts = {
                f.fact: f
                for f in session.scalars(select(EnterpriseFact).where(EnterpriseFact.organization_id == company.id))
            }
            assert facts["revenue_history"].value == [12345.678912, None, 20000]
            assert facts["revenue_history"].year == 2024
            assert facts["total_assets"].value == 60000.00005
            assert facts["total_assets"].year == 2024
            assert facts["employees"].value == 820
            assert facts["listed"].value is True
            assert facts["revenue_history"].source.startswith("a_share_financials")
            assert "titles" not in facts  # self-declared honours are no verdict input

    def test_other_figures_kept_per_year_for_display(self, settings: Settings, financials_dir: Path) -> None:
        seed_regions(settings)
        import_source(settings, "a_share_financials", financials_dir, show_progress=False)
        with session_scope(settings.database_url) as session:
            company = session.scalars(select(Organization).where(Organization.listing_code == "600998.SH")).one()
            figures = company.extra["financials"]["2023"]
            assert "revenue_wan" not in figures  # nan in the source
            assert figures["total_assets_wan"] == "70000"
            assert figures["operating_profit_wan"] == "0.0001"
            assert figures["roe_pct"] == "1"

    def test_self_declared_honours_are_stored_as_such(self, settings: Settings, financials_dir: Path) -> None:
        seed_regions(settings)
        summary = import_source(settings, "a_share_financials", financials_dir, show_progress=False)
        with session_scope(settings.database_url) as session:
            company = session.scalars(select(Organization).where(Organization.listing_code == "688999.SH")).one()
            assert company.extra["self_declared_honours"][0]["tier"] == "专精特新小巨人"
            assert "企业自述" in company.extra["self_declared_source"]
        assert any("999999.SZ" in r.detail for r in summary.rejections)

    def test_rerun_changes_nothing_and_keeps_an_officers_fact(self, settings: Settings, financials_dir: Path) -> None:
        seed_regions(settings)
        import_source(settings, "a_share_financials", financials_dir, show_progress=False)
        with session_scope(settings.database_url) as session:
            fact = session.scalars(select(EnterpriseFact).where(EnterpriseFact.fact == "employees")).first()
            assert fact is not None
            fact.value, fact.source = 999, "officer"
        second = import_source(settings, "a_share_financials", financials_dir, show_progress=False)
        assert second.counts["enterprise_fact.inserted"] == 0
        assert second.counts["organization.inserted"] == 0
        assert second.counts["enterprise_fact.kept_other_source"] == 1
        with session_scope(settings.database_url) as session:
            values = session.scalars(select(EnterpriseFact.value).where(EnterpriseFact.fact == "employees")).all()
            assert 999 in values


class TestNsfc:
    def test_experts_linked_to_their_institution_with_projects(self, settings: Settings) -> None:
        seed_regions(settings)
        dut = org(settings, name="大连理工大学", kind="university", province_code="21", region_code="2102")
        summary = import_source(settings, "nsfc", DATA / "nsfc", show_progress=False)
        with session_scope(settings.database_url) as session:
            wang = session.scalars(select(Expert).where(Expert.name == "王示例")).one()
            assert wang.affiliation_id == dut
            assert wang.programme_tags == ["国家杰出青年科学基金"]
            assert "2 项（2011–2015）" in wang.bio
            li = session.scalars(select(Expert).where(Expert.name == "李示例")).one()
            assert "1 项（2018）" in li.bio
            projects = session.scalars(select(ResearchProject).where(ResearchProject.expert_id == wang.id)).all()
            assert sorted(p.approval_no for p in projects) == ["71000001", "71000002"]
            assert all(p.institution_id == dut for p in projects)
            old_name = session.scalars(select(Organization).where(Organization.name == "大连理工学院")).one()
            assert old_name.kind == "university"
        columns = {(r.row, r.column) for r in summary.rejections}
        assert (5, "title") in columns
        assert (6, "approval_no") in columns
        assert summary.counts["expert"] == 3

    def test_an_institution_named_after_its_city_is_placed_there(self, settings: Settings) -> None:
        seed_regions(settings)
        import_source(settings, "nsfc", DATA / "nsfc", show_progress=False)
        with session_scope(settings.database_url) as session:
            name = "中国科学院沈阳自动化研究所"
            institute = session.scalars(select(Organization).where(Organization.name == name)).one()
            assert (institute.kind, institute.province_code, institute.region_code) == ("institute", "21", "2101")
            old_name = session.scalars(select(Organization).where(Organization.name == "大连理工学院")).one()
            assert old_name.region_code == "2102"

    def test_rerun_is_idempotent(self, settings: Settings) -> None:
        seed_regions(settings)
        import_source(settings, "nsfc", DATA / "nsfc", show_progress=False)
        second = import_source(settings, "nsfc", DATA / "nsfc", show_progress=False)
        assert second.counts["expert.inserted"] == 0
        assert second.counts["project.inserted"] == 0
        assert second.counts["project.updated"] == 4


class TestTechMarket:
    def test_figures_with_unit_source_and_province_code(self, settings: Settings) -> None:
        seed_regions(settings)
        summary = import_source(settings, "tech_market", DATA / "tech_market", show_progress=False)
        with session_scope(settings.database_url) as session:
            rows = session.scalars(select(OfficialStatistic).where(OfficialStatistic.region_code == "21")).all()
            assert len(rows) == 6
            outflow = next(r for r in rows if (r.year, r.flow, r.measure) == (2023, "outflow", "value"))
            assert Decimal(outflow.value) == Decimal("12890739")
            assert outflow.unit == "万元"
            assert "中国科技统计年鉴" in outflow.source
            total = session.scalars(select(OfficialStatistic).where(OfficialStatistic.region_name == "全国")).one()
            assert total.region_code is None
        reasons = {(r.row, r.column) for r in summary.rejections}
        assert reasons == {(11, "value"), (12, "flow"), (13, "region")}


class TestOwnership:
    def test_an_achievement_takes_its_owners_region(self, settings: Settings) -> None:
        seed_regions(settings)
        owner = org(settings, name="大连理工大学", kind="university", province_code="21", region_code="2102")
        with session_scope(settings.database_url) as session:
            work = Achievement(kind="patent", title="一种示例装置")
            session.add(work)
            session.flush()
            session.add(AchievementOwner(achievement_id=work.id, organization_id=owner))
            work_id = work.id
        summary = import_source(settings, "tech_market", DATA / "tech_market", show_progress=False)
        with session_scope(settings.database_url) as session:
            assert session.get(Achievement, work_id).region_code == "2102"  # type: ignore[union-attr]
        assert summary.counts["achievement.region_from_owner"] == 1

    def test_a_province_only_region_is_refined_to_the_owners_city(self, settings: Settings) -> None:
        seed_regions(settings)
        owner = org(
            settings, name="大连示例重工股份有限公司", kind="enterprise", province_code="21", region_code="2102"
        )
        elsewhere = org(settings, name="北京示例有限公司", kind="enterprise", province_code="11", region_code="11")
        with session_scope(settings.database_url) as session:
            works = [Achievement(kind="patent", title=f"示例{i}", region_code="21") for i in range(2)]
            session.add_all(works)
            session.flush()
            session.add(AchievementOwner(achievement_id=works[0].id, organization_id=owner))
            session.add(AchievementOwner(achievement_id=works[1].id, organization_id=elsewhere))
            ids = [w.id for w in works]
        summary = import_source(settings, "tech_market", DATA / "tech_market", show_progress=False)
        with session_scope(settings.database_url) as session:
            assert [session.get(Achievement, i).region_code for i in ids] == ["2102", "21"]  # type: ignore[union-attr]
        assert summary.counts["achievement.region_refined"] == 1


class TestImportAll:
    def test_the_new_sources_run_last_under_their_shared_folder_names(
        self, settings: Settings, financials_dir: Path, tmp_path: Path
    ) -> None:
        seed_regions(settings)
        data = tmp_path / "data"
        data.mkdir()
        shutil.copytree(financials_dir, data / "a_share_financials_2022_2024")
        shutil.copytree(DATA / "nsfc", data / "nsfc_mgmt_projects")
        shutil.copytree(DATA / "tech_market", data / "tech_market_flows")
        assert list(sources())[-3:] == ["a_share_financials", "nsfc", "tech_market"]
        done = import_all(settings.model_copy(update={"data_dir": data}), show_progress=False)
        assert [summary.source for summary in done] == ["a_share_financials", "nsfc", "tech_market"]
