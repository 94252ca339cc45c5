"""JSON API: chains — the same services as the CLI and the portal."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Query

from techbridge.chains import service
from techbridge.web.deps import DbDep, IdPath, LangDep, SettingsDep, ViewerDep

router = APIRouter(tags=["chains"])
RegionQuery = Annotated[
    str | None,
    Query(
        max_length=100,
        description="a province or city: its code (21, 2102) or its name (辽宁, 大连市, Dalian); one naming no region "
        "is a 422 naming `region` (default: the home region)",
    ),
]


@router.get("/chains")
def list_chains(session: DbDep, lang: LangDep) -> list[dict[str, Any]]:
    """Curated chains with base, clusters, roots and size; titles in both languages and `title_text`,
    `description_text` in the caller's language (?lang=, cookie)."""
    return service.list_chains(session, lang)


@router.get("/chains/enterprises/{org_id}")
def enterprise_chains(session: DbDep, viewer: ViewerDep, lang: LangDep, org_id: IdPath) -> list[dict[str, Any]]:
    """The curated chains an enterprise sits in, with its nodes, weights and evidence (`title_text` in the caller's
    language)."""
    return service.chains_of_enterprise(session, viewer=viewer, org_id=org_id, lang=lang)


@router.get("/chains/{root}")
def show_chain(
    session: DbDep, lang: LangDep, root: str, hops: Annotated[int | None, Query(ge=1, le=6)] = None
) -> dict[str, Any]:
    """Nodes and edges of a chain (curated id or node name); `title_text` in the caller's language (a curated
    chain's English title; an ad-hoc chain keeps its root node's name)."""
    return service.chain_json(service.show_chain(session, root=root, hops=hops), lang)


def _part(
    session: DbDep, settings: SettingsDep, viewer: ViewerDep, root: str, region: str | None, part: str, lang: str
) -> dict[str, Any]:
    where = service.read_region(session, region, settings.region_code)
    view, report = service.chain_report(session, viewer=viewer, root=root, region=where)
    return service.report_json(view, report, part, lang)


@router.get("/chains/{root}/report")
def chain_report(
    session: DbDep, settings: SettingsDep, viewer: ViewerDep, lang: LangDep, root: str, region: RegionQuery = None
) -> dict[str, Any]:
    """Coverage, weak links, leaders, attraction candidates and consortium draft."""
    return _part(session, settings, viewer, root, region, "all", lang)


@router.get("/chains/{root}/gaps")
def chain_gaps(
    session: DbDep, settings: SettingsDep, viewer: ViewerDep, lang: LangDep, root: str, region: RegionQuery = None
) -> dict[str, Any]:
    """Weak links ranked by dependence, and coverage per node."""
    return _part(session, settings, viewer, root, region, "gaps", lang)


@router.get("/chains/{root}/leaders")
def chain_leaders(
    session: DbDep, settings: SettingsDep, viewer: ViewerDep, lang: LangDep, root: str, region: RegionQuery = None
) -> dict[str, Any]:
    """Chain leaders by revenue-weighted centrality."""
    return _part(session, settings, viewer, root, region, "leaders", lang)


@router.get("/chains/{root}/attract")
def chain_attract(
    session: DbDep, settings: SettingsDep, viewer: ViewerDep, lang: LangDep, root: str, region: RegionQuery = None
) -> dict[str, Any]:
    """Out-of-region attraction candidates."""
    return _part(session, settings, viewer, root, region, "attract", lang)


@router.get("/chains/{root}/consortium")
def chain_consortium(
    session: DbDep,
    viewer: ViewerDep,
    root: str,
    leader: Annotated[str, Query(min_length=1)],
    region: RegionQuery = None,
) -> dict[str, Any]:
    """A draft innovation consortium around `leader` (organization id or name)."""
    where = service.read_region(session, region, "") or None
    return asdict(service.consortium(session, viewer=viewer, root=root, leader=leader, region=where))


@router.get("/chains/{root}/nodes/{node_id}")
def chain_node(
    session: DbDep, settings: SettingsDep, viewer: ViewerDep, root: str, node_id: IdPath, region: RegionQuery = None
) -> dict[str, Any]:
    """One node's coverage: producers in and outside the region, relevant achievements."""
    where = service.read_region(session, region, settings.region_code)
    node = service.node_panel(session, viewer=viewer, root=root, node_id=node_id, region=where)
    return asdict(node)
