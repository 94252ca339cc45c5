"""The upload rules: shipped rules load, datasets are scoped by uploader, and what each uploader may write."""

from __future__ import annotations

from typing import Any

from techbridge.access import Viewer
from techbridge.imports.mapping import load_mapping
from techbridge.imports.schemas import Reason
from techbridge.imports.upload_rules import check_uploader, load_upload_rules, owner_dataset
from techbridge.models import Role

MEMBER = Viewer(user_id=7, role=Role.ENTERPRISE, organization_id=3)
OFFICER = Viewer(user_id=8, role=Role.OFFICER)


def records(**values: Any) -> list[tuple[int, dict[str, Any]]]:
    return [(2, {"source_key": "K1", **values})]


class TestLoadUploadRules:
    def test_shipped_rules_name_the_shared_and_organization_fields(self) -> None:
        rules = load_upload_rules()
        assert rules.shared["organization"] == ("name", "aliases")
        assert rules.organization_fields["achievement"] == ("owner",)


class TestOwnerDataset:
    def test_scoped_by_uploader(self) -> None:
        assert owner_dataset("a.csv", MEMBER) == "file:u7:a.csv"

    def test_operator_import_keeps_the_file_dataset(self) -> None:
        assert owner_dataset("a.csv", None) == "file:a.csv"

    def test_cut_to_the_column(self) -> None:
        assert len(owner_dataset("x" * 100 + ".csv", MEMBER)) == 64


class TestCheckUploader:
    def test_own_organization_is_allowed(self) -> None:
        assert check_uploader(load_mapping("achievement"), records(owner=3), MEMBER, "f.csv") == []

    def test_other_organization_names_the_column(self) -> None:
        errors = check_uploader(load_mapping("achievement"), records(owner=4), MEMBER, "f.csv")
        assert [(e.row, e.column, e.reason) for e in errors] == [(2, "权利人", Reason.NOT_YOUR_ORGANIZATION)]

    def test_user_without_organization_cannot_publish_for_one(self) -> None:
        viewer = Viewer(user_id=9, role=Role.BROKER)
        assert check_uploader(load_mapping("demand"), records(enterprise=3), viewer, "f.csv")[0].column == "发布企业"

    def test_blank_aliases_are_not_an_error_but_the_name_is(self) -> None:
        errors = check_uploader(load_mapping("organization"), records(name="某公司", aliases=[]), MEMBER, "f.csv")
        assert [(e.column, e.reason) for e in errors] == [("名称", Reason.SHARED_REGISTRY)]
        assert "officers and admins" in errors[0].message

    def test_officers_are_exempt(self) -> None:
        assert check_uploader(load_mapping("organization"), records(name="某公司"), OFFICER, "f.csv") == []
        assert check_uploader(load_mapping("achievement"), records(owner=4), OFFICER, "f.csv") == []
