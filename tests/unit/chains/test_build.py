"""Rows → graph: direction semantics, link placement by name resolution, loading from a real database."""

from __future__ import annotations

from sqlalchemy.orm import Session

from techbridge.access import ANONYMOUS, SYSTEM
from techbridge.chains.build import assemble_graph, find_organization_ids, fingerprint, load_graph
from techbridge.chains.schemas import ChainGraph
from techbridge.models import ChainEdge, ChainNode, EnterpriseNode, Organization, OrganizationAlias, Visibility
from tests.unit.chains.conftest import make_rows


class TestAssembleGraph:
    def test_upstream_material_points_from_material_to_product(self, graph: ChainGraph) -> None:
        # `涤纶长丝 上游材料 精对苯二甲酸`: 精对苯二甲酸 supplies 涤纶长丝.
        assert set(graph.suppliers[5]) == {3, 4}
        assert set(graph.consumers[3]) == {5, 7}

    def test_downstream_product_and_subcategory(self, graph: ChainGraph) -> None:
        assert 7 in graph.consumers[3]
        assert graph.children[7] == (8,)

    def test_parent_industry_contains_the_child(self, graph: ChainGraph) -> None:
        assert graph.children[12] == (11,)

    def test_weak_and_unknown_edges_are_dropped(self, graph: ChainGraph) -> None:
        assert 12 not in graph.suppliers.get(11, ())
        assert graph.stats.ignored_relations == ("合作",)
        assert graph.stats.edges == 8

    def test_noisy_listing_names_are_placed_on_the_vocabulary_node(self, graph: ChainGraph) -> None:
        link = next(ln for ln in graph.links_by_node[3] if ln.org_id == 100)
        assert link.weight == 0.84
        assert "精对苯二甲酸生产销售 → 精对苯二甲酸 (suffix 生产销售 removed)" in link.evidence
        assert "PTA → 精对苯二甲酸 (synonym PTA = 精对苯二甲酸)" in link.evidence
        assert graph.stats.resolved_links == 2

    def test_missing_weights_take_the_relation_default_and_negatives_clamp(self, graph: ChainGraph) -> None:
        assert graph.links_by_node[11][0].weight == 0.3
        assert graph.links_by_node[13][0].weight == 0.0

    def test_producers_are_ordered_by_weight(self, graph: ChainGraph) -> None:
        assert [ln.org_id for ln in graph.links_by_node[2]] == [104, 106, 101, 107]

    def test_works_carry_their_owners(self, graph: ChainGraph) -> None:
        work = next(w for w in graph.works if w.id == 500)
        assert (work.org_ids, work.expert_ids) == ((102,), (700,))

    def test_links_to_unknown_nodes_and_edges_to_unknown_nodes_are_skipped(self) -> None:
        rows = make_rows()
        rows.links = [*rows.links, (100, 999, "主营产品", 1.0, "")]
        rows.edges = [*rows.edges, (1, 999, "上游于", 5.0, "ickg")]
        graph = assemble_graph(rows)
        assert 999 not in graph.links_by_node
        assert graph.stats.edges == 8

    def test_the_same_listing_name_resolves_for_every_enterprise(self) -> None:
        rows = make_rows()
        rows.links = [*rows.links, (104, 9, "主营产品", 0.1, "")]
        graph = assemble_graph(rows)
        assert {ln.org_id for ln in graph.links_by_node[3]} == {100, 101, 104}
        assert graph.stats.resolved_links == 3

    def test_connected_nodes(self, graph: ChainGraph) -> None:
        assert {8, 11, 12} <= graph.connected
        assert 9 not in graph.connected


def _seed(session: Session) -> tuple[int, int]:
    org = Organization(
        kind="enterprise",
        name="恒力石化股份有限公司",
        normalized_name="恒力石化股份有限公司",
        short_name="恒力石化",
        province_code="21",
    )
    pta = ChainNode(kind="product", name="精对苯二甲酸", source_dataset="t")
    fibre = ChainNode(kind="product", name="涤纶长丝", source_dataset="t")
    listed = ChainNode(kind="product", name="PTA", source_dataset="t")
    session.add_all([org, pta, fibre, listed])
    session.flush()
    session.add(OrganizationAlias(organization_id=org.id, alias="恒力", normalized="恒力"))
    session.add(ChainEdge(src_id=fibre.id, dst_id=pta.id, relation="上游材料", weight=1.0, source_dataset="t"))
    session.add(
        EnterpriseNode(
            organization_id=org.id, node_id=listed.id, relation="主营产品", weight=0.5, evidence="", source_dataset="t"
        )
    )
    session.flush()
    return org.id, pta.id


class TestLoadGraph:
    def test_reads_the_registry(self, session: Session) -> None:
        org_id, pta_id = _seed(session)
        graph = load_graph(session)
        assert graph.orgs[org_id].name == "恒力石化"
        assert [ln.org_id for ln in graph.links_by_node[pta_id]] == [org_id]

    def test_fingerprint_changes_with_the_data(self, session: Session) -> None:
        before = fingerprint(session)
        _seed(session)
        assert fingerprint(session) != before

    def test_find_organization_by_short_name_alias_or_part(self, session: Session) -> None:
        org_id, _ = _seed(session)
        assert find_organization_ids(session, "恒力石化", ANONYMOUS) == [org_id]
        assert find_organization_ids(session, "恒力", ANONYMOUS) == [org_id]
        assert find_organization_ids(session, "石化股份", ANONYMOUS) == [org_id]
        assert find_organization_ids(session, "无", ANONYMOUS) == []

    def test_hidden_organizations_never_crowd_out_a_visible_one(self, session: Session) -> None:
        org_id, _ = _seed(session)
        for n in range(6):  # more than the five a partial name returns
            session.add(Organization(kind="enterprise", name=f"石化{n}号保密公司", normalized_name=f"石化{n}号保密公司",
                                     visibility=Visibility.OWNER))  # fmt: skip
        session.flush()
        assert find_organization_ids(session, "石化", ANONYMOUS) == [org_id]
        assert len(find_organization_ids(session, "石化", SYSTEM)) == 5  # an administrator reads them all
