"""Mainland universities by province (china_mainland_universities.json) with coordinates
(university_location.json) as organizations of kind university; the city is taken from the name when a city of
that province occurs in it (大连理工大学 → 大连市), else the region is the province."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from techbridge.imports.context import ImportContext
from techbridge.imports.organizations import OrgCandidate, OrgWriter
from techbridge.imports.schemas import Reason
from techbridge.registry.resolve import organization_kind

DATASET = "universities"


def run(ctx: ImportContext, path: Path) -> None:
    """Import the universities_cn folder."""
    listing = path / "china_mainland_universities.json"
    by_province: dict[str, Any] = json.loads(listing.read_text(encoding="utf-8"))
    locations_file = path / "university_location.json"
    locations = json.loads(locations_file.read_text(encoding="utf-8")) if locations_file.exists() else {}
    regions = ctx.regions()
    candidates: dict[str, OrgCandidate] = {}
    for province, group in by_province.items():
        place = regions.locate(province)
        if place is None:
            ctx.reject(listing, 0, province, Reason.UNKNOWN_CODE, province)
            continue
        for name in group.get("all", []):
            name = str(name).strip()
            city = regions.city_in(place.province_code, name)
            point = locations.get(name)
            extra = {"lat": point[0], "lng": point[1]} if isinstance(point, list) and len(point) == 2 else {}
            kind = organization_kind(name)
            fields = {
                "kind": "university" if kind == "enterprise" else kind,
                "province_code": place.province_code,
                "region_code": city or place.region_code,
                "extra": extra,
            }
            candidates.setdefault(name, OrgCandidate(name, name, fields))
    writer = OrgWriter(ctx.session, regions)
    ids = writer.write(
        list(candidates.values()), dataset=DATASET, source_file=ctx.source_file(listing), summary=ctx.summary
    )
    ctx.summary.add("university", len(ids))
