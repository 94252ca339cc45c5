"""Carriers (载体) from a province's own spreadsheet: the city named in words (大连) becomes the region code, the
service fields are kept on the organization, and a pilot base (中试基地) gets its pilot capacity (TRL range, fields,
equipment) — one imported capacity per base, updated in place on re-import."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml
from sqlalchemy.orm import Session

from techbridge.imports import queries
from techbridge.imports.mapping import ENTITIES, MappingSpec, load_mapping, parse_mapping
from techbridge.imports.regions import RegionLookup
from techbridge.imports.schemas import ImportSummary, Reason, RowError
from techbridge.models import CarrierType, PilotCapacity

Records = list[tuple[int, dict[str, Any]]]
CARRIER_FIELDS = ("city", "service_fields", "pilot_trl_min", "pilot_trl_max", "equipment")
"""Fields of the organization mapping that are not Organization columns (split off before writing)."""
PILOT_FIELDS = ("pilot_trl_min", "pilot_trl_max", "equipment")
TEMPLATE_ENTITIES = (*ENTITIES, "carrier")
"""What a user file may hold, each with its template: the mappings, and carriers (organizations of kind 载体)."""
DEFAULT_TRL = (4, 7)


@dataclass(frozen=True)
class CarrierExtras:
    """What a row says beyond the organization columns: service fields and, for a pilot base, its capacity."""

    service_fields: tuple[str, ...]
    is_pilot_base: bool
    trl_min: int
    trl_max: int
    equipment: str


def _column(spec: MappingSpec, field: str) -> str:
    return next((f.column for f in spec.fields if f.field == field), field)


def _place_errors(
    spec: MappingSpec, number: int, record: dict[str, Any], city: str | None, name: str
) -> list[RowError]:
    """A city not found, or a region code outside the city named."""
    if not record.get("city"):
        return []
    if city is None:
        detail = f"no city called {record['city']} / 找不到城市「{record['city']}」"
        return [RowError(name, number, _column(spec, "city"), Reason.UNKNOWN_CODE, detail)]
    region = str(record.get("region_code") or "")
    if region and not region.startswith(city):
        detail = f"{region} is not in {record['city']} ({city}) / 地区代码 {region} 不在{record['city']}（{city}）"
        return [RowError(name, number, _column(spec, "region_code"), Reason.CONFLICT, detail)]
    return []


def _row_errors(spec: MappingSpec, number: int, record: dict[str, Any], city: str | None, name: str) -> list[RowError]:
    """Place errors, a carrier type on an organization that is not a carrier, pilot columns on a carrier that is not
    a pilot base, or a TRL range upside down."""
    errors = _place_errors(spec, number, record, city, name)
    if record.get("carrier_type") and record.get("kind") not in (None, "", "carrier"):
        detail = "only for 机构类型 载体 / 仅载体填写"
        errors.append(RowError(name, number, _column(spec, "carrier_type"), Reason.CONFLICT, detail))
    if record.get("carrier_type") != CarrierType.PILOT_BASE:
        for field in PILOT_FIELDS:
            if record.get(field) not in (None, ""):
                detail = "only for 中试基地 (pilot bases) / 仅中试基地填写"
                errors.append(RowError(name, number, _column(spec, field), Reason.CONFLICT, detail))
    low, high = record.get("pilot_trl_min"), record.get("pilot_trl_max")
    if low is not None and high is not None and low > high:
        detail = f"{low} > {high}: lower bound above upper / 下限高于上限"
        errors.append(RowError(name, number, _column(spec, "pilot_trl_max"), Reason.CONFLICT, detail))
    return errors


def check_carriers(
    spec: MappingSpec, records: Records, regions: RegionLookup, name: str
) -> tuple[Records, list[RowError]]:
    """Records with 所在城市 resolved into region and province codes, and every carrier row error (file, row,
    column, reason); rows without carrier columns pass unchanged."""
    checked: Records = []
    errors: list[RowError] = []
    for number, record in records:
        city = regions.cities.get(str(record["city"]).strip()) if record.get("city") else None
        errors += _row_errors(spec, number, record, city, name)
        if city is not None and not record.get("region_code"):
            record = {**record, "region_code": city}
        checked.append((number, record))
    return checked, errors


def split_extras(record: dict[str, Any]) -> tuple[dict[str, Any], CarrierExtras]:
    """The record without the carrier-only fields, and those fields (service fields kept in `extra`)."""
    fields = {k: v for k, v in record.items() if k not in CARRIER_FIELDS}
    services = tuple(record.get("service_fields") or ())
    if services:
        fields["extra"] = {"service_fields": list(services)}
    low = record.get("pilot_trl_min") or DEFAULT_TRL[0]
    high = record.get("pilot_trl_max") or max(DEFAULT_TRL[1], low)
    extras = CarrierExtras(
        service_fields=services,
        is_pilot_base=record.get("carrier_type") == CarrierType.PILOT_BASE,
        trl_min=min(low, high),
        trl_max=high,
        equipment=str(record.get("equipment") or ""),
    )
    return fields, extras


def write_capacities(session: Session, extras: dict[int, CarrierExtras], *, summary: ImportSummary) -> None:
    """Insert or update the imported capacity (the base's first) of every pilot base among `extras`."""
    bases = {org_id: e for org_id, e in extras.items() if e.is_pilot_base}
    existing = queries.first_capacities(session, list(bases))
    for org_id, extra in bases.items():
        capacity = existing.get(org_id) or PilotCapacity(organization_id=org_id)
        capacity.fields = list(extra.service_fields)
        capacity.trl_min, capacity.trl_max = extra.trl_min, extra.trl_max
        capacity.equipment = extra.equipment
        if org_id not in existing:
            session.add(capacity)
    session.flush()
    summary.add("pilot_capacity.inserted", len(bases.keys() - existing.keys()))
    summary.add("pilot_capacity.updated", len(bases.keys() & existing.keys()))


def carrier_template_spec() -> MappingSpec:
    """The carrier template's columns and example row (data/import_mappings/carrier.yaml): the organization
    mapping's columns a province fills for its carriers."""
    text = (resources.files("techbridge") / "data" / "import_mappings" / "carrier.yaml").read_text("utf-8")
    return parse_mapping(yaml.safe_load(text), "carrier.yaml")


def template_spec(entity: str) -> MappingSpec:
    """The columns and example row of ENTITY's template: the carrier template for "carrier", else its mapping."""
    return carrier_template_spec() if entity == "carrier" else load_mapping(entity)
