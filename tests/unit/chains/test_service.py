"""Chain services through a real database seeded with the hand-made graph."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
import weakref
from dataclasses import asdict

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from techbridge.access import ANONYMOUS, SYSTEM, Viewer
from techbridge.chains import build, service
from techbridge.chains.schemas import ChainGraph
from techbridge.errors import InvalidDataError, NotFoundError
from techbridge.models import Achievement, ChainNode, DataVersion, Expert, Organization, Role, Visibility
from tests.registry_seed import make_user
from tests.unit.chains.seed import seed_chain_graph


@pytest.fixture
def seeded(session: Session) -> Session:
    seed_chain_graph(session)
    session.commit()  # on PostgreSQL a transaction that wrote the graph's tables builds its own graph, uncached
    return session


class TestGraphOf:
    def test_cached_until_the_tables_change(self, seeded: Session) -> None:
        first = service.graph_of(seeded)
        assert service.graph_of(seeded) is first
        seeded.add(ChainNode(kind="product", name="新节点", source_dataset="t"))
        seeded.flush()
        assert service.graph_of(seeded) is not first

    def test_a_built_graph_leaves_the_cycle_collectors_sight_and_is_still_freed(self, seeded: Session) -> None:
        gc.unfreeze()
        graph = service.graph_of(seeded)
        assert gc.get_freeze_count() > len(graph.works)  # frozen: full collections no longer walk it
        old = weakref.ref(graph)
        seeded.add(ChainNode(kind="product", name="新节点", source_dataset="t"))
        seeded.commit()
        service.graph_of(seeded)
        del graph
        service._GRAMS.clear()
        assert old() is None  # the replaced graph went by reference counting alone (it holds no cycles)

    def test_an_edit_in_place_invalidates_the_graph(self, seeded: Session) -> None:
        first = service.graph_of(seeded)
        work = seeded.scalars(select(Achievement).order_by(Achievement.id)).first()
        assert work is not None
        work.title = "改过的题目"
        seeded.flush()  # same counts and ids: only the data version says the graph is stale
        graph = service.graph_of(seeded)
        assert graph is not first
        assert next(w for w in graph.works if w.id == work.id).title == "改过的题目"

    def test_a_write_from_another_process_invalidates_the_cached_graph(self, seeded: Session) -> None:
        seeded.commit()
        first = service.graph_of(seeded)
        seeded.commit()  # end the read transaction: the other process's write must be visible to the next one
        url = seeded.get_bind().engine.url.render_as_string(hide_password=False)
        script = (
            "import sys; from sqlalchemy import create_engine, text\n"
            "with create_engine(sys.argv[1]).begin() as conn:\n"
            "    conn.execute(text(\"UPDATE organizations SET name = '另一个进程改名' WHERE id = 100\"))\n"
        )
        subprocess.run([sys.executable, "-c", script, url], check=True, timeout=120)
        graph = service.graph_of(seeded)
        assert graph is not first
        assert graph.orgs[100].name == "另一个进程改名"

    def test_an_unchanged_registry_is_not_scanned(self, seeded: Session, monkeypatch: pytest.MonkeyPatch) -> None:
        first = service.graph_of(seeded)

        def scan(session: Session) -> tuple[int, ...]:
            raise AssertionError("the graph tables were scanned although the data version answers")

        monkeypatch.setattr(build, "fingerprint", scan)
        assert service.graph_of(seeded) is first

    def test_without_the_counter_row_the_tables_are_compared(self, seeded: Session) -> None:
        seeded.execute(delete(DataVersion))
        first = service.graph_of(seeded)
        assert service.graph_of(seeded) is first
        seeded.add(ChainNode(kind="product", name="又一个节点", source_dataset="t"))
        seeded.flush()
        assert service.graph_of(seeded) is not first

    def test_warm_graph_fills_the_cache_a_request_then_uses(
        self, seeded: Session, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        seeded.commit()
        service.warm_graph(seeded.get_bind().engine.url.render_as_string(hide_password=False))

        def build_again(session: Session) -> ChainGraph:
            raise AssertionError("the request built the graph although the warm-up had")

        monkeypatch.setattr(build, "load_graph", build_again)
        graph = service.graph_of(seeded)
        assert {w.id for w in graph.works}  # the seeded graph, from the warm-up's build


class TestShowChain:
    def test_ad_hoc_chain_by_node_name_or_synonym(self, seeded: Session) -> None:
        view = service.show_chain(seeded, root="PTA", hops=2)
        assert sorted(view.chain.members) == [1, 2, 3, 5, 6, 7, 8]
        assert view.definition is None
        payload = service.chain_json(view)
        assert payload["roots"][0]["name"] == "精对苯二甲酸"
        assert {"src": 8, "dst": 7, "type": "part"} in payload["edges"]

    def test_unknown_root(self, seeded: Session) -> None:
        with pytest.raises(NotFoundError):
            service.show_chain(seeded, root="不存在的东西")

    @pytest.mark.parametrize("hops", [0, 7])
    def test_hops_are_bounded(self, seeded: Session, hops: int) -> None:
        with pytest.raises(InvalidDataError):
            service.show_chain(seeded, root="PTA", hops=hops)

    def test_curated_chain_with_missing_roots(self, seeded: Session) -> None:
        view = service.show_chain(seeded, root="petrochem")
        assert view.definition is not None
        assert {3, 1, 2, 5, 7, 11} <= set(view.chain.root_ids)
        assert "催化剂" in view.missing_roots

    def test_curated_chain_without_any_root(self, seeded: Session) -> None:
        with pytest.raises(NotFoundError):
            service.show_chain(seeded, root="robots")


class TestListChains:
    def test_every_curated_chain_with_base_and_size(self, seeded: Session) -> None:
        rows = {row["id"]: row for row in service.list_chains(seeded)}
        assert rows["petrochem"]["base"] == {
            "id": "petrochem",
            "title": "石化和精细化工",
            "title_en": "Petrochemicals and fine chemicals",
        }
        assert rows["petrochem"]["nodes"] == 9  # roots 1 2 3 4 5 7 11, plus 6 (after 5) and 8 (part of 7)
        assert rows["robots"]["nodes"] == 0
        assert rows["robots"]["clusters"] == [
            {"id": "robots", "title": "机器人", "title_en": "Robots", "confirmed": False}
        ]

    @pytest.mark.parametrize(("lang", "title"), [("zh", "石化和精细化工"), ("en", "Petrochemicals and fine chemicals")])
    def test_titles_and_descriptions_in_the_language_asked(self, seeded: Session, lang: str, title: str) -> None:
        row = next(row for row in service.list_chains(seeded, lang) if row["id"] == "petrochem")
        assert row["title_text"] == title
        assert row["description_text"] == row["description" if lang == "zh" else "description_en"]
        assert row["description_en"].startswith("Crude oil to aromatics")

    def test_chains_are_extracted_once_per_graph(self, seeded: Session, monkeypatch: pytest.MonkeyPatch) -> None:
        extracted: list[str] = []
        real_resolve = service.resolve_chain

        def counting(graph: ChainGraph, root: str, hops: int | None = None) -> service.ChainView:
            extracted.append(root)
            return real_resolve(graph, root, hops)

        monkeypatch.setattr(service, "resolve_chain", counting)
        first = service.list_chains(seeded)
        assert service.list_chains(seeded) == first
        once = len(extracted)
        seeded.add(ChainNode(kind="product", name="新节点", source_dataset="t"))
        seeded.flush()  # a new graph: its chains are extracted again
        service.list_chains(seeded)
        assert once > 0
        assert len(extracted) == 2 * once


class TestReport:
    def test_parts(self, seeded: Session) -> None:
        view, report = service.chain_report(seeded, viewer=SYSTEM, root="PTA", region="21")
        gaps = service.report_json(view, report, "gaps")
        assert set(gaps) == {
            "chain",
            "region",
            "relevance_method",
            "relevance_text",
            "summary",
            "weak_links",
            "coverage",
        }
        assert ("精对苯二甲酸", "single") in {(w["name"], w["kind"]) for w in gaps["weak_links"]}
        assert service.report_json(view, report, "leaders")["leaders"][0]["name"] == "恒力石化"
        assert service.report_json(view, report, "attract")["candidates"][0]["name"] == "荣盛石化"
        assert service.report_json(view, report)["consortium"]["leader_name"] == "恒力石化"
        assert report.relevance_method == "matching.rank_texts (BM25)"

    def test_given_leader_by_name(self, seeded: Session) -> None:
        _, report = service.chain_report(seeded, viewer=SYSTEM, root="PTA", region="21", leader="辽阳石化")
        assert report.consortium is not None
        assert report.consortium.leader_id == 106

    @pytest.mark.parametrize(("padded", "region"), [("210000", "21"), ("210200", "2102")])
    def test_a_zero_padded_code_reads_as_its_province_or_city(self, seeded: Session, padded: str, region: str) -> None:
        _, report = service.chain_report(seeded, viewer=SYSTEM, root="PTA", region=padded)
        _, expected = service.chain_report(seeded, viewer=SYSTEM, root="PTA", region=region)
        assert report.region == region
        assert report.summary == expected.summary
        assert report.summary["gap"] < report.summary["nodes"]

    def test_a_district_is_refused_naming_its_city(self, seeded: Session) -> None:
        with pytest.raises(InvalidDataError, match="use 2102"):
            service.chain_report(seeded, viewer=SYSTEM, root="PTA", region="210211")

    @pytest.mark.parametrize(("code", "analysed"), [("210211", "2102"), ("210200", "210200"), ("21", "21")])
    def test_the_portal_reads_a_district_as_its_city(self, code: str, analysed: str) -> None:
        assert service.chain_region(code) == analysed

    @pytest.mark.parametrize("region", ["2", "abc", "210"])
    def test_region_code_is_checked(self, seeded: Session, region: str) -> None:
        with pytest.raises(InvalidDataError):
            service.chain_report(seeded, viewer=SYSTEM, root="PTA", region=region)


class TestConsortium:
    def test_region_defaults_to_the_leader_province(self, seeded: Session) -> None:
        draft = service.consortium(seeded, viewer=SYSTEM, root="PTA", leader="100")
        roles = {(m.role, m.name) for m in draft.members}
        assert ("institution", "大连化物所") in roles
        assert ("upstream", "辽阳石化") in roles
        assert draft.relevance_method == "matching.rank_texts (BM25)"

    def test_leader_without_province_uses_the_region_code(self, seeded: Session) -> None:
        draft = service.consortium(seeded, viewer=SYSTEM, root="PTA", leader="锦州石化")
        assert draft.leader_id == 107

    def test_unknown_leader(self, seeded: Session) -> None:
        with pytest.raises(NotFoundError):
            service.consortium(seeded, viewer=SYSTEM, root="PTA", leader="无此企业")


class TestNodePanel:
    def test_one_node_with_its_reach(self, seeded: Session) -> None:
        node = service.node_panel(seeded, viewer=SYSTEM, root="PTA", node_id=3, region="21")
        assert node.reach == 3
        assert [p.name for p in node.regional_producers] == ["恒力石化"]
        assert node.achievements[0].title == "一种精对苯二甲酸氧化反应催化剂"

    def test_node_outside_the_chain(self, seeded: Session) -> None:
        with pytest.raises(NotFoundError):
            service.node_panel(seeded, viewer=SYSTEM, root="PTA", node_id=4, region="21")


class TestChainsOfEnterprise:
    def test_the_curated_chains_an_enterprise_sits_in(self, seeded: Session) -> None:
        rows = service.chains_of_enterprise(seeded, viewer=SYSTEM, org_id=100)
        assert [r["id"] for r in rows] == ["petrochem"]
        names = {n["name"] for n in rows[0]["nodes"]}  # type: ignore[union-attr]
        assert names == {"精对苯二甲酸", "涤纶长丝", "炼油化工"}

    def test_unknown_enterprise(self, seeded: Session) -> None:
        with pytest.raises(NotFoundError):
            service.chains_of_enterprise(seeded, viewer=SYSTEM, org_id=9999)

    def test_enterprise_on_no_chain(self, seeded: Session) -> None:
        assert service.chains_of_enterprise(seeded, viewer=SYSTEM, org_id=102) == []


class TestRelevance:
    def test_bigram_index_is_built_once_per_graph(self, graph: ChainGraph) -> None:
        index = service.bigram_index(graph)
        assert service.bigram_index(graph) is index
        assert index["甲酸"] == frozenset({500})

    def test_with_and_without_the_index_agree(self, graph: ChainGraph) -> None:
        candidates = [(w.id, w.text) for w in graph.works]
        with_index = service.relevance(graph).rank("对二甲苯", candidates)
        without = service.relevance().rank("对二甲苯", candidates)
        assert with_index == without
        assert with_index[0][0] == 502

    def test_single_character_query_scans_the_texts(self, graph: ChainGraph) -> None:
        ranked = service.relevance(graph).rank("丝", [(w.id, w.text) for w in graph.works])
        assert all(key == 501 for key, _ in ranked)


def _private(session: Session, model: type[Achievement | Expert | Organization], record_id: int, to: Visibility) -> int:
    """Make a seeded record `to` (owned by a new user) and return the owner's user id."""
    owner = make_user(session, f"owner-{model.__name__}-{record_id}", Role.INSTITUTION)
    record = session.get(model, record_id)
    assert record is not None
    record.owner_id, record.visibility = owner.id, to
    session.flush()
    return owner.id


def _texts(payload: object) -> str:
    return json.dumps(payload, ensure_ascii=False, default=str)


class TestVisibility:
    """Every chain use case works on the viewer's part of the cached graph."""

    def test_an_owner_only_achievement_reaches_only_its_owner_and_officers(self, seeded: Session) -> None:
        owner_id = _private(seeded, Achievement, 500, Visibility.OWNER)
        other = make_user(seeded, "other", Role.ENTERPRISE)
        title = "一种精对苯二甲酸氧化反应催化剂"
        seen = {}
        for name, viewer in (
            ("anonymous", ANONYMOUS),
            ("other", Viewer(user_id=other.id, role=Role.ENTERPRISE)),
            ("owner", Viewer(user_id=owner_id, role=Role.INSTITUTION)),
            ("officer", Viewer(user_id=other.id + 1, role=Role.OFFICER)),
        ):
            view, report = service.chain_report(seeded, viewer=viewer, root="PTA", region="21")
            node = service.node_panel(seeded, viewer=viewer, root="PTA", node_id=3, region="21")
            seen[name] = title in _texts(service.report_json(view, report)), title in _texts(asdict(node))
        assert seen == {
            "anonymous": (False, False),
            "other": (False, False),
            "owner": (True, True),
            "officer": (True, True),
        }

    def test_a_record_made_private_after_the_graph_was_cached_disappears(self, seeded: Session) -> None:
        before = service.node_panel(seeded, viewer=ANONYMOUS, root="PTA", node_id=3, region="21")
        assert [a.achievement_id for a in before.achievements] == [500]
        _private(seeded, Achievement, 500, Visibility.REGISTERED)
        after = service.node_panel(seeded, viewer=ANONYMOUS, root="PTA", node_id=3, region="21")
        assert after.achievements == ()
        signed_in = Viewer(user_id=999, role=Role.ENTERPRISE)
        shown = service.node_panel(seeded, viewer=signed_in, root="PTA", node_id=3, region="21")
        assert [a.achievement_id for a in shown.achievements] == [500]

    def test_a_hidden_organization_is_no_producer_leader_or_consortium_member(self, seeded: Session) -> None:
        _private(seeded, Organization, 100, Visibility.OWNER)
        view, report = service.chain_report(seeded, viewer=ANONYMOUS, root="PTA", region="21")
        assert "恒力石化" not in _texts(service.report_json(view, report))
        _, full = service.chain_report(seeded, viewer=SYSTEM, root="PTA", region="21")
        assert full.leaders[0].name == "恒力石化"
        with pytest.raises(NotFoundError):
            service.consortium(seeded, viewer=ANONYMOUS, root="PTA", leader="恒力石化")
        with pytest.raises(NotFoundError):
            service.consortium(seeded, viewer=ANONYMOUS, root="PTA", leader="100")
        with pytest.raises(NotFoundError):
            service.chains_of_enterprise(seeded, viewer=ANONYMOUS, org_id=100)

    def test_a_hidden_expert_is_no_consortium_member(self, seeded: Session) -> None:
        _private(seeded, Expert, 700, Visibility.OWNER)
        draft = service.consortium(seeded, viewer=ANONYMOUS, root="PTA", leader="100")
        assert "张三" not in _texts(asdict(draft))
        assert "张三" in _texts(asdict(service.consortium(seeded, viewer=SYSTEM, root="PTA", leader="100")))

    def test_an_owner_only_record_without_owner_is_hidden_from_signed_in_users(self, seeded: Session) -> None:
        achievement = seeded.get(Achievement, 500)
        assert achievement is not None
        achievement.visibility = Visibility.OWNER  # owner deleted: owner_id is NULL
        seeded.flush()
        node = service.node_panel(
            seeded, viewer=Viewer(user_id=5, role=Role.ENTERPRISE), root="PTA", node_id=3, region="21"
        )
        assert node.achievements == ()
