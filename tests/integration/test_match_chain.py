"""Chain proximity in matching, through the real app and database: adopters next to the source's chain node rank
above otherwise equal ones and say why, in the JSON API and on the portal fragment."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlalchemy.orm import Session

from techbridge.access import ANONYMOUS, Viewer
from techbridge.accounts.service import viewer_for
from techbridge.config import Settings
from techbridge.db import session_scope
from techbridge.matching import build, service
from techbridge.matching.explain import CHAIN_ADJACENT_BONUS, CHAIN_SAME_BONUS
from techbridge.models import (
    Achievement,
    AchievementKind,
    AchievementOwner,
    ChainEdge,
    ChainNode,
    Demand,
    EnterpriseNode,
    NodeKind,
    Organization,
    OrgKind,
    Region,
    RegionLevel,
    Role,
    Visibility,
)
from techbridge.web.app import create_app
from tests.registry_seed import make_user

DESCRIPTION = "专业从事高镍正极材料的应用与销售。"
ADJACENT = {"code": "chain_adjacent", "params": {"upstream": "三元前驱体", "downstream": "动力电池"}}


@dataclass(frozen=True)
class ChainSeed:
    """The source enterprise and its achievement, and three candidates that differ only in their chain node."""

    source: int
    achievement: int
    unrelated: int
    adjacent: int
    same: int
    demand: int


def _enterprise(session: Session, name: str) -> Organization:
    org = Organization(
        kind=OrgKind.ENTERPRISE,
        name=name,
        normalized_name=name,
        region_code="2101",
        province_code="21",
        description=DESCRIPTION,
        source_dataset="test",
        source_key=name,
    )
    session.add(org)
    session.flush()
    return org


def _node(session: Session, name: str) -> ChainNode:
    node = ChainNode(kind=NodeKind.PRODUCT, name=name, source_dataset="test")
    session.add(node)
    session.flush()
    return node


def _link(session: Session, org: Organization, node: ChainNode) -> None:
    session.add(EnterpriseNode(organization_id=org.id, node_id=node.id, relation="主营产品", source_dataset="test"))


def _seed(session: Session, settings: Settings) -> ChainSeed:
    session.add(Region(code="21", name="辽宁省", level=RegionLevel.PROVINCE))
    session.flush()
    session.add(Region(code="2101", name="沈阳市", level=RegionLevel.CITY, parent_code="21"))
    session.flush()
    source = _enterprise(session, "源头企业")
    achievement = Achievement(
        kind=AchievementKind.PATENT,
        title="高镍三元正极材料共沉淀制备工艺",
        abstract="采用共沉淀法制备高镍三元正极材料。",
        keywords=["正极材料"],
        region_code="2101",
        source_dataset="test",
        source_key="chain-achievement",
    )
    session.add(achievement)
    session.flush()
    session.add(AchievementOwner(achievement_id=achievement.id, organization_id=source.id))
    # created in the order that wins ties (lower id first), so only the chain bonus can reverse it
    unrelated, adjacent, same = (_enterprise(session, name) for name in ("甲企业", "乙企业", "丙企业"))
    session.flush()
    # the index is built before the chain links so the three candidates' documents stay identical
    build.rebuild_lexical(session, settings)
    precursor, battery, catering = _node(session, "三元前驱体"), _node(session, "动力电池"), _node(session, "餐饮服务")
    session.add(ChainEdge(src_id=precursor.id, dst_id=battery.id, relation="下游产品", source_dataset="chain_kg"))
    for org, node in ((source, precursor), (unrelated, catering), (adjacent, battery), (same, precursor)):
        _link(session, org, node)
    demand = Demand(enterprise_id=adjacent.id, title="寻找高镍正极材料", description="需要高镍三元正极材料。")
    session.add(demand)
    session.flush()
    return ChainSeed(source.id, achievement.id, unrelated.id, adjacent.id, same.id, demand.id)


@pytest.fixture
def seeded(settings: Settings) -> ChainSeed:
    with session_scope(settings.database_url) as session:
        return _seed(session, settings)


@pytest.fixture
def client(settings: Settings, seeded: ChainSeed) -> TestClient:
    return TestClient(create_app(settings))


def _codes(hit: dict[str, Any]) -> list[str]:
    return [r["code"] for r in hit["reasons"]]


def _structured(hit: dict[str, Any]) -> list[dict[str, Any]]:
    """A hit's reasons as code and parameters (the API adds each one's `text` in the caller's language)."""
    return [{"code": r["code"], "params": r["params"]} for r in hit["reasons"]]


class TestAdoptersApi:
    def test_adjacent_adopter_outranks_an_otherwise_equal_one(self, client: TestClient, seeded: ChainSeed) -> None:
        hits = client.get(f"/api/match/achievements/{seeded.achievement}/adopters").json()["hits"]
        assert [h["id"] for h in hits] == [seeded.same, seeded.adjacent, seeded.unrelated]
        same, adjacent, unrelated = hits
        assert same["score"] - unrelated["score"] == pytest.approx(CHAIN_SAME_BONUS, abs=1e-3)
        assert adjacent["score"] - unrelated["score"] == pytest.approx(CHAIN_ADJACENT_BONUS, abs=1e-3)
        assert {"code": "chain_same", "params": {"node": "三元前驱体"}} in _structured(same)
        assert ADJACENT in _structured(adjacent)
        assert not {"chain_same", "chain_adjacent"} & set(_codes(unrelated))

    def test_recommendations_see_the_owner_upstream(self, client: TestClient, seeded: ChainSeed) -> None:
        hits = client.get(f"/api/match/enterprises/{seeded.adjacent}/recommended").json()["hits"]
        assert hits[0]["id"] == seeded.achievement
        assert ADJACENT in _structured(hits[0])

    def test_demand_of_a_downstream_enterprise(self, client: TestClient, seeded: ChainSeed) -> None:
        achievements = client.get(f"/api/match/demands/{seeded.demand}").json()["achievements"]
        assert achievements[0]["id"] == seeded.achievement
        assert ADJACENT in _structured(achievements[0])


class TestAdoptersFragment:
    def test_reasons_render_in_both_languages(self, client: TestClient, seeded: ChainSeed) -> None:
        url = f"/match/achievements/{seeded.achievement}/adopters"
        html = client.get(url).text
        assert "同一产业链环节：三元前驱体" in html
        assert "产业链上下游：三元前驱体 → 动力电池" in html
        assert "Up/downstream in the chain: 三元前驱体 → 动力电池" in client.get(url, params={"lang": "en"}).text


class TestChainQueries:
    def test_two_chain_statements_per_request(self, settings: Settings, seeded: ChainSeed) -> None:
        seen: list[str] = []

        def record(*args: Any) -> None:
            statement = str(args[2])
            if "chain_" in statement or "enterprise_nodes" in statement:
                seen.append(statement)

        with session_scope(settings.database_url) as session:
            engine = session.get_bind()
            event.listen(engine, "before_cursor_execute", record)
            try:
                hits = service.likely_adopters(
                    session=session, settings=settings, viewer=ANONYMOUS, achievement_id=seeded.achievement
                )
            finally:
                event.remove(engine, "before_cursor_execute", record)
        assert len(hits) == 3
        assert len(seen) == 2


def _hide(settings: Settings, org_id: int) -> Viewer:
    """Make organization `org_id` owner-only, owned by a new user; that user's viewer."""
    with session_scope(settings.database_url) as session:
        owner = make_user(session, f"owner{org_id}", Role.ENTERPRISE, organization_id=org_id)
        org = session.get(Organization, org_id)
        assert org is not None
        org.owner_id, org.visibility = owner.id, Visibility.OWNER
        return viewer_for(owner)


def _chain_reasons(hits: list[Any]) -> dict[int, list[dict[str, Any]]]:
    """Each hit's chain reasons (code and parameters), by record id."""
    return {
        h.entity_id: [{"code": r.code, "params": r.params} for r in h.reasons if r.code.startswith("chain_")]
        for h in hits
    }


class TestHiddenOrganizationsGiveNoChainReason:
    """An owner-only organization's chain nodes are what it makes: a viewer who may not read it learns them neither
    from the reasons nor from the ranking, whether it holds the source record (an achievement's holder, a demand's
    enterprise) or a candidate achievement (fifth access probe: the chain neighbourhood and the candidates' nodes
    were read with no visibility)."""

    def test_adopters_of_a_hidden_holders_achievement(self, settings: Settings, seeded: ChainSeed) -> None:
        owner = _hide(settings, seeded.source)
        with session_scope(settings.database_url) as session:
            for viewer, shown in ((ANONYMOUS, False), (owner, True)):
                hits = service.likely_adopters(
                    session=session, settings=settings, viewer=viewer, achievement_id=seeded.achievement
                )
                reasons = _chain_reasons(hits)
                assert (reasons[seeded.same] != [] and reasons[seeded.adjacent] != []) is shown
                assert any(reasons.values()) is shown
        api = TestClient(create_app(settings)).get(f"/api/match/achievements/{seeded.achievement}/adopters").json()
        assert [r for h in api["hits"] for r in _codes(h) if r.startswith("chain_")] == []

    def test_a_hidden_holders_achievement_as_a_candidate(self, settings: Settings, seeded: ChainSeed) -> None:
        owner = _hide(settings, seeded.source)
        with session_scope(settings.database_url) as session:
            for viewer, shown in ((ANONYMOUS, False), (owner, True)):
                matches = service.match_demand(
                    session=session, settings=settings, viewer=viewer, demand_id=seeded.demand
                )
                assert (_chain_reasons(matches.achievements)[seeded.achievement] == [ADJACENT]) is shown
                recommended = service.recommended_achievements(
                    session=session, settings=settings, viewer=viewer, enterprise_id=seeded.adjacent
                )
                assert (_chain_reasons(recommended)[seeded.achievement] == [ADJACENT]) is shown

    def test_the_demand_of_a_hidden_enterprise(self, settings: Settings, seeded: ChainSeed) -> None:
        owner = _hide(settings, seeded.adjacent)
        with session_scope(settings.database_url) as session:
            for viewer, shown in ((ANONYMOUS, False), (owner, True)):
                matches = service.match_demand(
                    session=session, settings=settings, viewer=viewer, demand_id=seeded.demand
                )
                assert (_chain_reasons(matches.achievements)[seeded.achievement] == [ADJACENT]) is shown
