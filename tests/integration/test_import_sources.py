"""Built-in importers on the real shared data: counts match the sources, re-runs are idempotent."""

from __future__ import annotations

from sqlalchemy import func, select

from techbridge.config import Settings
from techbridge.db import session_scope
from techbridge.imports.service import import_source
from techbridge.models import Achievement, CodeEntry, ImportRun, Organization, Region
from techbridge.registry.count_queries import count_entities
from tests.conftest import requires_shared_data

pytestmark = requires_shared_data


def scalar(settings: Settings, stmt: object) -> object:
    with session_scope(settings.database_url) as session:
        return session.scalar(stmt)  # type: ignore[call-overload]


class TestRegions:
    def test_liaoning_has_14_official_cities_and_the_demonstration_zone(self, settings: Settings) -> None:
        import_source(settings, "admin_divisions", show_progress=False)
        city = select(func.count()).select_from(Region).where(Region.parent_code == "21", Region.level == "city")
        assert scalar(settings, city.where(Region.is_official.is_(True))) == 14
        with session_scope(settings.database_url) as session:
            zone = session.get(Region, "2190")
            assert zone is not None
            assert zone.name == "沈抚示范区"
            assert not zone.is_official
            assert session.get(Region, "1101").name == "北京市市辖区"  # type: ignore[union-attr]
            assert session.scalar(select(func.count()).select_from(Region).where(Region.level == "province")) == 31


class TestAchievements:
    def test_all_csl_papers_and_idempotent_rerun(self, settings: Settings) -> None:
        first = import_source(settings, "csl", show_progress=False)
        second = import_source(settings, "csl", show_progress=False)
        assert first.counts["achievement.inserted"] == 2000
        assert second.counts["achievement.inserted"] == 0
        assert second.counts["achievement.updated"] == 2000
        with session_scope(settings.database_url) as session:
            assert count_entities(session)["achievement"] == 2000
            paper = session.scalars(select(Achievement).where(Achievement.source_key == "csl-dev-0000")).one()
            assert paper.kind == "paper"
            assert len(paper.field_tags) == 2
            assert paper.keywords
            assert paper.source_dataset == "csl"
            assert paper.source_file.endswith("csl_benchmark_2000.jsonl")
            assert session.scalar(select(func.count()).select_from(ImportRun)) == 2

    def test_every_patent_row_is_its_own_achievement(self, settings: Settings) -> None:
        import_source(settings, "cn_patents", show_progress=False)
        with session_scope(settings.database_url) as session:
            assert count_entities(session)["achievement"] == 9740
            patent = session.scalars(select(Achievement).where(Achievement.source_key == "CN114081026A")).one()
            assert patent.ipc_codes == ["A01M", "G06F", "H02G"]


class TestOrganizations:
    def test_every_a_share_company_with_its_province(self, settings: Settings) -> None:
        summary = import_source(settings, "a_share", show_progress=False)
        assert summary.counts["organization.inserted"] == 5448
        with session_scope(settings.database_url) as session:
            liaoning = select(func.count()).select_from(Organization).where(Organization.province_code == "21")
            assert session.scalar(liaoning) == 83
            bank = session.scalars(select(Organization).where(Organization.listing_code == "000001.SZ")).one()
            assert (bank.province_code, bank.region_code) == ("44", "4403")  # area 深圳 is a city
            assert bank.short_name == "平安银行"

    def test_universities_in_liaoning_with_their_city(self, settings: Settings) -> None:
        import_source(settings, "universities", show_progress=False)
        with session_scope(settings.database_url) as session:
            query = (
                select(func.count())
                .select_from(Organization)
                .where(Organization.kind == "university", Organization.province_code == "21")
            )
            assert session.scalar(query) == 120
            dut = session.scalars(select(Organization).where(Organization.name == "大连理工大学")).one()
            assert dut.region_code == "2102"


class TestCodeTables:
    def test_gbt4754_rejects_2011_leftovers(self, settings: Settings) -> None:
        summary = import_source(settings, "gbt4754", show_progress=False)
        assert {e.detail.split()[0] for e in summary.rejections} == {"0390", "9290"}
        with session_scope(settings.database_url) as session:
            query = select(CodeEntry).where(CodeEntry.scheme == "gbt4754", CodeEntry.code == "0711")
            entry = session.scalars(query).one()
            assert entry.title == "陆地石油开采"

    def test_sei2018(self, settings: Settings) -> None:
        import_source(settings, "sei2018", show_progress=False)
        query = select(func.count()).select_from(CodeEntry).where(CodeEntry.scheme == "sei2018")
        assert scalar(settings, query) == 49
