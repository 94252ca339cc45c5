"""Column-mapping files (data/import_mappings/<entity>.yaml or a user's YAML): which header feeds which field,
with its type, whether it is required and an example; validated on load; templates are generated from them."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
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
LIAONING_CODE = "21"
"""Liaoning's province code: its regions head the template's region list."""
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
    choice_aliases: dict[str, str] = dc_field(default_factory=dict)
    """Other accepted spellings of a choice (技术 for 技术成果); templates and the UI show only `choices`."""
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

    def column_of(self, field: str) -> str:
        """The column heading of `field` as the user's file names it (编号 for source_key), else the field."""
        return next((f.column for f in self.fields if f.field == field), field)

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
                choice_aliases={str(k): str(v) for k, v in (item.get("choice_aliases") or {}).items()},
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


RegionRow = tuple[str, str, str, str | None]
"""(code, name, level, parent code) of a region, as `imports.queries.region_rows` returns it."""
MAX_TEMPLATE_ROWS = 5000
"""How many rows of the data sheet carry the dropdowns."""


def template_xlsx(spec: MappingSpec, regions: Sequence[RegionRow] = (), lang: str = "zh") -> bytes:
    """The template as an XLSX workbook: the data sheet (header in bold, example row, a dropdown on every column with
    allowed values), an instructions sheet (meaning, required, format, allowed values, example of every column), the
    allowed values and, when `regions` are given, the region list (Liaoning first) the region column picks from."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = spec.title_zh if lang == "zh" else spec.title_en
    for row in template_rows(spec):
        sheet.append(row)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    _add_instructions(book, spec, lang)
    _add_choice_lists(book, sheet, spec, lang)
    if regions:
        _add_regions(book, sheet, spec, regions, lang)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def field_format(spec: FieldSpec, lang: str) -> str:
    """How to write a column's cells, in words (imports.format.<type> in the i18n catalogue), with its range."""
    from techbridge.i18n.loader import translate

    text = translate(f"imports.format.{spec.type}", lang)
    if spec.min is not None or spec.max is not None:
        low = "" if spec.min is None else f"{spec.min:g}"
        high = "" if spec.max is None else f"{spec.max:g}"
        text += translate("imports.format.range", lang, low=low, high=high)
    if spec.max_length:
        text += translate("imports.format.max_length", lang, count=spec.max_length)
    return text


def _add_instructions(book: Any, spec: MappingSpec, lang: str) -> None:
    from openpyxl.styles import Alignment, Font

    from techbridge.i18n.loader import translate

    sheet = book.create_sheet(translate("imports.sheet.instructions", lang))
    sheet.append([translate("imports.sheet.intro", lang, title=spec.title_zh if lang == "zh" else spec.title_en)])
    heads = ("column", "meaning", "required", "format", "choices", "example", "aliases")
    sheet.append([translate(f"imports.sheet.{head}", lang) for head in heads])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for field in spec.fields:
        required = translate("imports.sheet.yes" if field.required else "imports.sheet.no", lang)
        meaning = translate(f"imports.help.{spec.entity}.{field.field}", lang)
        if meaning.startswith("imports.help."):
            meaning = ""
        choices = "、".join(field.choices) if lang == "zh" else ", ".join(field.choices)
        aliases = "、".join((*field.aliases, *field.choice_aliases))
        sheet.append([field.column, meaning, required, field_format(field, lang), choices, field.example, aliases])
    for letter, width in zip("ABCDEFG", (16, 30, 8, 44, 40, 24, 24), strict=True):
        sheet.column_dimensions[letter].width = width
    for row in sheet.iter_rows(min_row=3):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def _column_letter(spec: MappingSpec, field: FieldSpec) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(spec.fields.index(field) + 1))


def _dropdown(sheet: Any, formula: str, column: str, *, error: str = "") -> None:
    """A list dropdown on the data rows of `column`; with an `error` text, typed values not in the list are refused
    with it."""
    from openpyxl.worksheet.datavalidation import DataValidation

    rule = DataValidation(type="list", formula1=formula, allow_blank=True, showErrorMessage=bool(error), error=error)
    rule.add(f"{column}2:{column}{MAX_TEMPLATE_ROWS}")
    sheet.add_data_validation(rule)


def _add_choice_lists(book: Any, sheet: Any, spec: MappingSpec, lang: str) -> None:
    """A sheet with one column of allowed values per choice field, each the source of that column's dropdown (an
    enum_list column takes several values separated by ;, so its dropdown suggests without refusing)."""
    from openpyxl.utils import get_column_letter

    from techbridge.i18n.loader import translate

    fields = [f for f in spec.fields if f.choices]
    if not fields:
        return
    lists = book.create_sheet(translate("imports.sheet.choices", lang))
    for number, field in enumerate(fields, start=1):
        letter = get_column_letter(number)
        lists.cell(row=1, column=number, value=field.column)
        for row, label in enumerate(field.choices, start=2):
            lists.cell(row=row, column=number, value=label)
        formula = f"'{lists.title}'!${letter}$2:${letter}${len(field.choices) + 1}"
        allowed = "、".join(field.choices)
        error = translate("imports.sheet.not_allowed", lang, allowed=allowed) if field.type == "enum" else ""
        _dropdown(sheet, formula, _column_letter(spec, field), error=error)


def _add_regions(book: Any, sheet: Any, spec: MappingSpec, regions: Sequence[RegionRow], lang: str) -> None:
    """The region list (the value to pick, name, code, level, parent), Liaoning's regions first; the region column's
    dropdown picks from it, and a typed name (大连, 大连市) or code is accepted too."""
    from openpyxl.styles import Font

    from techbridge.i18n.loader import translate

    listing = book.create_sheet(translate("imports.sheet.regions", lang))
    heads = ("region_value", "region_name", "region_code", "region_level", "region_parent")
    listing.append([translate(f"imports.sheet.{head}", lang) for head in heads])
    for cell in listing[1]:
        cell.font = Font(bold=True)
    ordered = sorted(regions, key=lambda r: (not r[0].startswith(LIAONING_CODE), r[0]))
    for code, name, level, parent in ordered:
        listing.append([f"{name} [{code}]", name, code, translate(f"registry.level.{level}", lang), parent or ""])
    listing.column_dimensions["A"].width = 28
    formula = f"'{listing.title}'!$A$2:$A${len(ordered) + 1}"
    for field in spec.fields:
        if field.type == "region":
            _dropdown(sheet, formula, _column_letter(spec, field))
