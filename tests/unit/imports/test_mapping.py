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
