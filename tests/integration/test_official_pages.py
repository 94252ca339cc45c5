"""The dashboard shows the yearbook figures beside, never mixed with, the registry's contract figures."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from techbridge.config import Settings
from techbridge.imports.service import import_source
from techbridge.models import Role
from techbridge.web.app import create_app
from tests.integration.test_transfers_pages import signed_in
from tests.unit.imports.test_real_ground import DATA, seed_regions


class TestOfficialOnDashboard:
    def test_liaoning_yearbook_figures_with_their_source(self, settings: Settings, session: Session) -> None:
        seed_regions(settings)
        import_source(settings, "tech_market", DATA / "tech_market", show_progress=False)
        client, _ = signed_in(settings, session, Role.OFFICER)
        page = client.get("/dashboard")
        assert page.status_code == 200
        assert 'id="chart-official-flows"' in page.text
        assert 'id="chart-official-balance"' in page.text
        assert 'id="chart-official-rank"' in page.text
        assert page.text.count("来源：中国科技统计年鉴") == 3
        latest = page.text.split('id="official-latest">', 1)[1].split("<", 1)[0]
        assert latest == "2023 年：输出 12,890,739 万元（全国第 2 / 3），吸纳 10,904,695 万元", latest
        assert 'id="official-note"' in page.text

    def test_without_statistics_the_section_says_how_to_load_them(self, settings: Settings, session: Session) -> None:
        client, _ = signed_in(settings, session, Role.OFFICER)
        page = client.get("/dashboard")
        assert 'id="official-none"' in page.text
        assert "chart-official-flows" not in page.text

    def test_anonymous_visitors_are_sent_to_sign_in(self, settings: Settings) -> None:
        response = TestClient(create_app(settings)).get("/dashboard", follow_redirects=False)
        assert (response.status_code, response.headers["location"]) == (303, "/login?next=/dashboard")
