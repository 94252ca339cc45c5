"""Portal pages: the officer dashboard (驾驶舱) with charts, tables, definitions, XLSX export and the region map."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from techbridge.access import Viewer
from techbridge.config import Settings
from techbridge.errors import InvalidDataError, NotFoundError, TechbridgeError
from techbridge.i18n.loader import translate
from techbridge.statistics.service import region_years, source_names
from techbridge.transfers.analytics import Bottlenecks
from techbridge.transfers.dashboard import DashboardData, DashboardFilter, build_dashboard, funnel_scope, resolve_city
from techbridge.transfers.export import TABLES, Table, build_tables, tables_to_xlsx
from techbridge.transfers.schemas import Amount, PartyKind
from techbridge.transfers.service import load_bottlenecks
from techbridge.web.charts import dashboard as charts
from techbridge.web.charts import official as official_charts
from techbridge.web.charts import transfers as pipeline_charts
from techbridge.web.deps import DbDep, LangDep, OfficerDep, SettingsDep
from techbridge.web.pagination import query_without_page
from techbridge.web.templating import render

router = APIRouter()
SHIPPED_MAP = Path(__file__).resolve().parents[1] / "static" / "maps" / "liaoning.js"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


QUARTER = re.compile(r"^(\d{4})Q([1-4])$")
DATA_KINDS = ("real", "demo")


def _quarter(raw: str) -> int:
    """`2024Q3` → 20243; anything else → 0 (that end of the range stays open)."""
    found = QUARTER.match(raw.strip())
    return int(found.group(1)) * 10 + int(found.group(2)) if found else 0


def read_filter(
    request: Request, session: Session, settings: Settings
) -> tuple[DashboardFilter, TechbridgeError | None]:
    """The dashboard filter in the query string: seller kinds, amount column, region by name, real or demo data and
    a quarter range (defaults: universities and institutes, 成交额, the whole province, real data when any)."""
    params = request.query_params
    sellers = tuple(data_sellers(request))
    amount = params.get("amount", "")
    city = ""
    error: TechbridgeError | None = None
    try:
        city = resolve_city(session, province=settings.region_code[:2], name=params.get("region", ""))
    except TechbridgeError as exc:
        error = exc
    data = params.get("data", "")
    flt = DashboardFilter(
        sellers=sellers,
        amount=Amount(amount) if amount in Amount.__members__.values() else Amount.CONTRACT_VALUE,
        city=city,
        data=data if data in DATA_KINDS else "",
        quarter_from=_quarter(params.get("from", "")),
        quarter_to=_quarter(params.get("to", "")),
    )
    return flt, error


def _collect(
    request: Request, session: Session, settings: Settings, lang: str
) -> tuple[DashboardData, dict[str, Table], list[Bottlenecks], TechbridgeError | None]:
    flt, error = read_filter(request, session, settings)
    data = build_dashboard(session=session, region=settings.region_code, lang=lang, flt=flt)
    groups = load_bottlenecks(session=session, demo=data.is_demo, scope=funnel_scope(flt))
    return data, build_tables(data, groups[0] if groups else None, lang), groups, error


@router.get("/dashboard", response_class=HTMLResponse, include_in_schema=False)
def dashboard(
    request: Request, session: DbDep, settings: SettingsDep, lang: LangDep, viewer: OfficerDep
) -> HTMLResponse:
    """Local conversion rate and turnover over time, by city (map), field and type; pipeline funnel and bottlenecks."""
    data, tables, groups, error = _collect(request, session, settings, lang)
    stages = groups[0].stages if groups else ()
    stage_names = {
        key: translate(f"transfers.stage_{key}", lang)
        for key in ("matched", "contacted", "negotiating", "contracted", "piloting", "producing")
    }
    type_names = {
        key: translate(f"dashboard.type_{key}", lang)
        for key in ("development", "transfer", "license", "consulting", "service")
    }
    options = {
        "trend": charts.trend_option(
            data.by_quarter,
            rate_label=translate("dashboard.rate_value", lang),
            value_label=translate("dashboard.col_value", lang),
            unit=translate("common.wan", lang),
        ),
        "map": charts.city_map_option(data.by_city, title=translate("dashboard.map_title", lang)),
        "fields": charts.bar_option(
            data.by_field, label=translate("dashboard.col_value", lang), unit=translate("common.wan", lang)
        ),
        "types": charts.pie_option(data.by_type, names=type_names, unit=translate("common.wan", lang)),
        "funnel": pipeline_charts.funnel_option(stages, names=stage_names),
        "days": pipeline_charts.stage_days_option(
            stages, names=stage_names, label=translate("dashboard.col_median_days", lang)
        ),
    }
    query = query_without_page(request)
    params = request.query_params
    sellers = [str(kind) for kind in data_sellers(request)] or ["university", "institute"]
    context = {
        "data": data,
        "tables": tables,
        "options": options,
        "output_total": sum((row["contract_value"] for row in data.by_type), start=0),
        "worst": groups[0].worst_stage if groups else None,
        "sellers": sellers,
        "counted_sellers": _kind_names(sellers, lang),
        "amount": params.get("amount", "contract_value"),
        "filters": {
            "region": params.get("region", ""),
            "data": params.get("data", ""),
            "from": params.get("from", ""),
            "to": params.get("to", ""),
        },
        "quarters": [f"{q // 10}Q{q % 10}" for q in data.quarters],
        "filter_error": error.localized(lang) if error else None,
        "query": query,
        "bottleneck_query": _bottleneck_query(request, data.is_demo),
        "official": _official(session, settings, lang, viewer),
    }
    return render(request, "dashboard/index.html", context)


def _kind_names(kinds: list[str], lang: str) -> str:
    """Seller kinds as the page names them (高校、科研院所)."""
    return ("、" if lang == "zh" else ", ").join(translate(f"dashboard.kind_{kind}", lang) for kind in kinds)


def data_sellers(request: Request) -> list[PartyKind]:
    """The seller kinds ticked in the query string (none: the default pair applies)."""
    return [PartyKind(s) for s in request.query_params.getlist("sellers") if s in PartyKind.__members__.values()]


def _bottleneck_query(request: Request, is_demo: bool) -> str:
    """The dashboard's filters for the 「查看卡点」 link, with the data set the figures came from made explicit."""
    pairs = [(k, v) for k, v in request.query_params.multi_items() if k not in ("data", "amount", "page") and v]
    return urlencode([*pairs, ("data", "demo" if is_demo else "real")])


def _official(session: Session, settings: Settings, lang: str, viewer: Viewer) -> dict[str, Any]:
    """The province's yearbook figures: latest year, the three charts and the source named under them."""
    years = region_years(session=session, viewer=viewer, region_code=settings.region_code[:2])
    if not years:
        return {"years": []}
    labels = {
        key: translate(f"dashboard.official_{key}", lang)
        for key in ("outflow_value", "inflow_value", "outflow_count", "inflow_count")
    }
    return {
        "years": years,
        "latest": years[-1],
        "source": source_names(years),
        "options": {
            "flows": official_charts.flows_option(
                years, labels=labels, units=(translate("common.wan", lang), translate("common.contracts_unit", lang))
            ),
            "balance": official_charts.balance_option(
                years, label=translate("dashboard.official_balance", lang), unit=translate("common.wan", lang)
            ),
            "rank": official_charts.rank_option(years, label=translate("dashboard.official_rank_label", lang)),
        },
    }


@router.get("/dashboard/export/{name}.xlsx", include_in_schema=False)
def export(
    request: Request, name: str, session: DbDep, settings: SettingsDep, lang: LangDep, _: OfficerDep
) -> Response:
    """One dashboard table (or `all` of them, one sheet each) as an XLSX workbook."""
    if name != "all" and name not in TABLES:
        raise NotFoundError(f"no table {name!r}", message_zh=f"没有表格 {name}")
    data, tables, _groups, _error = _collect(request, session, settings, lang)
    chosen = list(tables.values()) if name == "all" else [tables[name]]
    demo_label = translate("dashboard.demo_banner", lang) if data.is_demo else None
    body = tables_to_xlsx(chosen, demo_label=demo_label)
    headers = {"Content-Disposition": f'attachment; filename="techbridge-{name}.xlsx"'}
    return Response(body, media_type=XLSX, headers=headers)


@router.get("/dashboard/map.js", include_in_schema=False)
def region_map(settings: SettingsDep) -> Response:
    """The map registration script: the deployment's approved GeoJSON (setting map_geojson) or the shipped one."""
    if settings.map_geojson is None:
        return Response(SHIPPED_MAP.read_bytes(), media_type="text/javascript")
    try:
        geojson = json.loads(Path(settings.map_geojson).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InvalidDataError(f"map_geojson unreadable: {exc}", message_zh="地图 GeoJSON 文件无法读取") from exc
    script = f"echarts.registerMap({json.dumps(charts.MAP_NAME)}, {json.dumps(geojson, ensure_ascii=False)});"
    return Response(script, media_type="text/javascript")
