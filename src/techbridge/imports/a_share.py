"""A-share listed companies (Tushare stock_basic) as enterprises, joined to chain_kg for the full legal name and
the Shenwan-2021 industries. `area` is a province short name (辽宁, 内蒙) or a city (深圳) → province and region.

A stock code listed twice in the join (a company renamed, or a transcription error) keeps the row whose short
name matches stock_basic; other full names with the same listing date become aliases, others are rejected."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from techbridge.imports.context import ImportContext
from techbridge.imports.organizations import OrgCandidate, OrgWriter
from techbridge.imports.readers import read_csv
from techbridge.imports.schemas import Reason

DATASET = "a_share"
JOIN_FILE = "derived/chainkg_companies_with_area.csv"


def run(ctx: ImportContext, path: Path) -> None:
    """Import `path`: the a_share_stock_basic folder, or a stock_basic.csv file of the same layout."""
    basic = path / "stock_basic.csv" if path.is_dir() else path
    joined = _read_join(path / JOIN_FILE) if path.is_dir() and (path / JOIN_FILE).exists() else {}
    regions = ctx.regions()
    candidates = []
    seen: set[str] = set()
    for number, row in ctx.progress("a_share").iterate(list(read_csv(basic))):
        code = row.get("ts_code", "").strip().upper()
        if not code or not row.get("name"):
            ctx.reject(basic, number, "ts_code" if not code else "name", Reason.MISSING_REQUIRED)
            continue
        if code in seen:
            ctx.reject(basic, number, "ts_code", Reason.DUPLICATE_KEY, code)
            continue
        seen.add(code)
        place = regions.locate(row.get("area", ""))
        if place is None and row.get("area"):
            ctx.reject(basic, number, "area", Reason.UNKNOWN_CODE, row["area"])
        candidates.append(_candidate(ctx, basic, code, row, place, joined.get(code, [])))
    ids = OrgWriter(ctx.session, regions).write(
        candidates, dataset=DATASET, source_file=ctx.source_file(basic), summary=ctx.summary
    )
    ctx.summary.add("enterprise", len(ids))


def _read_join(path: Path) -> dict[str, list[dict[str, str]]]:
    joined: dict[str, list[dict[str, str]]] = {}
    for number, row in read_csv(path):
        joined.setdefault(row["ts_code"].strip().upper(), []).append({**row, "_row": str(number)})
    return joined


def _candidate(
    ctx: ImportContext, basic: Path, code: str, row: dict[str, str], place: Any, joins: list[dict[str, str]]
) -> OrgCandidate:
    short = row["name"].strip()
    primary = next((j for j in joins if j["name"] == short and j["fullname"]), joins[0] if joins else None)
    fullname = primary["fullname"].strip() if primary and primary["fullname"] else short
    aliases = [short] if short != fullname else []
    for other in joins:
        if other is primary or not other["fullname"] or other["fullname"] == fullname:
            continue
        if primary is not None and other["list_date_chainkg"] == primary["list_date_chainkg"]:
            aliases.append(other["fullname"].strip())
        else:
            where = basic.parent / JOIN_FILE
            ctx.reject(where, int(other["_row"]), "fullname", Reason.CONFLICT, f"{code}: {other['fullname']}")
    shenwan = [s for s in (primary or {}).get("sw2021_industries", "").split("|") if s]
    fields = {
        "kind": "enterprise",
        "short_name": short[:128],
        "listing_code": code,
        "province_code": place.province_code if place else None,
        "region_code": place.region_code if place else None,
        "shenwan_industries": shenwan,
        "extra": {
            "list_date": row.get("list_date", ""),
            "tushare_industry": row.get("industry", ""),
            "area": row.get("area", ""),
        },
    }
    return OrgCandidate(source_key=code, name=fullname, fields=fields, aliases=aliases)
