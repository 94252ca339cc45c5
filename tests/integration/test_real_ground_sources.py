"""The three real-ground sources on the real shared data: counts match SOURCE.txt, units are converted exactly."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select

from techbridge.access import SYSTEM
from techbridge.config import Settings
from techbridge.db import session_scope
from techbridge.imports.service import import_source
from techbridge.models import EnterpriseFact, Expert, OfficialStatistic, Organization, ResearchProject
from techbridge.statistics.service import region_year
from tests.conftest import requires_shared_data

pytestmark = requires_shared_data


def fact(settings: Settings, code: str, fact_id: str) -> EnterpriseFact:
    with session_scope(settings.database_url) as session:
        org_id = session.scalars(select(Organization.id).where(Organization.listing_code == code)).one()
        stmt = select(EnterpriseFact).where(EnterpriseFact.organization_id == org_id, EnterpriseFact.fact == fact_id)
        row = session.scalars(stmt).one()
        session.expunge(row)
        return row


class TestListedCompanies:
    def test_resolved_onto_the_a_share_companies_with_exact_facts(self, settings: Settings) -> None:
        import_source(settings, "a_share", show_progress=False)
        summary = import_source(settings, "a_share_financials", show_progress=False)
        assert summary.counts["organization.merged"] >= 5400  # every stock_basic company found again
        revenue = fact(settings, "300750.SZ", "revenue_history")
        assert revenue.value[0] == 32859398.75  # 328,593,987,500 元 in FY2022 (SOURCE.txt spot check)
        assert Decimal(repr(revenue.value[0])) == Decimal("328593987500") / 10000
        assert revenue.year == 2024
        assert fact(settings, "300750.SZ", "employees").value == 131988
        with session_scope(settings.database_url) as session:
            city_level = func.length(Organization.region_code) == 4
            liaoning = (
                select(func.count())
                .select_from(Organization)
                .where(Organization.kind == "enterprise", Organization.province_code == "21", city_level)
            )
            assert (session.scalar(liaoning) or 0) >= 100
            siasun = session.scalars(select(Organization).where(Organization.listing_code == "300024.SZ")).one()
            assert siasun.region_code == "2101"
            assert siasun.extra["main_business"]
            titles = select(func.count()).select_from(EnterpriseFact).where(EnterpriseFact.fact == "titles")
            assert session.scalar(titles) == 0  # self-declared honours never become the official titles fact
            claimed = session.scalars(select(Organization).where(Organization.listing_code == "688037.SH")).one()
            assert any(h["tier"] == "专精特新小巨人" for h in claimed.extra["self_declared_honours"])


class TestExperts:
    def test_every_pair_an_expert_and_553_in_liaoning(self, settings: Settings) -> None:
        import_source(settings, "universities", show_progress=False)
        summary = import_source(settings, "nsfc", show_progress=False)
        assert (summary.counts["expert"], summary.counts["project"]) == (12712, 17926)
        with session_scope(settings.database_url) as session:
            liaoning = (
                select(func.count())
                .select_from(Expert)
                .join(Organization, Organization.id == Expert.affiliation_id)
                .where(Organization.province_code == "21")
            )
            assert session.scalar(liaoning) == 553
            linked = select(func.count()).select_from(ResearchProject).where(ResearchProject.institution_id.is_(None))
            assert session.scalar(linked) == 0


class TestOfficialStatistics:
    def test_liaoning_2023_as_published(self, settings: Settings) -> None:
        summary = import_source(settings, "tech_market", show_progress=False)
        assert summary.counts["official_statistic"] == 2182  # 2,200 rows less 18 blank cells
        with session_scope(settings.database_url) as session:
            rows = select(func.count()).select_from(OfficialStatistic).where(OfficialStatistic.region_code == "21")
            assert session.scalar(rows) == 60
            found = region_year(session=session, viewer=SYSTEM, region_code="21", year=2023)
        assert found is not None
        assert found.outflow_value_wan == Decimal("12890739")
        assert found.inflow_value_wan == Decimal("10904695")
        assert found.balance_wan == Decimal("1986044")  # a net exporter since 2015
