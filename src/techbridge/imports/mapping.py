"""Column-mapping files (data/import_mappings/<entity>.yaml or a user's YAML): which header feeds which field,
with its type, whether it is required and an example; validated on load; templates are generated from them."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from dataclasses import field as dc_field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from techbridge.errors import InvalidDataError, NotFoundError

TYPES = frozenset(
    {
        "str",
        "text",
        "int",
        "float",
        "decimal",
        "date",
        "list",
        "enum",
        "enum_list",
        "credit_code",
        "region",
        "ipc_list",
        "gbt4754_list",
        "organization",
    }
)
ENTITIES = ("organization", "expert", "achievement", "demand", "chain_edge")
# Other names users give an entity type → (mapping, fixed organization kind or "")
ENTITY_ALIASES = {
    "enterprise": ("organization", "enterprise"),
    "university": ("organization", "university"),
    "institution": ("organization", "university"),
    "institute": ("organization", "institute"),
    "carrier": ("organization", "carrier"),
    "paper": ("achievement", "paper"),
    "patent": ("achievement", "patent"),
}


def canonical_entity(entity: str) -> tuple[str, str]:
    """(mapping entity, default kind) of an entity name or alias ("enterprise" → ("organization", "enterprise"))."""
    return ENTITY_ALIASES.get(entity, (entity, ""))


@dataclass(frozen=True)
class FieldSpec:
    """One column: the field it feeds, its header and accepted aliases, type and constraints."""

    field: str
    column: str
    type: str = "str"
    required: bool = False
    aliases: tuple[str, ...] = ()
    choices: dict[str, str] = dc_field(default_factory=dict)
    min: float | None = None
    max: float | None = None
    max_length: int | None = None
    example: str = ""


@dataclass(frozen=True)
class MappingSpec:
    """A whole mapping: the entity it imports, its titles, the key field and its columns."""

    entity: str
    title_zh: str
    title_en: str
    key: str
    fields: tuple[FieldSpec, ...]

    def header_index(self) -> dict[str, FieldSpec]:
        """Every accepted header (column, aliases and field name, compared case-insensitively) → its field."""
        index: dict[str, FieldSpec] = {}
        for spec in self.fields:
            for name in (spec.column, *spec.aliases, spec.field):
                index.setdefault(name.strip().lower(), spec)
        return index


def _mapping_error(where: str, message: str, message_zh: str) -> InvalidDataError:
    return InvalidDataError(message, location=(where,), message_zh=message_zh)


def parse_mapping(raw: Any, where: str) -> MappingSpec:
    """Validate a loaded YAML document into a MappingSpec (unknown entity, type or missing keys are errors)."""
    if not isinstance(raw, dict) or raw.get("entity") not in ENTITIES or not isinstance(raw.get("fields"), list):
        raise _mapping_error(
            where,
            f"a mapping needs entity (one of {', '.join(ENTITIES)}) and fields",
            f"映射文件需要 entity（{'、'.join(ENTITIES)} 之一）和 fields",
        )
    specs = []
    for number, item in enumerate(raw["fields"], start=1):
        if not isinstance(item, dict) or not item.get("field") or not item.get("column"):
            raise _mapping_error(
                where, f"fields[{number}] needs field and column", f"fields[{number}] 需要 field 和 column"
            )
        if item.get("type", "str") not in TYPES:
            raise _mapping_error(
                where,
                f"fields[{number}]: unknown type {item.get('type')!r}",
                f"fields[{number}]：未知类型「{item.get('type')}」",
            )
        specs.append(
            FieldSpec(
                field=str(item["field"]),
                column=str(item["column"]),
                type=str(item.get("type", "str")),
                required=bool(item.get("required", False)),
                aliases=tuple(str(a) for a in item.get("aliases") or ()),
                choices={str(k): str(v) for k, v in (item.get("choices") or {}).items()},
                min=item.get("min"),
                max=item.get("max"),
                max_length=item.get("max_length"),
                example=str(item.get("example") or ""),
            )
        )
    title = raw.get("title") or {}
    return MappingSpec(
        str(raw["entity"]),
        str(title.get("zh", raw["entity"])),
        str(title.get("en", raw["entity"])),
        str(raw.get("key") or ""),
        tuple(specs),
    )


def load_mapping(entity_or_path: str | Path) -> MappingSpec:
    """The shipped mapping of an entity ("achievement", or an alias such as "enterprise"), or a user's file."""
    if isinstance(entity_or_path, Path) or str(entity_or_path).endswith((".yaml", ".yml")):
        path = Path(entity_or_path)
        if not path.exists():
            raise NotFoundError(f"mapping file {path} not found", message_zh=f"找不到映射文件 {path}")
        return parse_mapping(yaml.safe_load(path.read_text(encoding="utf-8")), path.name)
    entity_or_path = canonical_entity(str(entity_or_path))[0]
    if entity_or_path not in ENTITIES:
        raise NotFoundError(
            f"unknown entity {entity_or_path!r}; known: {', '.join(ENTITIES)}",
            message_zh=f"未知实体类型「{entity_or_path}」；可选：{'、'.join(ENTITIES)}",
        )
    text = (resources.files("techbridge") / "data" / "import_mappings" / f"{entity_or_path}.yaml").read_text("utf-8")
    return parse_mapping(yaml.safe_load(text), f"{entity_or_path}.yaml")


def template_rows(spec: MappingSpec) -> list[list[str]]:
    """Header row (the columns) and one example row."""
    return [[f.column for f in spec.fields], [f.example for f in spec.fields]]


def template_csv(spec: MappingSpec) -> str:
    """The template as CSV text."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(template_rows(spec))
    return buffer.getvalue()


def template_xlsx(spec: MappingSpec) -> bytes:
    """The template as an XLSX workbook (one sheet, header in bold)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = spec.entity
    for row in template_rows(spec):
        sheet.append(row)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
