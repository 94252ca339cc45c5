"""Portal pages: chain list, chain map with node panel, chain report with XLSX export, an enterprise's chains."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from techbridge.chains import service
from techbridge.chains.export import report_workbook
from techbridge.chains.loader import load_bases, load_clusters
from techbridge.config import Settings
from techbridge.errors import InvalidDataError
from techbridge.i18n.loader import translate
from techbridge.registry.pickers import region_display, region_label, resolve_region
from techbridge.web.charts.chains import STATUSES, chain_graph_option
from techbridge.web.deps import DbDep, IdPath, LangDep, SettingsDep, ViewerDep
from techbridge.web.templating import render

router = APIRouter()
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RegionQuery = Annotated[
    str | None,
    Query(max_length=100, description="a province or city by code (21, 2102) or name (辽宁, 大连, Dalian)"),
]


def _where(session: Session, settings: Settings, region: str | None) -> str:
    """The region code a chain page reads: the query's code or name, else the portal's home region; a district is
    read as its city (`service.chain_region`), which the page then names."""
    code = resolve_region(session, region, "region") if region and region.strip() else settings.region_code
    return service.chain_region(code)


def _region_error(
    request: Request, session: Session, lang: str, root: str, region: str | None, error: InvalidDataError
) -> HTMLResponse:
    """A chain page asked for a region that names nothing (or a district): the chain's title and the region form
    with the input kept and the message beside it, 422, and no figures (never another region's, never an empty
    report)."""
    context = {
        "view": service.show_chain(session, root=root),
        "action": request.url.path,
        "region_text": region or "",
        "region_error": error.said(lang),
    }
    return render(request, "chains/region_error.html", context, status_code=422)


@router.get("/chains", response_class=HTMLResponse, include_in_schema=False)
def chain_list(
    request: Request, session: DbDep, settings: SettingsDep, lang: LangDep, region: RegionQuery = None
) -> HTMLResponse:
    """The curated chains grouped by industry base, and the cluster list; the region is typed by name (辽宁, 大连,
    沈阳) or picked, and one naming nothing or several answers 422 with the input kept beside its message."""
    error: InvalidDataError | None = None
    try:
        where = _where(session, settings, region)
    except InvalidDataError as exc:
        error, where = exc, settings.region_code
    context = {
        "chains": service.list_chains(session, lang),
        "bases": load_bases(),
        "clusters": load_clusters(),
        "region": where,
        "region_text": region if error else region_label(session, where, lang),
        "region_error": error.said(lang) if error else None,
    }
    return render(request, "chains/list.html", context, status_code=422 if error else 200)


@router.get("/chains/enterprises/{org_id}", response_class=HTMLResponse, include_in_schema=False)
def enterprise_chains(
    request: Request, session: DbDep, viewer: ViewerDep, lang: LangDep, org_id: IdPath
) -> HTMLResponse:
    """Fragment: the chains an enterprise sits in (embedded by the enterprise page)."""
    rows = service.chains_of_enterprise(session, viewer=viewer, org_id=org_id, lang=lang)
    return render(request, "chains/_enterprise.html", {"rows": rows, "org_id": org_id})


@router.get("/chains/{root}", response_class=HTMLResponse, include_in_schema=False)
def chain_map(
    request: Request,
    session: DbDep,
    settings: SettingsDep,
    viewer: ViewerDep,
    lang: LangDep,
    root: str,
    region: RegionQuery = None,
) -> HTMLResponse:
    """The chain map: nodes coloured by regional coverage, sized by weight; a click opens the node panel. A region
    naming nothing answers 422 with the region form and its message (`_region_error`)."""
    try:
        where = _where(session, settings, region)
        view, report = service.chain_report(session, viewer=viewer, root=root, region=where)
    except InvalidDataError as exc:
        return _region_error(request, session, lang, root, region, exc)
    labels = {s: translate(f"chains.status.{s}", lang) for s in STATUSES}
    context = {
        "view": view,
        "report": report,
        "region": where,
        "root": root,
        "root_q": quote(root, safe=""),
        "region_shown": region_display(session, where, lang),
        "region_text": region_label(session, where, lang),
        "action": request.url.path,
        "option": chain_graph_option(view.chain, report.coverage, labels),
    }
    return render(request, "chains/map.html", context)


@router.get("/chains/{root}/nodes/{node_id}", response_class=HTMLResponse, include_in_schema=False)
def node_panel(
    request: Request,
    session: DbDep,
    settings: SettingsDep,
    viewer: ViewerDep,
    lang: LangDep,
    root: str,
    node_id: IdPath,
    region: RegionQuery = None,
) -> HTMLResponse:
    """Fragment: one node's regional and national producers and relevant achievements."""
    node = service.node_panel(
        session, viewer=viewer, root=root, node_id=node_id, region=_where(session, settings, region)
    )
    producers = (*node.regional_producers, *node.top_national)
    regions = service.region_labels(session, [c for p in producers for c in (p.region_code, p.province_code)], lang)
    return render(request, "chains/_node.html", {"node": node, "regions": regions})


@router.get("/chains/{root}/report", response_class=HTMLResponse, include_in_schema=False)
def chain_report(
    request: Request,
    session: DbDep,
    settings: SettingsDep,
    viewer: ViewerDep,
    lang: LangDep,
    root: str,
    region: RegionQuery = None,
) -> HTMLResponse:
    """The chain report: weak links, leaders, attraction candidates, consortium draft; a region naming nothing
    answers 422 with the region form and its message (`_region_error`)."""
    try:
        where = _where(session, settings, region)
        view, report = service.chain_report(session, viewer=viewer, root=root, region=where)
    except InvalidDataError as exc:
        return _region_error(request, session, lang, root, region, exc)
    context = {
        "view": view,
        "report": report,
        "region": where,
        "root_q": quote(root, safe=""),
        "regions": service.report_regions(session, report, where, lang),
        "region_text": region_label(session, where, lang),
        "action": request.url.path,
        "relevance": service.relevance_kind(report.relevance_method),
    }
    return render(request, "chains/report.html", context)


@router.get("/chains/{root}/report.xlsx", include_in_schema=False)
def chain_report_xlsx(
    session: DbDep, settings: SettingsDep, viewer: ViewerDep, lang: LangDep, root: str, region: RegionQuery = None
) -> Response:
    """The chain report as an XLSX download, in the page's language."""
    where = _where(session, settings, region)
    view, report = service.chain_report(session, viewer=viewer, root=root, region=where)
    body = report_workbook(service.report_json(view, report, "all", lang), lang)
    filename = quote(f"chain-{view.chain.id}-{where}.xlsx")
    headers = {"Content-Disposition": f"attachment; filename*=UTF-8''{filename}"}
    return Response(content=body, media_type=XLSX, headers=headers)
