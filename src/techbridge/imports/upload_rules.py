"""Who may write what from a user's file (data/imports/upload_rules.yaml): columns that add to the shared registry
only for officers and admins, organization columns only for the uploader's own organization, record keys scoped
to the uploading owner and refused when they name another owner's record."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml
from sqlalchemy.orm import Session

from techbridge.access import Viewer
from techbridge.errors import InvalidDataError
from techbridge.imports import queries
from techbridge.imports.convert import is_blank
from techbridge.imports.mapping import ENTITIES, MappingSpec
from techbridge.imports.schemas import Reason, RowError
from techbridge.models import Achievement, Demand, Expert, Organization

Records = list[tuple[int, dict[str, Any]]]
RECORD_MODELS: dict[str, Any] = {
    "achievement": Achievement,
    "demand": Demand,
    "expert": Expert,
    "organization": Organization,
}
"""The entities whose records carry an owner and a provenance key (chain edges are shared, without owner)."""


@dataclass(frozen=True)
class UploadRules:
    """Per entity: fields that write to the shared registry, and fields naming the organization published for."""

    shared: dict[str, tuple[str, ...]]
    organization_fields: dict[str, tuple[str, ...]]


def _fields_by_entity(raw: Any, key: str) -> dict[str, tuple[str, ...]]:
    table = raw.get(key) if isinstance(raw, dict) else None
    if not isinstance(table, dict) or not all(e in ENTITIES and isinstance(f, list) for e, f in table.items()):
        raise InvalidDataError(
            f"upload_rules.yaml: {key} must map entities ({', '.join(ENTITIES)}) to lists of fields",
            location=("upload_rules.yaml", key),
            message_zh=f"upload_rules.yaml：{key} 应为实体类型到字段列表的映射",
        )
    return {entity: tuple(str(f) for f in fields) for entity, fields in table.items()}


@lru_cache(maxsize=1)
def load_upload_rules() -> UploadRules:
    """The shipped rules, validated (unknown entities or non-list fields are errors)."""
    text = (resources.files("techbridge") / "data" / "imports" / "upload_rules.yaml").read_text("utf-8")
    raw = yaml.safe_load(text)
    return UploadRules(_fields_by_entity(raw, "shared"), _fields_by_entity(raw, "organization_fields"))


def owner_dataset(name: str, uploader: Viewer | None) -> str:
    """The provenance dataset of a file: `file:<name>`, scoped by the uploader (`file:u<id>:<name>`) so one user's
    keys never reach another user's records; cut to the column's 64 characters."""
    if uploader is None or uploader.user_id is None:
        return f"file:{name}"[:64]
    return f"file:u{uploader.user_id}:{name}"[:64]


def _column(spec: MappingSpec, field: str) -> str:
    return next((f.column for f in spec.fields if f.field == field), field)


def _is_filled(value: Any) -> bool:
    return not is_blank(value) and value != []


def check_uploader(
    spec: MappingSpec, records: Records, uploader: Viewer, name: str, rules: UploadRules | None = None
) -> list[RowError]:
    """Row errors for what `uploader` may not write: shared-registry columns (officers and admins only) and
    organizations other than the uploader's own. Privileged uploaders get none."""
    if uploader.is_privileged:
        return []
    rules = rules or load_upload_rules()
    errors: list[RowError] = []
    shared = rules.shared.get(spec.entity, ())
    publishes_for = rules.organization_fields.get(spec.entity, ())
    for number, record in records:
        for field in shared:
            if _is_filled(record.get(field)):
                detail, detail_zh = "officers and admins only", "仅限主管部门和管理员"
                errors.append(RowError(name, number, _column(spec, field), Reason.SHARED_REGISTRY, detail, detail_zh))
        for field in publishes_for:
            value = record.get(field)
            if _is_filled(value) and (uploader.organization_id is None or value != uploader.organization_id):
                errors.append(RowError(name, number, _column(spec, field), Reason.NOT_YOUR_ORGANIZATION, str(value)))
    return errors


def check_key_owners(
    *, session: Session, spec: MappingSpec, records: Records, uploader: Viewer, dataset: str, name: str
) -> list[RowError]:
    """Row errors for keys that already name a record of `dataset` owned by someone else (or by nobody: the
    shared registry). Officers and admins may update any record."""
    model = RECORD_MODELS.get(spec.entity)
    if uploader.is_privileged or model is None:
        return []
    owners = queries.key_owners(session, model, dataset)
    column = _column(spec, spec.key)
    return [
        RowError(name, number, column, Reason.KEY_TAKEN, str(record["source_key"]))
        for number, record in records
        if record["source_key"] in owners and owners[record["source_key"]] != uploader.user_id
    ]
