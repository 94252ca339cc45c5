"""Regions from the NBS 2023 division codes (provinces.csv, cities.csv, areas.csv) plus 沈抚示范区.

Municipalities and some provinces have placeholder "cities" (市辖区, 县, 省直辖县级行政区划); they keep their official
code and get the province name as prefix ("北京市市辖区"). 沈抚示范区 (Shenyang-Fushun demonstration zone) is not an
NBS division: it is stored as a city-level region of Liaoning with code 2190 — a code NBS does not use in
Liaoning (its 21xx city codes stop at 2114) — and is_official=False."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from techbridge.imports.context import ImportContext
from techbridge.imports.readers import read_csv
from techbridge.imports.schemas import Reason
from techbridge.imports.writer import upsert_regions
from techbridge.registry.regions import SPECIAL_REGIONS

PLACEHOLDER_CITIES = ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划")


def run(ctx: ImportContext, path: Path) -> None:
    """Import provinces, cities and counties from the folder `path` (the NBS raw/ folder)."""
    rows: list[dict[str, Any]] = []
    provinces: dict[str, str] = {}
    for number, row in read_csv(path / "provinces.csv"):
        if _valid(ctx, path / "provinces.csv", number, row, 2):
            provinces[row["code"]] = row["name"]
            rows.append(_region(row["code"], row["name"], "province", None))
    cities: set[str] = set()
    for number, row in read_csv(path / "cities.csv"):
        parent = row.get("provinceCode", "")
        if _valid(ctx, path / "cities.csv", number, row, 4, parent, provinces):
            name = row["name"]
            if name in PLACEHOLDER_CITIES:
                name = provinces[parent] + name
            cities.add(row["code"])
            rows.append(_region(row["code"], name, "city", parent))
    for number, row in read_csv(path / "areas.csv"):
        parent = row.get("cityCode", "")
        if _valid(ctx, path / "areas.csv", number, row, 6, parent, cities):
            rows.append(_region(row["code"], row["name"], "county", parent))
    rows.extend(dict(special) for special in SPECIAL_REGIONS)
    upsert_regions(ctx.session, rows, summary=ctx.summary)


def _region(code: str, name: str, level: str, parent: str | None) -> dict[str, Any]:
    return {"code": code, "name": name, "level": level, "parent_code": parent, "is_official": True}


def _valid(
    ctx: ImportContext,
    path: Path,
    number: int,
    row: dict[str, str],
    width: int,
    parent: str | None = None,
    parents: object = None,
) -> bool:
    code = row.get("code", "")
    if not row.get("name"):
        ctx.reject(path, number, "name", Reason.MISSING_REQUIRED)
        return False
    if len(code) != width or not code.isdigit():
        ctx.reject(path, number, "code", Reason.WRONG_TYPE, f"{code!r} is not a {width}-digit code")
        return False
    if parents is not None and parent not in parents:  # type: ignore[operator]
        ctx.reject(path, number, "parent", Reason.UNKNOWN_CODE, str(parent))
        return False
    return True
