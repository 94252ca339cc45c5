"""Portal pages: tiers — landing, an enterprise's tiers with gaps and an HTMX what-if, officers' candidate pools."""

from __future__ import annotations

import os
import tempfile
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.background import BackgroundTask

from techbridge.errors import InvalidDataError, TechbridgeError
from techbridge.policies.fact_import import coerce_cell, fact_template_csv
from techbridge.policies.facts import SERIES_TYPES, FactError, FactSpec, load_fact_specs, parse_value
from techbridge.policies.gaps import year_words
from techbridge.policies.pool_queries import PoolFilter
from techbridge.policies.pool_reads import city_labels, ladder_by_city, make_filter, read_pools, write_pools_xlsx
from techbridge.policies.pools import POOL_VERDICTS, missing_by_policy, refresh_enterprises
from techbridge.policies.service import (
    evaluate_organization,
    exact_json,
    policy_catalog,
    require_fact_access,
    save_fact,
)
from techbridge.policies.wording import (
    criterion_labels,
    describe_results,
    expected,
    fact_label,
    facts_to_supply,
    show_change,
    show_fact,
)
from techbridge.registry.pickers import resolve_pick
from techbridge.web.charts.tiers import ladder_chart
from techbridge.web.deps import CsrfDep, DbDep, IdPath, LangDep, OfficerDep, ViewerDep
from techbridge.web.templating import render

router = APIRouter()
WHAT_IF_ROWS = 3
WHAT_IF_YEARS = range(1, 5)  # a series' last year and the three before it, the years the shipped rules read
MIN_YEAR, MAX_YEAR = 1900, 2100  # the years a stored fact may be "as of"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def parse_day(value: str | None) -> date:
    """`?as_of=YYYY-MM-DD`, default today."""
    if not value:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidDataError("as_of: expected YYYY-MM-DD", message_zh="评价日期格式应为 YYYY-MM-DD") from None


def ladders(report: dict[str, Any], as_of: date) -> list[dict[str, Any]]:
    """Results grouped by ladder, in ladder order, each with its policy's title and document."""
    catalog = {row["id"]: row for row in policy_catalog(as_of) if row["in_force"]}
    grouped: dict[str, list[dict[str, Any]]] = {}
    for result in report["results"]:
        info = catalog.get(result["policy"])
        name = info["ladder"] if info else "main"
        grouped.setdefault(name, []).append({**result, "info": info})
    return [{"name": name, "results": grouped[name]} for name in ("main", "growth") if name in grouped]


def _page_context(report: dict[str, Any], as_of: date, lang: str, **extra: Any) -> dict[str, Any]:
    missing = missing_by_policy(report["results"], report["facts"], as_of)
    titles = {row["id"]: row["title"][lang] for row in policy_catalog(as_of)}
    return {
        "report": report,
        "missing": missing,
        "ladders": ladders(report, as_of),
        "as_of": as_of.isoformat(),
        "facts_catalog": load_fact_specs(),
        "rows": range(1, WHAT_IF_ROWS + 1),
        "words": describe_results(report["results"], lang, titles),
        "todo": facts_to_supply(missing, titles, lang),
        "shown_facts": {fact: show_fact(fact, raw, lang, titles) for fact, raw in report["facts"].items()},
        "shown_changes": {
            fact: show_change(fact, raw, lang, titles, as_of) for fact, raw in (extra.get("changes") or {}).items()
        },
        "what_if_years": [(-back, year_words(-back, as_of.year - back, lang)) for back in WHAT_IF_YEARS],
        **extra,
    }


@router.get("/tiers", response_class=HTMLResponse, include_in_schema=False)
def tiers_home(request: Request, session: DbDep, viewer: ViewerDep, lang: LangDep, enterprise: str = "") -> Response:
    """The policies and versions the engine applies, and entry points; `?enterprise=` opens the enterprise typed by
    name (or picked) when it names one visible enterprise whose facts the viewer may read, else 422 beside the field."""
    today = date.today()
    context: dict[str, Any] = {"catalog": policy_catalog(today), "viewer": viewer, "enterprise": enterprise[:200]}
    if not enterprise.strip():
        return render(request, "tiers/index.html", context)
    try:
        org_id = resolve_pick(session, viewer, "enterprise", enterprise[:200], "enterprise")
        require_fact_access(viewer, org_id)
    except TechbridgeError as exc:
        context["enterprise_error"] = exc.said(lang)
        return render(request, "tiers/index.html", context, status_code=422)
    return RedirectResponse(f"/tiers/enterprises/{org_id}", status_code=303)


@router.get("/tiers/enterprises/{org_id}", response_class=HTMLResponse, include_in_schema=False)
def enterprise_tiers(
    request: Request,
    org_id: IdPath,
    session: DbDep,
    viewer: ViewerDep,
    lang: LangDep,
    as_of: str | None = None,
    fact: str | None = None,
) -> HTMLResponse:
    """Where the enterprise stands on each ladder, what is missing, every criterion in words and a what-if form;
    `?fact=` preselects a fact on the fact form (the 「还缺什么」 links)."""
    require_fact_access(viewer, org_id)
    day = parse_day(as_of)
    report = evaluate_organization(session=session, organization_id=org_id, as_of=day)
    context = _page_context(report, day, lang, fact_form={"fact": fact} if fact else None)
    return render(request, "tiers/enterprise.html", context, partial="tiers/_results.html")


@router.get("/tiers/enterprises/{org_id}/facts-template.csv", include_in_schema=False)
def enterprise_fact_template(
    org_id: IdPath, session: DbDep, viewer: ViewerDep, policy: str | None = None, as_of: str | None = None
) -> Response:
    """A fact import template listing the facts still missing for the undecided policies (or one policy)."""
    require_fact_access(viewer, org_id)
    day = parse_day(as_of)
    report = evaluate_organization(session=session, organization_id=org_id, as_of=day)
    missing = missing_by_policy(report["results"], report["facts"], day)
    facts = sorted({f for pid, names in missing.items() if policy in (None, "", pid) for f in names})
    key = report["enterprise"]["credit_code"] or str(org_id)
    headers = {"Content-Disposition": f'attachment; filename="facts-{org_id}.csv"'}
    body = "\ufeff" + fact_template_csv(enterprise_key=key, facts=facts)
    return Response(body, media_type="text/csv; charset=utf-8", headers=headers)


async def _form(request: Request) -> dict[str, str]:
    form = await request.form()
    return {key: str(value) for key, value in form.items()}


def what_if_changes(form: dict[str, str]) -> dict[str, Any]:
    """The what-if form's rows (fact_i, value_i) as fact changes; an empty value removes the fact."""
    specs = load_fact_specs()
    changes: dict[str, Any] = {}
    for index in range(1, WHAT_IF_ROWS + 1):
        fact = form.get(f"fact_{index}", "").strip()
        if not fact:
            continue
        spec = specs.get(fact)
        if spec is None:
            raise InvalidDataError(f"unknown fact {fact!r}", message_zh=f"未知的事实“{fact}”")
        text = form.get(f"value_{index}", "").strip()
        try:
            changes[fact] = coerce_cell(spec, text) if text else None
            if text:
                check_value(spec, changes[fact])
                changes[fact] = at_year(spec, changes[fact], form.get(f"year_{index}", ""))
        except (ValueError, FactError):
            raise InvalidDataError(
                f"row {index}, {spec.en}: cannot read {text!r}; {expected(spec, 'en')}",
                location=(f"value_{index}",),
                message_zh=f"第 {index} 行 {spec.zh}：无法识别“{text}”，{expected(spec, 'zh')}",
            ) from None
    return changes


def at_year(spec: FactSpec, value: Any, year: str) -> Any:
    """A single number for a series as the change of the year chosen beside it (`year_i`: -1 last year, -2 …);
    -1, no choice or another fact leaves the value as it is (a bare number is last year's)."""
    years = {str(-back): -back for back in WHAT_IF_YEARS}
    if spec.type not in SERIES_TYPES or isinstance(value, list) or year.strip() in ("", "-1"):
        return value
    if year.strip() not in years:
        raise ValueError(year)
    return {"index": years[year.strip()], "value": value}


def check_value(spec: FactSpec, value: Any) -> None:
    """Raise FactError unless `value` is one of the fact's values (a single number stands for a series' last year)."""
    single = spec.type in SERIES_TYPES and not isinstance(value, list)
    parse_value(spec, exact_json([value] if single else value))


@router.post(
    "/tiers/enterprises/{org_id}/what-if", response_class=HTMLResponse, include_in_schema=False, dependencies=[CsrfDep]
)
async def enterprise_what_if(
    request: Request, org_id: IdPath, session: DbDep, viewer: ViewerDep, lang: LangDep
) -> HTMLResponse:
    """Re-evaluate with changed facts, never saved; HTMX gets the results partial (422 and the error on bad input)."""
    require_fact_access(viewer, org_id)
    form = await _form(request)
    day = parse_day(form.get("as_of"))
    try:
        changes = what_if_changes(form)
        report = evaluate_organization(session=session, organization_id=org_id, as_of=day, changes=changes)
    except TechbridgeError as exc:
        report = evaluate_organization(session=session, organization_id=org_id, as_of=day)
        context = _page_context(report, day, lang, error=exc.localized(lang), form=form)
        return render(request, "tiers/enterprise.html", context, status_code=422, partial="tiers/_results.html")
    context = _page_context(report, day, lang, changes=changes, form=form)
    return render(request, "tiers/enterprise.html", context, partial="tiers/_results.html")


@router.post("/tiers/enterprises/{org_id}/facts", include_in_schema=False, dependencies=[CsrfDep])
async def enterprise_save_fact(
    request: Request, org_id: IdPath, session: DbDep, viewer: ViewerDep, lang: LangDep
) -> Response:
    """Save one fact (enterprise's own users and officers only), then back to the page with a confirmation; bad
    input is a 422 page with the error on the fact form."""
    require_fact_access(viewer, org_id)
    form = await _form(request)
    try:
        fact, value, year = parse_fact_form(form)
        save_fact(
            session=session,
            viewer=viewer,
            organization_id=org_id,
            fact=fact,
            value=value,
            year=year,
            source=form.get("source", ""),
            entered_by=str(request.session.get("username") or ""),
        )
        refresh_enterprises(session=session, organization_ids=[org_id])
    except InvalidDataError as exc:
        session.rollback()
        day = parse_day(None)
        report = evaluate_organization(session=session, organization_id=org_id, as_of=day)
        context = _page_context(report, day, lang, fact_error=exc.localized(lang), fact_form=form)
        return render(request, "tiers/enterprise.html", context, status_code=422)
    return RedirectResponse(f"/tiers/enterprises/{org_id}?done=saved", status_code=303)


def parse_fact_form(form: dict[str, str]) -> tuple[str, Any, int | None]:
    """The fact form's (fact id, JSON value or None, year or None); unreadable input names the field."""
    fact = form.get("fact", "").strip()
    spec = load_fact_specs().get(fact)
    if spec is None:
        raise InvalidDataError(f"unknown fact id {fact!r}", location=("fact",), message_zh=f"未知的事实标识 {fact!r}")
    text = form.get("value", "").strip()
    try:
        value = coerce_cell(spec, text) if text else None
    except ValueError:
        raise InvalidDataError(
            f"{spec.en}: cannot read {text!r}; {expected(spec, 'en')}",
            location=("value",),
            message_zh=f"{spec.zh}：无法识别“{text}”，{expected(spec, 'zh')}",
        ) from None
    raw_year = form.get("year", "").strip()
    if not raw_year:
        return fact, value, None
    if not (raw_year.isascii() and raw_year.isdigit() and MIN_YEAR <= int(raw_year) <= MAX_YEAR):
        raise InvalidDataError(
            f"year {raw_year!r} must be a year between {MIN_YEAR} and {MAX_YEAR}",
            location=("year",),
            message_zh=f"年份“{raw_year}”应为 {MIN_YEAR}–{MAX_YEAR} 之间的年份",
        )
    return fact, value, int(raw_year)


def _pool_filter(session: Session, params: dict[str, str | None]) -> PoolFilter:
    as_of = params.get("as_of")
    return make_filter(
        session=session,
        policy=params.get("policy"),
        verdict=params.get("verdict"),
        region=params.get("city"),
        cluster=params.get("cluster"),
        as_of=parse_day(as_of) if as_of else None,
    )


@router.get("/tiers/pools", response_class=HTMLResponse, include_in_schema=False)
def pools_page(
    request: Request,
    session: DbDep,
    viewer: OfficerDep,
    lang: LangDep,
    policy: str | None = None,
    verdict: str | None = None,
    city: str | None = None,
    cluster: str | None = None,
    sort: str = "closeness",
    page: int = 1,
    as_of: str | None = None,
) -> HTMLResponse:
    """Officers: the stored pools, filtered by policy, verdict, city and cluster, sorted, paginated, with the ladder."""
    params = {"policy": policy, "verdict": verdict, "city": city, "cluster": cluster, "as_of": as_of}
    flt = _pool_filter(session, params)
    result = read_pools(session=session, flt=flt, sort=sort, page=page)
    ladder = ladder_by_city(session=session, flt=flt, lang=lang)
    catalog = [row for row in policy_catalog(flt.as_of) if row["in_force"]]
    titles = {row["id"]: row["title"][lang] for row in catalog}
    filters = {key: value or "" for key, value in params.items()} | {"sort": sort, "as_of": flt.as_of.isoformat()}
    context = {
        "result": result,
        "verdicts": POOL_VERDICTS,
        "catalog": catalog,
        "titles": titles,
        "ladder": ladder,
        "chart": ladder_chart(ladder, titles, _chart_title(lang)),
        "filters": filters,
        "query": urlencode({k: v for k, v in filters.items() if v}),
        "cities": city_labels(session, [o["region_code"] for o in result["items"] if o["region_code"]], lang),
        "fact_labels": {f: fact_label(f, lang) for o in result["items"] for f in o.get("missing_facts") or ()},
        "criterion_labels": criterion_labels(lang),
    }
    return render(request, "tiers/pools.html", context, partial="tiers/_pools.html")


def _chart_title(lang: str) -> str:
    from techbridge.i18n.loader import translate

    return translate("tiers.chart_title", lang)


@router.get("/tiers/pools.xlsx", include_in_schema=False)
def pools_export(
    session: DbDep,
    viewer: OfficerDep,
    policy: str | None = None,
    verdict: str | None = None,
    city: str | None = None,
    cluster: str | None = None,
    sort: str = "closeness",
    as_of: str | None = None,
) -> Response:
    """The filtered pools as an XLSX sheet, written row by row to a temporary file and streamed from it."""
    params = {"policy": policy, "verdict": verdict, "city": city, "cluster": cluster, "as_of": as_of}
    flt = _pool_filter(session, params)
    handle, name = tempfile.mkstemp(suffix=".xlsx")
    os.close(handle)
    path = Path(name)
    write_pools_xlsx(session=session, flt=flt, path=path, sort=sort)
    return FileResponse(
        path, media_type=XLSX, filename="tier-pools.xlsx", background=BackgroundTask(path.unlink, missing_ok=True)
    )
