"""Official statistics read back per region and year: figures, 输出 − 吸纳 balance, rank among provinces."""

from __future__ import annotations

from decimal import Decimal

from techbridge.access import ANONYMOUS, SYSTEM
from techbridge.config import Settings
from techbridge.db import session_scope
from techbridge.imports.service import import_source
from techbridge.models import OfficialStatistic
from techbridge.statistics.service import region_year, region_years, source_names
from tests.unit.imports.test_real_ground import DATA, seed_regions


class TestRegionYears:
    def test_liaoning_2023_figures_balance_and_rank(self, settings: Settings) -> None:
        seed_regions(settings)
        import_source(settings, "tech_market", DATA / "tech_market", show_progress=False)
        with session_scope(settings.database_url) as session:
            found = region_year(session=session, viewer=ANONYMOUS, region_code="21", year=2023)
        assert found is not None
        assert found.outflow_value_wan == Decimal("12890739")
        assert found.inflow_contracts == Decimal("22911")
        assert found.balance_wan == Decimal("12890739") - Decimal("10904695")
        assert (found.outflow_rank, found.provinces) == (2, 3)  # after 北京, before 吉林; 全国 is not a province

    def test_years_oldest_first_and_missing_figures_are_none(self, settings: Settings) -> None:
        seed_regions(settings)
        import_source(settings, "tech_market", DATA / "tech_market", show_progress=False)
        with session_scope(settings.database_url) as session:
            years = region_years(session=session, viewer=ANONYMOUS, region_code="21")
        assert [y.year for y in years] == [2022, 2023]
        assert years[0].outflow_contracts is None
        assert years[0].outflow_rank == 1
        assert source_names(years) == "中国科技统计年鉴·技术市场（techme）"

    def test_owner_only_rows_are_hidden_from_others(self, settings: Settings) -> None:
        seed_regions(settings)
        import_source(settings, "tech_market", DATA / "tech_market", show_progress=False)
        with session_scope(settings.database_url) as session:
            for row in session.query(OfficialStatistic).filter(OfficialStatistic.year == 2022):
                row.visibility = "owner"
        with session_scope(settings.database_url) as session:
            assert [y.year for y in region_years(session=session, viewer=ANONYMOUS, region_code="21")] == [2023]
            assert len(region_years(session=session, viewer=SYSTEM, region_code="21")) == 2

    def test_no_figures_is_none(self, settings: Settings) -> None:
        with session_scope(settings.database_url) as session:
            assert region_year(session=session, viewer=ANONYMOUS, region_code="21", year=2023) is None
