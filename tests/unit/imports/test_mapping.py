"""Mapping files: every shipped one loads; bad ones are refused; templates carry the columns."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from techbridge.errors import InvalidDataError, NotFoundError
from techbridge.imports.mapping import ENTITIES, load_mapping, parse_mapping, template_csv, template_xlsx


class TestLoadMapping:
    @pytest.mark.parametrize("entity", ENTITIES)
    def test_every_shipped_mapping_loads(self, entity: str) -> None:
        spec = load_mapping(entity)
        assert spec.entity == entity
        assert any(f.required for f in spec.fields)

    def test_unknown_entity(self) -> None:
        with pytest.raises(NotFoundError):
            load_mapping("spaceship")

    def test_unknown_type_is_refused(self) -> None:
        raw = {"entity": "expert", "fields": [{"field": "name", "column": "姓名", "type": "blob"}]}
        with pytest.raises(InvalidDataError, match="unknown type"):
            parse_mapping(raw, "x.yaml")

    def test_user_mapping_file(self, tmp_path: Path) -> None:
        path = tmp_path / "m.yaml"
        path.write_text("entity: expert\nfields:\n  - {field: name, column: Name, required: true}\n", "utf-8")
        spec = load_mapping(path)
        assert spec.header_index()["name"].field == "name"


class TestTemplates:
    def test_csv_has_header_and_example(self) -> None:
        lines = template_csv(load_mapping("achievement")).splitlines()
        assert lines[0].startswith("编号,成果名称,成果类型")
        assert len(lines) == 2

    def test_xlsx_has_the_same_header(self) -> None:
        spec = load_mapping("organization")
        sheet = load_workbook(io.BytesIO(template_xlsx(spec))).active
        assert [c.value for c in sheet[1]] == [f.column for f in spec.fields]


class TestLabelsMatchThePortal:
    @pytest.mark.parametrize(
        ("entity", "field", "prefix"),
        [
            ("achievement", "kind", "registry.kind"),
            ("achievement", "transfer_modes", "registry.transfer"),
            ("demand", "status", "registry.status"),
            ("organization", "carrier_type", "registry.carrier"),
        ],
    )
    def test_choices_are_the_labels_the_portal_shows(self, entity: str, field: str, prefix: str) -> None:
        from techbridge.i18n.loader import translate

        spec = next(f for f in load_mapping(entity).fields if f.field == field)
        assert {label: translate(f"{prefix}.{value}", "zh") for label, value in spec.choices.items()} == {
            label: label for label in spec.choices
        }

    def test_older_spellings_of_achievement_kinds_are_still_accepted(self) -> None:
        kind = next(f for f in load_mapping("achievement").fields if f.field == "kind")
        assert kind.choice_aliases == {"技术": "technology", "软件": "software", "品种": "variety"}

    def test_every_column_has_a_meaning_in_both_languages(self) -> None:
        from techbridge.i18n.loader import load_catalog

        catalog = load_catalog()
        missing = [
            f"{entity}.{f.field}"
            for entity in ENTITIES
            for f in load_mapping(entity).fields
            if f"imports.help.{entity}.{f.field}" not in catalog
        ]
        assert missing == []

    def test_every_type_has_a_format(self) -> None:
        from techbridge.i18n.loader import load_catalog
        from techbridge.imports.mapping import TYPES

        assert sorted(t for t in TYPES if f"imports.format.{t}" not in load_catalog()) == []
