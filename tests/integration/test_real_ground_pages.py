"""Expert pages list their funded projects; enterprise pages show main business and self-declared honours apart."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select

from techbridge.config import Settings
from techbridge.db import session_scope
from techbridge.imports.service import import_source
from techbridge.models import Expert, Organization, ResearchProject
from techbridge.web.app import create_app
from tests.unit.imports.test_real_ground import DATA, financials_dir, seed_regions

__all__ = ["financials_dir"]  # the fixture, used by name below


def section(page: str, section_id: str) -> str:
    """The HTML of `<section ... id="section_id">` up to its end."""
    return page.split(f'id="{section_id}"', 1)[1].split("</section>", 1)[0]


class TestExpertPage:
    def test_lists_the_projects_the_expert_led(self, settings: Settings) -> None:
        seed_regions(settings)
        import_source(settings, "nsfc", DATA / "nsfc", show_progress=False)
        with session_scope(settings.database_url) as session:
            wang = session.scalars(select(Expert).where(Expert.name == "王示例")).one().id
        page = TestClient(create_app(settings)).get(f"/experts/{wang}")
        assert page.status_code == 200
        projects = section(page.text, "projects")
        assert "装备制造业技术转移与产业链协同研究" in projects
        assert "区域创新系统中的知识转移机制研究" in projects
        assert projects.index("装备制造业") < projects.index("区域创新系统")  # newest first
        assert "科技成果转化的激励机制" not in projects  # another expert's

    def test_a_project_hidden_from_the_visitor_is_not_listed(self, settings: Settings) -> None:
        seed_regions(settings)
        import_source(settings, "nsfc", DATA / "nsfc", show_progress=False)
        with session_scope(settings.database_url) as session:
            project = session.scalars(select(ResearchProject).where(ResearchProject.approval_no == "71000002")).one()
            project.visibility = "owner"
            expert_id = project.expert_id
        page = TestClient(create_app(settings)).get(f"/experts/{expert_id}").text
        assert "装备制造业技术转移" not in section(page, "projects")


class TestEnterprisePage:
    def test_main_business_capital_and_self_declared_honours(self, settings: Settings, financials_dir: Path) -> None:
        seed_regions(settings)
        import_source(settings, "a_share_financials", financials_dir, show_progress=False)
        with session_scope(settings.database_url) as session:
            org_id = session.scalars(select(Organization.id).where(Organization.listing_code == "688999.SH")).one()
        page = TestClient(create_app(settings)).get(f"/enterprises/{org_id}").text
        assert "工业机器人及智能装备的研发、生产和销售" in page.split('id="main-business"', 1)[1]
        assert "15000.5 万元" in page.split('id="registered-capital"', 1)[1]
        financials = section(page, "financials")
        assert "12,345.68" in financials
        assert 'title="12345.678912"' in financials  # the exact figure on hover
        assert "万元" in financials
        honours = section(page, "self-declared")
        assert "企业自述" in honours
        assert "专精特新小巨人" in honours
        assert "并非官方名单" in honours
