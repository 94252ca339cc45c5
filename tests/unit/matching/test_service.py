"""Matching services: rank_texts, saving a need, the use cases over a seeded registry."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from techbridge.access import ANONYMOUS, SYSTEM, Viewer
from techbridge.config import Settings
from techbridge.errors import InvalidDataError, NotFoundError, PermissionDeniedError
from techbridge.matching import build, service
from techbridge.matching.schemas import MatchFilters
from techbridge.models import Role
from techbridge.search.embed import HashingEmbedder
from tests.registry_seed import make_user
from tests.unit.matching.seed import Seeded, seed_registry

EMBEDDER = HashingEmbedder()


@pytest.fixture
def seeded(session: Session, settings: Settings) -> Seeded:
    ids = seed_registry(session)
    build.rebuild_lexical(session, settings)
    build.embed_all(session, EMBEDDER)
    return ids


class TestRankTexts:
    def test_best_candidate_first_with_matched_terms(self) -> None:
        ranked = service.rank_texts(
            query="锂电池正极材料",
            candidates=[("rice", "水稻育种"), ("cathode", "高镍正极材料\n锂电池能量密度"), ("sep", "锂电池隔膜")],
        )
        assert [r.key for r in ranked] == ["cathode", "sep", "rice"]
        assert "正极材料" in ranked[0].matched_terms
        assert ranked[2].score == 0.0
        assert ranked[2].matched_terms == []

    def test_top_k_and_empty_inputs(self) -> None:
        assert service.rank_texts(query="x", candidates=[]) == []
        assert len(service.rank_texts(query="电池", candidates=[("a", "电池"), ("b", "电池")], top_k=1)) == 1
        assert service.rank_texts(query="，", candidates=[("a", "电池")])[0].score == 0.0


class TestMatchNeed:
    def test_achievements_and_experts(self, session: Session, settings: Settings, seeded: Seeded) -> None:
        found = service.match_need(
            session=session, settings=settings, viewer=ANONYMOUS, text="锂电池正极材料", embedder=EMBEDDER
        )
        ids = [h.entity_id for h in found.achievements]
        assert seeded.battery in ids[:2]
        assert seeded.hidden not in ids
        assert [h.entity_id for h in found.experts] == [seeded.battery_expert]
        assert found.indexed

    def test_an_expert_whose_work_does_not_cover_the_need_is_not_matched(
        self, session: Session, settings: Settings, seeded: Seeded
    ) -> None:
        # 张伟 of 东北大学 works on lithium-battery cathodes: a rice need finds the rice achievement but no expert,
        # and a need naming his university is not matched to him on the affiliation alone
        rice = service.match_need(
            session=session, settings=settings, viewer=ANONYMOUS, text="水稻育种", embedder=EMBEDDER
        )
        assert seeded.rice in [h.entity_id for h in rice.achievements]
        assert rice.experts == []
        campus = service.match_need(
            session=session, settings=settings, viewer=ANONYMOUS, text="东北大学校园规划", embedder=EMBEDDER
        )
        assert campus.experts == []

    def test_free_text_search_still_finds_an_expert_by_name(
        self, session: Session, settings: Settings, seeded: Seeded
    ) -> None:
        found = service.search_records(
            session=session, settings=settings, viewer=ANONYMOUS, text="张伟", entity="expert", embedder=EMBEDDER
        )
        assert [h.entity_id for h in found] == [seeded.battery_expert]

    def test_privileged_viewer_sees_owner_only_records(
        self, session: Session, settings: Settings, seeded: Seeded
    ) -> None:
        found = service.match_need(
            session=session, settings=settings, viewer=SYSTEM, text="隔膜涂覆", embedder=EMBEDDER
        )
        assert seeded.hidden in [h.entity_id for h in found.achievements]

    def test_filters(self, session: Session, settings: Settings, seeded: Seeded) -> None:
        found = service.match_need(
            session=session,
            settings=settings,
            viewer=ANONYMOUS,
            text="锂电池",
            embedder=EMBEDDER,
            filters=MatchFilters(region="44"),
        )
        assert all(h.region_code and h.region_code.startswith("44") for h in found.achievements)

    def test_blank_need(self, session: Session, settings: Settings, seeded: Seeded) -> None:
        found = service.match_need(session=session, settings=settings, viewer=ANONYMOUS, text=" ", embedder=EMBEDDER)
        assert found.achievements == []


class TestRecordUseCases:
    def test_adopters_local_first(self, session: Session, settings: Settings, seeded: Seeded) -> None:
        hits = service.likely_adopters(
            session=session, settings=settings, viewer=ANONYMOUS, achievement_id=seeded.battery, embedder=EMBEDDER
        )
        assert hits[0].entity_id == seeded.local_battery_maker
        assert hits[0].is_local
        assert "local" in [r.code for r in hits[0].reasons]

    def test_local_reason_names_the_region(self, session: Session, settings: Settings, seeded: Seeded) -> None:
        hits = service.likely_adopters(
            session=session, settings=settings, viewer=ANONYMOUS, achievement_id=seeded.battery, embedder=EMBEDDER
        )
        local = next(r for r in hits[0].reasons if r.code == "local")
        assert local.params == {"region": "2101"}  # language-neutral: the page or the API names it
        assert service.reason_regions(session, hits, "zh") == {"2101": "沈阳市 (2101)"}
        assert service.reason_regions(session, hits, "en") == {"2101": "Shenyang (2101)"}

    @pytest.mark.parametrize(
        ("lang", "text"), [("zh", "位于本省（沈阳市 (2101)）"), ("en", "In the home region (Shenyang (2101))")]
    )
    def test_hits_json_says_the_local_reason_in_the_language_asked(
        self, session: Session, settings: Settings, seeded: Seeded, lang: str, text: str
    ) -> None:
        hits = service.likely_adopters(
            session=session, settings=settings, viewer=ANONYMOUS, achievement_id=seeded.battery, embedder=EMBEDDER
        )
        local = next(r for r in service.hits_json(session, hits, lang)[0]["reasons"] if r["code"] == "local")
        assert local == {"code": "local", "params": {"region": "2101"}, "text": text}

    def test_similar_shares_ipc(self, session: Session, settings: Settings, seeded: Seeded) -> None:
        hits = service.similar_achievements(
            session=session, settings=settings, viewer=ANONYMOUS, achievement_id=seeded.battery, embedder=EMBEDDER
        )
        assert seeded.battery not in [h.entity_id for h in hits]
        assert any(r.code == "ipc" for h in hits for r in h.reasons)

    def test_recommended_for_enterprise(self, session: Session, settings: Settings, seeded: Seeded) -> None:
        hits = service.recommended_achievements(
            session=session,
            settings=settings,
            viewer=ANONYMOUS,
            enterprise_id=seeded.chip_maker,
            embedder=EMBEDDER,
        )
        assert hits[0].entity_id == seeded.fpga

    def test_hidden_source_is_not_found(self, session: Session, settings: Settings, seeded: Seeded) -> None:
        with pytest.raises(NotFoundError):
            service.likely_adopters(
                session=session, settings=settings, viewer=ANONYMOUS, achievement_id=seeded.hidden, embedder=EMBEDDER
            )

    def test_search_records_checks_entity(self, session: Session, settings: Settings, seeded: Seeded) -> None:
        hits = service.search_records(
            session=session, settings=settings, viewer=SYSTEM, text="FPGA", entity="enterprise", embedder=EMBEDDER
        )
        assert hits[0].entity_id == seeded.chip_maker
        with pytest.raises(InvalidDataError):
            service.search_records(session=session, settings=settings, viewer=SYSTEM, text="x", entity="cat")


class TestDemands:
    def test_save_and_match_a_demand(self, session: Session, settings: Settings, seeded: Seeded) -> None:
        user = make_user(session, "buyer", Role.ENTERPRISE, seeded.local_battery_maker)
        viewer = Viewer(user.id, Role.ENTERPRISE, seeded.local_battery_maker)
        demand = service.save_demand(session=session, viewer=viewer, text="  寻找 FPGA 图像处理方案 ")
        assert demand.title == "寻找 FPGA 图像处理方案"
        assert demand.enterprise_id == seeded.local_battery_maker
        found = service.match_demand(
            session=session, settings=settings, viewer=viewer, demand_id=demand.id, embedder=EMBEDDER
        )
        assert found.achievements[0].entity_id == seeded.fpga

    def test_a_need_saved_from_the_form_is_matched_again_with_its_text_once(
        self, session: Session, settings: Settings, seeded: Seeded
    ) -> None:
        user = make_user(session, "again", Role.ENTERPRISE, seeded.local_battery_maker)
        viewer = Viewer(user.id, Role.ENTERPRISE, seeded.local_battery_maker)
        demand = service.save_demand(session=session, viewer=viewer, text="锂电池正极材料\n 低成本", region_code="21")
        text, region = service.demand_need(session=session, viewer=viewer, demand_id=demand.id)
        assert (text, region) == ("锂电池正极材料\n 低成本", "21")

    def test_a_stored_demand_s_fields_are_a_reason(self, session: Session, settings: Settings, seeded: Seeded) -> None:
        user = make_user(session, "buyer2", Role.ENTERPRISE, seeded.local_battery_maker)
        viewer = Viewer(user.id, Role.ENTERPRISE, seeded.local_battery_maker)
        demand = service.save_demand(session=session, viewer=viewer, text="FPGA 图像处理")
        demand.field_tags = ["电子信息"]
        session.flush()
        found = service.match_demand(
            session=session, settings=settings, viewer=viewer, demand_id=demand.id, embedder=EMBEDDER
        )
        top = found.achievements[0]
        assert top.entity_id == seeded.fpga
        assert "fields" in [reason.code for reason in top.reasons]

    def test_anonymous_and_empty_needs_are_refused(self, session: Session) -> None:
        with pytest.raises(PermissionDeniedError):
            service.save_demand(session=session, viewer=ANONYMOUS, text="锂电池")
        with pytest.raises(InvalidDataError):
            service.save_demand(session=session, viewer=SYSTEM, text=" x ")
