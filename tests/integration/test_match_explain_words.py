"""What a newcomer reads beside a match: terms as the records spell them and only from a record's own text, the
API's region and field filters, and the adopters list saying what it uses and that it prefers the home region."""

from __future__ import annotations

import html
import re

import pytest
from fastapi.testclient import TestClient

from techbridge.access import SYSTEM
from techbridge.config import Settings
from techbridge.db import session_scope
from techbridge.matching import service
from techbridge.web.app import create_app
from tests.unit.matching.seed import Seeded, seed_registry


@pytest.fixture
def seeded(settings: Settings) -> Seeded:
    with session_scope(settings.database_url) as session:
        return seed_registry(session)


@pytest.fixture
def client(settings: Settings, seeded: Seeded) -> TestClient:
    return TestClient(create_app(settings))


def _terms_reason(hit: dict[str, object]) -> list[str]:
    """The matched terms of the hit's `terms` reason: a list in the API, joined only where a language shows it."""
    reasons = hit["reasons"]
    assert isinstance(reasons, list)
    return next(list(r["params"]["terms"]) for r in reasons if r["code"] == "terms")


class TestTermsReason:
    def test_an_acronym_is_shown_as_the_record_spells_it(self, client: TestClient, seeded: Seeded) -> None:
        hit = client.get("/api/match", params={"q": "FPGA图像处理"}).json()["achievements"][0]
        assert hit["id"] == seeded.fpga
        assert "FPGA" in _terms_reason(hit)

    def test_an_experts_affiliation_is_not_evidence(self, settings: Settings, seeded: Seeded) -> None:
        with session_scope(settings.database_url) as session:
            hits = service.search_records(
                session=session, settings=settings, viewer=SYSTEM, text="东北大学 正极材料", entity="expert"
            )
        expert = next(h for h in hits if h.entity_id == seeded.battery_expert)
        assert "正极材料" in expert.matched_terms
        assert not [t for t in expert.matched_terms if "大学" in t or "东北" in t]
        assert all("大学" not in str(r.params.get("terms", "")) for r in expert.reasons)


class TestApiFilters:
    def test_region_by_name_keeps_only_that_regions_records(self, client: TestClient, seeded: Seeded) -> None:
        hits = client.get("/api/match", params={"q": "锂电池正极材料", "region": "广东"}).json()["achievements"]
        assert hits
        assert all((h["region_code"] or "").startswith("44") for h in hits)
        assert seeded.battery not in [h["id"] for h in hits]

    def test_a_region_naming_nothing_is_422(self, client: TestClient) -> None:
        assert client.get("/api/match", params={"q": "锂电池", "region": "火星"}).status_code == 422

    def test_field_filter_applies(self, client: TestClient, seeded: Seeded) -> None:
        hits = client.get("/api/match", params={"q": "检测", "field": "生物医药"}).json()["achievements"]
        assert [h["id"] for h in hits] == [seeded.crp]


class TestAdoptersNote:
    @pytest.mark.parametrize(
        ("lang", "words"),
        [("zh", ("主营业务", "辽宁省 (21)", "优先")), ("en", ("main business", "Liaoning (21)", "preferred"))],
    )
    def test_says_what_it_uses_and_prefers_the_home_region(
        self, client: TestClient, seeded: Seeded, lang: str, words: tuple[str, ...]
    ) -> None:
        page = client.get(f"/match/achievements/{seeded.battery}/adopters", params={"lang": lang})
        note = re.search(r'id="adopters-note">([^<]*)<', page.text)
        assert note is not None
        assert all(w in note.group(1) for w in words)

    def test_no_adopter_says_no_enterprise_fits(self, client: TestClient, seeded: Seeded) -> None:
        page = client.get(f"/match/achievements/{seeded.crp}/adopters", params={"lang": "en"})
        empty = re.search(r'<p class="muted" id="adopters">([^<]*)<', page.text)
        assert empty is not None
        assert "No likely adopter" in html.unescape(empty.group(1))
