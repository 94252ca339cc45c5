"""Official technology-market statistics (中国科技统计年鉴, via the techme package): contracts (项) and turnover
(万元) per region and year, by seller region (技术输出) and buyer region (技术流向/吸纳), into OfficialStatistic.

Provinces get their region code; totals (全国) and macro-regions (东北地区) keep only their published name."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from techbridge.imports import writer
from techbridge.imports.context import ImportContext
from techbridge.imports.readers import read_csv
from techbridge.imports.schemas import Reason
from techbridge.models import Flow, Measure, OfficialStatistic

DATASET = "tech_market"
LONG_FILE = "derived/tech_market_flows_long.csv"
TOPIC = "tech_market"
SOURCE_NAME = "中国科技统计年鉴·技术市场（techme）"
UNITS = {Measure.CONTRACTS: "项", Measure.VALUE: "万元"}
REQUIRED = ("region", "region_level", "year", "flow", "measure", "value")


def run(ctx: ImportContext, path: Path) -> None:
    """Import `path`: the tech_market_flows folder, or a CSV of the long layout."""
    table = path / LONG_FILE if path.is_dir() else path
    regions = ctx.regions()
    rows: dict[str, dict[str, Any]] = {}
    for number, row in read_csv(table):
        parsed = _parse(ctx, table, number, row)
        if parsed is None:
            continue
        if parsed["region_level"] == "province":
            place = regions.locate(parsed["region_name"])
            if place is None:
                ctx.reject(table, number, "region", Reason.UNKNOWN_CODE, parsed["region_name"])
                continue
            parsed["region_code"] = place.province_code
        if parsed["source_key"] in rows:
            ctx.reject(table, number, "region", Reason.DUPLICATE_KEY, parsed["source_key"])
            continue
        rows[parsed["source_key"]] = {**parsed, "source_file": ctx.source_file(table)}
    writer.upsert_records(
        ctx.session, OfficialStatistic, list(rows.values()), dataset=DATASET, summary=ctx.summary, label="statistic"
    )
    ctx.summary.add("official_statistic", len(rows))


def _parse(ctx: ImportContext, table: Path, number: int, row: dict[str, str]) -> dict[str, Any] | None:
    """One row as OfficialStatistic columns, or None after recording why it is rejected."""
    missing = next((column for column in REQUIRED if not row.get(column, "").strip()), None)
    if missing is not None:
        ctx.reject(table, number, missing, Reason.MISSING_REQUIRED)
        return None
    flow = _flow(row["flow"])
    if flow is None:
        ctx.reject(table, number, "flow", Reason.UNKNOWN_CODE, row["flow"])
        return None
    if row["measure"] not in Measure.__members__.values():
        ctx.reject(table, number, "measure", Reason.UNKNOWN_CODE, row["measure"])
        return None
    measure = Measure(row["measure"])
    try:
        year, value = int(row["year"]), Decimal(row["value"].strip())
    except (ValueError, InvalidOperation):
        ctx.reject(table, number, "year/value", Reason.WRONG_TYPE, f"{row['year']} / {row['value']}")
        return None
    if not value.is_finite() or value < 0:
        ctx.reject(table, number, "value", Reason.WRONG_TYPE, row["value"])
        return None
    unit = row.get("unit", "").strip() or UNITS[measure]
    if unit != UNITS[measure]:
        ctx.reject(table, number, "unit", Reason.CONFLICT, f"{measure}: {unit} ≠ {UNITS[measure]}")
        return None
    name = row["region"].strip()
    origin = row.get("source", "").strip()
    return {
        "topic": TOPIC,
        "region_code": None,
        "region_name": name,
        "region_level": row["region_level"].strip(),
        "year": year,
        "flow": str(flow),
        "measure": str(measure),
        "unit": unit,
        "value": value,
        "source": (f"{SOURCE_NAME}：{origin}" if origin else SOURCE_NAME)[:512],
        "visibility": "public",
        "owner_id": None,
        "source_key": f"{name}|{year}|{flow}|{measure}",
    }


def _flow(text: str) -> Flow | None:
    """outflow_by_seller_region(技术输出地域) → OUTFLOW; inflow_by_buyer_region(…) → INFLOW."""
    head = text.strip().split("_", 1)[0]
    return Flow(head) if head in Flow.__members__.values() else None
