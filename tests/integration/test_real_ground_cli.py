"""`techbridge stats --json` counts and `techbridge metrics official` on fixture imports."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from techbridge.config import Settings
from techbridge.db import session_scope
from techbridge.imports.service import import_source
from techbridge.models import Role
from techbridge.web.app import create_app
from tests.integration.test_tiers_cli import invoke
from tests.registry_seed import PASSWORD, make_user
from tests.unit.imports.test_real_ground import DATA, seed_regions


class TestStats:
    def test_counts_experts_projects_facts_and_statistics(self, settings: Settings) -> None:
        seed_regions(settings)
        import_source(settings, "nsfc", DATA / "nsfc", show_progress=False)
        import_source(settings, "tech_market", DATA / "tech_market", show_progress=False)
        result = invoke(settings, "stats", "--json")
        assert result.exit_code == 0, result.output
        counts = json.loads(result.stdout)
        assert (counts["expert"], counts["project"], counts["official_statistic"]) == (3, 4, 9)
        assert counts["enterprise_fact"] == 0
        assert counts["enterprise"] == 0  # existing keys stay


class TestMetricsOfficial:
    def test_prints_the_yearbook_figures(self, settings: Settings) -> None:
        seed_regions(settings)
        import_source(settings, "tech_market", DATA / "tech_market", show_progress=False)
        result = invoke(settings, "metrics", "official", "--region", "21", "--year", "2023", "--json")
        assert result.exit_code == 0, result.output
        figures = json.loads(result.stdout)
        assert figures["outflow_value_wan"] == 12890739
        assert figures["outflow_contracts"] == 26159
        assert figures["inflow_value_wan"] == 10904695
        assert figures["inflow_contracts"] == 22911
        assert "中国科技统计年鉴" in figures["source"]

    def test_a_year_without_figures_exits_1(self, settings: Settings) -> None:
        seed_regions(settings)
        import_source(settings, "tech_market", DATA / "tech_market", show_progress=False)
        result = invoke(settings, "metrics", "official", "--region", "21", "--year", "1999", "--json")
        assert result.exit_code == 1

    def test_the_region_defaults_to_the_home_province(self, settings: Settings) -> None:
        seed_regions(settings)
        import_source(settings, "tech_market", DATA / "tech_market", show_progress=False)
        result = invoke(settings, "metrics", "official", "--year", "2022", "--json")
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["outflow_value_wan"] == 9713459


class TestOfficialApi:
    """`GET /api/metrics/official` answers what `metrics official --json` prints, for officers only."""

    def test_same_figures_as_the_cli(self, settings: Settings) -> None:
        seed_regions(settings)
        import_source(settings, "tech_market", DATA / "tech_market", show_progress=False)
        with session_scope(settings.database_url) as session:
            make_user(session, "stats-officer", Role.OFFICER)
        client = TestClient(create_app(settings))
        assert client.get("/api/metrics/official", params={"year": 2023}).status_code == 403
        client.post("/api/auth/login", json={"username": "stats-officer", "password": PASSWORD})
        cli = invoke(settings, "metrics", "official", "--region", "21", "--year", "2023", "--json")
        api = client.get("/api/metrics/official", params={"region": "21", "year": 2023})
        assert api.json() == json.loads(cli.stdout)
        missing = client.get("/api/metrics/official", params={"region": "21", "year": 1999})
        assert (missing.status_code, missing.json()["error"]) == (404, "not_found")
