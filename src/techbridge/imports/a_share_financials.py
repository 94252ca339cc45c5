"""Listed companies' profiles and FY2022–2024 financials (Tushare export) onto the registry's enterprises.

Each company is resolved onto its stored organization (stock code, full name, short name; created when missing,
e.g. NEEQ companies) and gets its city (沈阳市 → 2101), registered capital, 公司简介 as description and 主营业务;
its financials become tier-engine facts (`revenue_history` and `total_assets` in 万元, converted exactly from 元;
`employees`; `listed`), each with this source and its as-of year. Honours a company claims in its own profile
text are stored apart as self-declared (企业自述), never as the `titles` fact the tier engine judges on."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from techbridge.imports import a_share_facts, queries, writer
from techbridge.imports.context import ImportContext
from techbridge.imports.organizations import OrgCandidate, OrgWriter
from techbridge.imports.readers import read_csv
from techbridge.imports.schemas import Reason
from techbridge.models import Organization

DATASET = "a_share_financials"
FACTS_FILE = "derived/company_year_facts.csv"
PROFILES_FILE = "raw/上市公司基本信息.xlsx"
MENTIONS_FILE = "derived/tier_mentions_self_declared.csv"
PROFILE_COLUMNS = ("ts_code", "公司名称", "交易所", "注册资金", "省份", "城市", "公司简介", "公司员工数", "主营业务")


@dataclass
class Company:
    """One listed company as the source describes it."""

    code: str
    name: str = ""
    short_name: str = ""
    province: str = ""
    city: str = ""
    registered_capital_wan: str = ""
    employees: str = ""
    introduction: str = ""
    main_business: str = ""
    listed: bool | None = None
    years: dict[int, dict[str, str]] = field(default_factory=dict)
    honours: list[dict[str, str]] = field(default_factory=list)


def run(ctx: ImportContext, path: Path) -> None:
    """Import the a_share_financials_2022_2024 folder (facts CSV, profiles XLSX, self-declared honours CSV)."""
    companies: dict[str, Company] = {}
    if (path / PROFILES_FILE).exists():
        _read_profiles(ctx, path / PROFILES_FILE, companies)
    _read_years(ctx, path / FACTS_FILE, companies)
    if (path / MENTIONS_FILE).exists():
        _read_honours(ctx, path / MENTIONS_FILE, companies)
    named = {code: c for code, c in companies.items() if c.name or c.short_name}
    for code in sorted(companies.keys() - named.keys()):
        first = min(companies[code].years.items(), default=(0, {"_row": "0"}))[1]["_row"]
        ctx.reject(path / FACTS_FILE, int(first), "company_full_name", Reason.MISSING_REQUIRED, code)
    ids = _write_organizations(ctx, path, named)
    source = f"{DATASET} ({ctx.source_file(path)})"
    facts: list[dict[str, Any]] = []
    done: set[int] = set()
    for code, company in named.items():
        if ids[code] in done:  # two stock codes of one company (A and B shares): the first one's facts count
            ctx.reject(path / FACTS_FILE, 0, "ts_code", Reason.CONFLICT, f"{code}: same enterprise as another code")
            continue
        done.add(ids[code])
        facts += a_share_facts.facts_of(company, ids[code], ctx, path)
    writer.upsert_facts(ctx.session, facts, source=source, entered_by=f"import:{DATASET}", summary=ctx.summary)
    ctx.summary.add("enterprise", len(ids))
    ctx.summary.add("enterprise_fact", len(facts))


def _read_profiles(ctx: ImportContext, path: Path, companies: dict[str, Company]) -> None:
    from openpyxl import load_workbook

    sheet = load_workbook(path, read_only=True, data_only=True).worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = [str(cell or "").strip() for cell in next(rows, ())]
    missing = [column for column in PROFILE_COLUMNS if column not in header]
    if missing:
        ctx.reject(path, 1, missing[0], Reason.MISSING_REQUIRED)
        return
    for number, cells in enumerate(rows, start=2):
        row = {name: "" if cell is None else str(cell).strip() for name, cell in zip(header, cells, strict=False)}
        code = row["ts_code"].upper()
        if not code:
            ctx.reject(path, number, "ts_code", Reason.MISSING_REQUIRED)
            continue
        company = companies.setdefault(code, Company(code))
        company.name = row["公司名称"]
        company.province, company.city = row["省份"], row["城市"]
        company.registered_capital_wan, company.employees = row["注册资金"], row["公司员工数"]
        company.introduction, company.main_business = row["公司简介"], row["主营业务"]


def _read_years(ctx: ImportContext, path: Path, companies: dict[str, Company]) -> None:
    for number, row in read_csv(path):
        code = row.get("ts_code", "").strip().upper()
        if not code or not row.get("year", "").strip().isdigit():
            ctx.reject(path, number, "ts_code" if not code else "year", Reason.MISSING_REQUIRED)
            continue
        company = companies.setdefault(code, Company(code))
        year = int(row["year"])
        if year in company.years:
            ctx.reject(path, number, "year", Reason.DUPLICATE_KEY, f"{code} {year}")
            continue
        company.years[year] = {**row, "_row": str(number)}
        company.name = company.name or row.get("company_full_name", "").strip()
        company.short_name = row.get("short_name", "").strip() or company.short_name
        company.province = company.province or row.get("province", "").strip()
        company.city = company.city or row.get("city", "").strip()
        company.registered_capital_wan = company.registered_capital_wan or row.get("reg_capital_wan_yuan", "")
        company.employees = company.employees or row.get("employees_snapshot", "")
        company.listed = row.get("in_a_share_stock_basic", "").strip() == "True" or None


def _read_honours(ctx: ImportContext, path: Path, companies: dict[str, Company]) -> None:
    for number, row in read_csv(path):
        code = row.get("ts_code", "").strip().upper()
        if code not in companies or not row.get("tier", "").strip():
            ctx.reject(path, number, "ts_code" if code not in companies else "tier", Reason.UNKNOWN_CODE, code)
            continue
        keep = ("tier", "level_hint", "batch_hint", "year_hint", "snippet")
        companies[code].honours.append({key: row.get(key, "").strip() for key in keep})


def _write_organizations(ctx: ImportContext, path: Path, companies: dict[str, Company]) -> dict[str, int]:
    """Resolve every company onto its organization, then set its city, profile, capital and employees."""
    regions = ctx.regions()
    candidates = []
    places: dict[str, str | None] = {}
    for code, company in companies.items():
        place = regions.locate(company.province) if company.province else None
        city = regions.city_in(place.province_code, company.city) if place and company.city else None
        places[code] = city or (place.region_code if place else None)
        name = company.name or company.short_name
        fields = {
            "kind": "enterprise",
            "short_name": (company.short_name or None) and company.short_name[:128],
            "listing_code": code,
            "province_code": place.province_code if place else None,
            "region_code": places[code],
        }
        aliases = [company.short_name] if company.short_name and company.short_name != name else []
        candidates.append(OrgCandidate(source_key=code, name=name, fields=fields, aliases=aliases))
    ids = OrgWriter(ctx.session, regions).write(
        candidates, dataset=DATASET, source_file=ctx.source_file(path / FACTS_FILE), summary=ctx.summary
    )
    stored = queries.organization_profiles(ctx.session, list(ids.values()))
    rows = [
        a_share_facts.profile_update(companies[code], org_id, places[code], stored[org_id])
        for code, org_id in ids.items()
    ]
    writer.update_rows(ctx.session, Organization, rows)
    return ids
