"""Index documents carry experts' funded-project titles and listed companies' 主营业务, so demand → expert
matching and the adopter ranking find them by what they do."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from techbridge.access import ANONYMOUS
from techbridge.config import Settings
from techbridge.db import session_scope
from techbridge.imports.service import import_source
from techbridge.matching import build, service
from techbridge.models import Achievement, Expert, Organization, ResearchProject
from techbridge.search.embed import HashingEmbedder
from tests.unit.imports.test_real_ground import DATA, financials_dir, seed_regions

__all__ = ["financials_dir"]  # the fixture, used by name below
EMBEDDER = HashingEmbedder()


def expert_doc(settings: Settings, name: str) -> build.IndexDocument:
    with session_scope(settings.database_url) as session:
        expert_id = session.scalars(select(Expert.id).where(Expert.name == name)).one()
        return build.expert_document(next(iter(build.queries.iter_expert_rows(session, [expert_id])))[0])


class TestExpertDocument:
    def test_project_titles_are_the_expertise_text(self, settings: Settings) -> None:
        seed_regions(settings)
        import_source(settings, "nsfc", DATA / "nsfc", show_progress=False)
        doc = expert_doc(settings, "王示例")
        assert "装备制造业技术转移与产业链协同研究" in doc.body
        assert "区域创新系统中的知识转移机制研究" in doc.body

    def test_a_project_not_public_stays_out_of_the_index(self, settings: Settings) -> None:
        seed_regions(settings)
        import_source(settings, "nsfc", DATA / "nsfc", show_progress=False)
        with session_scope(settings.database_url) as session:
            project = session.scalars(select(ResearchProject).where(ResearchProject.approval_no == "71000002")).one()
            project.visibility = "owner"
        assert "装备制造业技术转移" not in expert_doc(settings, "王示例").body

    def test_a_need_finds_the_expert_through_a_project_title(self, settings: Settings) -> None:
        seed_regions(settings)
        import_source(settings, "nsfc", DATA / "nsfc", show_progress=False)
        with session_scope(settings.database_url) as session:
            build.rebuild_lexical(session, settings)
            found = service.match_need(
                session=session, settings=settings, viewer=ANONYMOUS, text="产业链协同", embedder=EMBEDDER
            )
            assert [h.title for h in found.experts][:1] == ["王示例 大连理工大学"]


class TestEnterpriseDocument:
    def test_main_business_feeds_the_adopter_ranking(self, settings: Settings, financials_dir: Path) -> None:
        seed_regions(settings)
        import_source(settings, "a_share_financials", financials_dir, show_progress=False)
        with session_scope(settings.database_url) as session:
            robot = session.scalars(select(Organization.id).where(Organization.listing_code == "688999.SH")).one()
            row = next(iter(build.queries.iter_enterprise_rows(session, [robot])))[0]
            assert "工业机器人及智能装备的研发、生产和销售" in build.enterprise_document(row).body
            work = Achievement(kind="technology", title="智能装备控制方法", abstract="用于工业机器人的智能装备")
            session.add(work)
            session.flush()
            build.rebuild_lexical(session, settings)
            hits = service.likely_adopters(
                session=session, settings=settings, viewer=ANONYMOUS, achievement_id=work.id, embedder=EMBEDDER
            )
            assert [h.entity_id for h in hits][:1] == [robot]
