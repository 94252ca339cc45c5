"""Structured re-ranking: chain proximity (pure), supply edges from relation rules, the neighbourhood loader."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from techbridge.access import SYSTEM
from techbridge.chains.loader import RelationRules
from techbridge.config import Settings
from techbridge.matching.explain import (
    CHAIN_ADJACENT_BONUS,
    CHAIN_SAME_BONUS,
    OWNER_ONLY_FACTOR,
    ChainNeighbourhood,
    ChainProximity,
    RankContext,
    chain_proximity,
    chain_reason,
    load_chain_neighbourhood,
    owner_only_penalty,
    structured_reasons,
    supply_edges,
    technical_terms,
)
from techbridge.models import Achievement, ChainEdge, ChainNode, EnterpriseNode, NodeKind, Organization, OrgKind
from techbridge.search.hybrid import NOTABLE_Z, Hit

RULES = RelationRules(
    flows={"下游产品": "forward", "上游材料": "reverse", "产品小类": "child", "上游于": "forward"},
    link_weights={},
    min_weights={("上游于", "chain_kg"): 3.0},
)


class TestChainProximity:
    def test_same_node_beats_an_adjacent_one(self) -> None:
        found = chain_proximity({1, 2}, {1: {3}}, {2, 3})
        assert found == ChainProximity(CHAIN_SAME_BONUS, 2, 2)
        assert found.is_same

    def test_candidate_downstream_of_a_source_node(self) -> None:
        found = chain_proximity({1}, {1: {3}}, {3, 9})
        assert found == ChainProximity(CHAIN_ADJACENT_BONUS, 1, 3)
        assert not found.is_same

    def test_candidate_upstream_of_a_source_node(self) -> None:
        assert chain_proximity({1}, {7: {1}}, {7}) == ChainProximity(CHAIN_ADJACENT_BONUS, 7, 1)

    def test_two_steps_away_is_not_adjacent(self) -> None:
        assert chain_proximity({1}, {1: {2}, 2: {3}}, {3}) is None

    def test_no_nodes_no_proximity(self) -> None:
        assert chain_proximity(set(), {1: {2}}, {2}) is None
        assert chain_proximity({1}, {1: {2}}, set()) is None

    def test_ties_go_to_the_smallest_ids(self) -> None:
        assert chain_proximity({5, 4}, {}, {5, 4}) == ChainProximity(CHAIN_SAME_BONUS, 4, 4)
        assert chain_proximity({1}, {1: {8, 6}, 5: {1}}, {8, 6, 5}) == ChainProximity(CHAIN_ADJACENT_BONUS, 1, 6)

    def test_same_is_worth_more_than_adjacent(self) -> None:
        assert CHAIN_SAME_BONUS > CHAIN_ADJACENT_BONUS > 0


class TestSupplyEdges:
    def test_flows_give_the_supplier_first(self) -> None:
        rows = [(1, 2, "下游产品", 1.0, "chain_kg"), (3, 4, "上游材料", 1.0, "chain_kg")]
        assert supply_edges(rows, RULES) == {1: frozenset({2}), 4: frozenset({3})}

    def test_containment_unknown_and_weak_edges_are_left_out(self) -> None:
        rows = [
            (1, 2, "产品小类", 1.0, "chain_kg"),
            (1, 3, "未知关系", 1.0, "chain_kg"),
            (1, 4, "上游于", 2.0, "chain_kg"),
            (1, 5, "上游于", 3.0, "chain_kg"),
            (1, 6, "上游于", 1.0, "ickg"),
            (7, 7, "下游产品", 1.0, "chain_kg"),
        ]
        assert supply_edges(rows, RULES) == {1: frozenset({5, 6})}


class TestChainReason:
    def test_same_node_reason_names_it(self) -> None:
        chain = ChainNeighbourhood(frozenset({1}), {}, {1: "三元前驱体"})
        bonus, reason = chain_reason(chain, {1: "三元前驱体", 9: "别的"})
        assert bonus == CHAIN_SAME_BONUS
        assert reason is not None
        assert (reason.code, reason.params) == ("chain_same", {"node": "三元前驱体"})

    def test_adjacent_reason_reads_upstream_to_downstream(self) -> None:
        chain = ChainNeighbourhood(frozenset({1}), {1: frozenset({2})}, {1: "三元前驱体"})
        bonus, reason = chain_reason(chain, {2: "动力电池"})
        assert bonus == CHAIN_ADJACENT_BONUS
        assert reason is not None
        assert reason.code == "chain_adjacent"
        assert reason.params == {"upstream": "三元前驱体", "downstream": "动力电池"}

    def test_unrelated_candidate_has_no_reason(self) -> None:
        chain = ChainNeighbourhood(frozenset({1}), {1: frozenset({2})}, {1: "三元前驱体"})
        assert chain_reason(chain, {3: "餐饮服务"}) == (0.0, None)
        assert chain_reason(ChainNeighbourhood(), {3: "餐饮服务"}) == (0.0, None)


def _node(session: Session, name: str) -> int:
    node = ChainNode(kind=NodeKind.PRODUCT, name=name, source_dataset="test")
    session.add(node)
    session.flush()
    return node.id


@pytest.fixture
def statements(session: Session) -> Iterator[list[str]]:
    """SQL statements the session runs while the test body runs."""
    seen: list[str] = []

    def record(*args: Any) -> None:
        seen.append(str(args[2]))

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", record)
    yield seen
    event.remove(engine, "before_cursor_execute", record)


class TestLoadChainNeighbourhood:
    def test_nodes_and_supply_edges_in_one_statement(self, session: Session, statements: list[str]) -> None:
        org = Organization(kind=OrgKind.ENTERPRISE, name="源企业", normalized_name="源企业", source_dataset="t")
        session.add(org)
        session.flush()
        own, lonely = _node(session, "三元前驱体"), _node(session, "包装服务")
        upstream, downstream, part = _node(session, "硫酸镍"), _node(session, "动力电池"), _node(session, "前驱体小类")
        session.add_all(
            [
                EnterpriseNode(organization_id=org.id, node_id=own, relation="主营产品", source_dataset="t"),
                EnterpriseNode(organization_id=org.id, node_id=lonely, relation="主营产品", source_dataset="t"),
                ChainEdge(src_id=own, dst_id=upstream, relation="上游材料", weight=1.0, source_dataset="chain_kg"),
                ChainEdge(src_id=own, dst_id=downstream, relation="下游产品", weight=1.0, source_dataset="chain_kg"),
                ChainEdge(src_id=own, dst_id=part, relation="产品小类", weight=1.0, source_dataset="chain_kg"),
            ]
        )
        session.flush()
        statements.clear()
        chain = load_chain_neighbourhood(session, SYSTEM, [org.id])
        assert len(statements) == 1
        assert chain.sources == {own, lonely}
        assert chain.supplies == {upstream: frozenset({own}), own: frozenset({downstream})}
        assert chain.names == {own: "三元前驱体", lonely: "包装服务"}

    def test_organization_without_nodes(self, session: Session) -> None:
        assert load_chain_neighbourhood(session, SYSTEM, [12345]) == ChainNeighbourhood()
        assert load_chain_neighbourhood(session, SYSTEM, []) == ChainNeighbourhood()


class TestOwnerOnlyMatches:
    def achievement(self) -> Achievement:
        return Achievement(title="杀虫剂组合物", abstract="防治稻飞虱", keywords=["杀虫剂"], field_tags=["农药"])

    def test_terms_found_only_in_owner_names_are_left_out(self) -> None:
        assert technical_terms(self.achievement(), ["fmc", "杀虫剂"]) == ["杀虫剂"]

    def test_other_records_keep_every_term(self) -> None:
        assert technical_terms(Organization(name="FMC公司"), ["fmc"]) == ["fmc"]

    def test_an_owner_only_match_loses_most_of_its_lexical_score(self) -> None:
        hit = Hit("achievement:1", 1.2, 1.0, 0.9, ["fmc"])
        assert owner_only_penalty(hit, []) == pytest.approx(1.0 - OWNER_ONLY_FACTOR)
        assert owner_only_penalty(hit, ["fmc"]) == 0.0
        assert owner_only_penalty(Hit("achievement:1", 0.4, 0.0, 0.9, []), []) == 0.0


class TestSemanticReason:
    """The similarity is given as a reason only when it stands out among the need's candidates."""

    def reasons(self, similarity: float | None, z: float | None) -> list[str]:
        hit = Hit("achievement:1", 1.0, 1.0, similarity, [], semantic_z=z)
        context = RankContext(settings=Settings(), fields=set(), ipc=set())
        _, reasons = structured_reasons(Achievement(title="x"), hit, context)
        return [r.code for r in reasons]

    def test_a_record_well_above_the_candidates_is_explained_by_meaning(self) -> None:
        assert "semantic" in self.reasons(0.86, NOTABLE_Z)

    def test_a_high_cosine_that_is_ordinary_for_this_need_is_not(self) -> None:
        assert "semantic" not in self.reasons(0.91, 0.2)
        assert "semantic" not in self.reasons(None, None)
