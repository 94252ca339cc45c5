"""Chain analytics on the real shared data (A-share + chain_kg imported once per session; skipped when absent)."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from techbridge.access import SYSTEM
from techbridge.chains import service
from techbridge.config import Settings
from techbridge.db import dispose_engines, session_scope
from techbridge.models import Organization
from techbridge.schema import upgrade_schema
from tests.conftest import SHARED_DATA, requires_shared_data

pytestmark = requires_shared_data
SOURCES = ("admin_divisions", "a_share", "chain_kg")


def _import(settings: Settings) -> None:
    """Run the importers of the sources the chains need (through their service when it is complete)."""
    try:
        from techbridge.imports.service import import_source

        for name in SOURCES[1:]:
            import_source(settings, name, show_progress=False)
    except ImportError:  # the registry of sources is still being filled in: run the three modules directly
        from techbridge.imports import a_share, admin_divisions, chain_kg
        from techbridge.imports.context import ImportContext
        from techbridge.imports.schemas import ImportSummary

        paths = {"admin_divisions": "admin_divisions/raw", "a_share": "a_share_stock_basic", "chain_kg": "chain_kg"}
        for name, module in zip(SOURCES, (admin_divisions, a_share, chain_kg), strict=True):
            path = settings.data_dir / paths[name]
            with session_scope(settings.database_url) as session:
                ctx = ImportContext(
                    session=session,
                    settings=settings,
                    summary=ImportSummary(source=name, path=str(path)),
                    show_progress=False,
                )
                module.run(ctx, path)


@pytest.fixture(scope="module")
def real_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    folder = tmp_path_factory.mktemp("chains_real")
    url = f"sqlite:///{folder / 'real.db'}"
    upgrade_schema(url)
    settings = Settings(
        env="test",
        database_url=url,
        var_dir=folder / "var",
        data_dir=SHARED_DATA,
        secret_key="test-secret",
        demo_data=False,
    )
    _import(settings)
    yield settings
    dispose_engines()


@pytest.fixture
def db(real_settings: Settings) -> Iterator[Session]:
    with session_scope(real_settings.database_url) as session:
        yield session


def _liaoning_codes() -> list[str]:
    path = SHARED_DATA / "a_share_stock_basic" / "derived" / "liaoning_listed_companies_chainkg.csv"
    with Path(path).open(encoding="utf-8") as handle:
        return [row["ts_code"] for row in csv.DictReader(handle)]


def _org_id(db: Session, listing_code: str) -> int:
    return db.scalars(select(Organization.id).where(Organization.listing_code == listing_code)).one()


class TestRealChains:
    def test_hengli_sits_in_a_pta_to_polyester_chain(self, db: Session) -> None:
        hengli = _org_id(db, "600346.SH")
        rows = {r["id"]: r for r in service.chains_of_enterprise(db, viewer=SYSTEM, org_id=hengli)}
        nodes = {n["name"]: n for n in rows["petrochem"]["nodes"]}  # type: ignore[union-attr]
        assert {"精对苯二甲酸", "聚酯纤维", "涤纶长丝"} <= set(nodes)
        assert "PTA → 精对苯二甲酸" in str(nodes["精对苯二甲酸"]["evidence"])
        chain = service.show_chain(db, root="PTA", hops=1).chain
        assert "涤纶长丝" in {m.name for m in chain.members.values() if m.position == "downstream"}

    def test_the_65_liaoning_companies_are_placed_on_nodes(self, db: Session) -> None:
        graph = service.graph_of(db)
        codes = _liaoning_codes()
        assert len(codes) == 65
        placed = [c for c in codes if graph.links_by_org.get(_org_id(db, c))]
        assert len(placed) == 65
        on_products = [
            c
            for c in codes
            if any(
                ln.node_id in graph.connected and graph.nodes[ln.node_id].kind == "product"
                for ln in graph.links_by_org.get(_org_id(db, c), ())
            )
        ]
        assert len(on_products) >= 55
        assert all(graph.orgs[_org_id(db, c)].province_code == "21" for c in codes)

    def test_petrochem_report_for_liaoning(self, db: Session) -> None:
        view, report = service.chain_report(db, viewer=SYSTEM, root="petrochem", region="21")
        assert not view.missing_roots
        assert report.leaders[0].name == "恒力石化"
        assert report.weak_links
        assert report.candidates
        assert all(c.province_code != "21" for c in report.candidates)
        assert report.consortium is not None
        assert report.consortium.leader_name == "恒力石化"

    def test_every_curated_chain_has_roots_in_the_graph(self, db: Session) -> None:
        rows = service.list_chains(db)
        assert all(r["nodes"] for r in rows)
