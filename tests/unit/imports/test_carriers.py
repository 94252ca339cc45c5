"""Carriers from a province's own file: city by name, service fields, pilot bases' capacities, row errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from techbridge.access import Viewer
from techbridge.config import Settings
from techbridge.db import session_scope
from techbridge.imports.carriers import carrier_template_spec
from techbridge.imports.mapping import load_mapping, template_csv
from techbridge.imports.schemas import Reason
from techbridge.imports.spreadsheet import ImportRejectedError, import_spreadsheet
from techbridge.models import Organization, PilotCapacity, Region, Role

SAMPLE = Path(__file__).parents[2] / "data" / "carriers" / "carriers.csv"
HEADER = "编号,名称,载体类型,所在城市,服务领域,中试TRL下限,中试TRL上限,主要设备/能力\n"
OFFICER = Viewer(user_id=None, role=Role.OFFICER)


def add_regions(session: Session) -> None:
    """Liaoning and three of its cities (the import resolves city names against the regions table)."""
    session.add(Region(code="21", name="辽宁省", level="province"))
    session.flush()
    for code, name in (("2101", "沈阳市"), ("2102", "大连市"), ("2103", "鞍山市")):
        session.add(Region(code=code, name=name, level="city", parent_code="21"))
    session.commit()


@pytest.fixture
def regions(settings: Settings, session: Session) -> Settings:
    add_regions(session)
    return settings


def carriers_file(tmp_path: Path, rows: str) -> Path:
    path = tmp_path / "载体.csv"
    path.write_text(HEADER + rows, encoding="utf-8")
    return path


def stored(settings: Settings) -> tuple[list[Organization], list[PilotCapacity]]:
    with session_scope(settings.database_url) as session:
        orgs = list(session.scalars(select(Organization).order_by(Organization.source_key)))
        capacities = list(session.scalars(select(PilotCapacity)))
        session.expunge_all()
        return orgs, capacities


class TestImportCarriers:
    def test_sample_creates_carriers_with_city_and_the_pilot_capacity(self, regions: Settings) -> None:
        summary = import_spreadsheet(regions, "carrier", SAMPLE, show_progress=False)
        orgs, capacities = stored(regions)
        assert [(o.name, o.kind, o.carrier_type, o.region_code) for o in orgs] == [
            ("大连精细化工中试基地", "carrier", "pilot_base", "2102"),
            ("沈阳浑南大学科技园", "carrier", "science_park", "2101"),
            ("鞍山众创空间", "carrier", "maker_space", "2103"),
        ]
        assert orgs[1].extra == {"service_fields": ["人工智能", "装备制造"]}
        assert [(c.organization_id, c.trl_min, c.trl_max, c.fields) for c in capacities] == [
            (orgs[0].id, 4, 7, ["新材料", "精细化工"])
        ]
        assert capacities[0].equipment == "200 L 反应釜、连续流中试线"
        assert summary.counts["pilot_capacity.inserted"] == 1

    def test_reimport_updates_in_place(self, regions: Settings, tmp_path: Path) -> None:
        import_spreadsheet(regions, "carrier", SAMPLE, show_progress=False)
        changed = tmp_path / SAMPLE.name
        changed.write_text(SAMPLE.read_text("utf-8").replace(",4,7,", ",5,6,"), encoding="utf-8")
        summary = import_spreadsheet(regions, "carrier", changed, show_progress=False)
        orgs, capacities = stored(regions)
        assert len(orgs) == 3
        assert [(c.trl_min, c.trl_max) for c in capacities] == [(5, 6)]
        assert summary.counts["pilot_capacity.updated"] == 1
        assert summary.counts.get("pilot_capacity.inserted", 0) == 0

    def test_unknown_city_names_row_and_column(self, regions: Settings, tmp_path: Path) -> None:
        path = carriers_file(tmp_path, "C1,某孵化器,孵化器,大莲,,,,\n")
        with pytest.raises(ImportRejectedError) as info:
            import_spreadsheet(regions, "carrier", path, show_progress=False)
        [error] = info.value.errors
        assert (error.row, error.column, error.reason) == (2, "所在城市", Reason.UNKNOWN_CODE)
        assert "大莲" in error.message_zh
        assert stored(regions) == ([], [])

    def test_pilot_columns_only_for_pilot_bases_and_range_upright(self, regions: Settings, tmp_path: Path) -> None:
        rows = "C1,某孵化器,孵化器,沈阳,,4,,\nC2,某中试基地,中试基地,沈阳,新材料,7,5,\n"
        with pytest.raises(ImportRejectedError) as info:
            import_spreadsheet(regions, "carrier", carriers_file(tmp_path, rows), show_progress=False)
        found = [(e.row, e.column, e.reason) for e in info.value.errors]
        assert found == [(2, "中试TRL下限", Reason.CONFLICT), (3, "中试TRL上限", Reason.CONFLICT)]
        assert "仅中试基地填写" in info.value.errors[0].message_zh
        assert "only for 中试基地" in info.value.errors[0].message

    def test_carrier_type_on_an_enterprise_and_a_code_outside_the_city(self, regions: Settings, tmp_path: Path) -> None:
        path = tmp_path / "机构.csv"
        rows = "O1,某企业,企业,孵化器,,\nO2,某孵化器,载体,孵化器,沈阳,2102\n"
        path.write_text("编号,名称,机构类型,载体类型,所在城市,所在地区代码\n" + rows, encoding="utf-8")
        with pytest.raises(ImportRejectedError) as info:
            import_spreadsheet(regions, "organization", path, show_progress=False)
        found = [(e.row, e.column, e.reason) for e in info.value.errors]
        assert found == [(2, "载体类型", Reason.CONFLICT), (3, "所在地区", Reason.CONFLICT)]

    def test_trl_outside_1_to_9_is_a_row_error(self, regions: Settings, tmp_path: Path) -> None:
        path = carriers_file(tmp_path, "C1,某中试基地,中试基地,沈阳,,0,7,\n")
        with pytest.raises(ImportRejectedError) as info:
            import_spreadsheet(regions, "carrier", path, show_progress=False)
        assert [(e.row, e.column) for e in info.value.errors] == [(2, "中试TRL下限")]

    def test_only_officers_may_upload(self, regions: Settings) -> None:
        member = Viewer(user_id=None, role=Role.ENTERPRISE, organization_id=None)
        with pytest.raises(ImportRejectedError) as info:
            import_spreadsheet(regions, "carrier", SAMPLE, show_progress=False, uploader=member)
        assert {(e.column, e.reason) for e in info.value.errors} == {("名称", Reason.SHARED_REGISTRY)}
        assert stored(regions) == ([], [])
        import_spreadsheet(regions, "carrier", SAMPLE, show_progress=False, uploader=OFFICER)
        assert len(stored(regions)[1]) == 1


class TestCarrierTemplate:
    def test_every_template_column_is_read_by_the_organization_mapping(self) -> None:
        organization = {f.column: f.field for f in load_mapping("organization").fields}
        assert {f.column: f.field for f in carrier_template_spec().fields}.items() <= organization.items()

    def test_the_example_row_imports_as_a_pilot_base(self, regions: Settings, tmp_path: Path) -> None:
        path = tmp_path / "template.csv"
        path.write_text(template_csv(carrier_template_spec()), encoding="utf-8")
        import_spreadsheet(regions, "carrier", path, show_progress=False, uploader=OFFICER)
        orgs, capacities = stored(regions)
        assert [(o.carrier_type, o.region_code) for o in orgs] == [("pilot_base", "2102")]
        assert [(c.trl_min, c.trl_max, c.equipment) for c in capacities] == [(4, 7, "200 L 反应釜、连续流中试线")]
