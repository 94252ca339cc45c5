"""Organizations from a user's file resolved onto stored ones: which rows merge, and what they bring."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from techbridge.config import Settings
from techbridge.db import session_scope
from techbridge.imports.schemas import Reason
from techbridge.imports.spreadsheet import ImportRejectedError, import_spreadsheet
from techbridge.models import Organization
from techbridge.registry.resolve import credit_check_char

HEADER = "编号,名称,机构类型,统一社会信用代码\n"


def credit_code(first17: str) -> str:
    return first17 + credit_check_char(first17)


def organizations(settings: Settings) -> list[tuple[str, str | None]]:
    with session_scope(settings.database_url) as session:
        rows = session.execute(select(Organization.name, Organization.credit_code).order_by(Organization.id))
        return [(name, code) for name, code in rows]


class TestCreditCodesInOneFile:
    def test_two_rows_with_different_codes_never_merge_into_one_stored_company(
        self, settings: Settings, session: Session, tmp_path: Path
    ) -> None:
        session.add(Organization(kind="enterprise", name="沈阳机床股份有限公司", normalized_name="机床"))
        session.commit()
        first, second = credit_code("91210100MA0XXXXX1"), credit_code("91210200MA0YYYYY2")
        path = tmp_path / "orgs.csv"
        rows = f"M1,沈阳机床股份有限公司,企业,{first}\nM2,沈阳机床股份有限公司,企业,{second}\n"
        path.write_text(HEADER + rows, encoding="utf-8")
        summary = import_spreadsheet(settings, "organization", path, show_progress=False)
        assert organizations(settings) == [("沈阳机床股份有限公司", first), ("沈阳机床股份有限公司", second)]
        assert summary.counts["organization.merged"] == 1


class TestCreditCodeHeldByAnotherRecord:
    def test_moving_a_code_onto_another_own_record_is_a_row_error_not_a_crash(
        self, settings: Settings, tmp_path: Path
    ) -> None:
        code = credit_code("91210100MA0AAAAA1")
        path = tmp_path / "orgs.csv"
        path.write_text(HEADER + f"N1,大连甲科技有限公司,企业,{code}\nN2,大连乙材料有限公司,企业,\n", encoding="utf-8")
        import_spreadsheet(settings, "organization", path, show_progress=False)
        path.write_text(
            HEADER + f"N1,大连甲科技有限公司,企业,{code}\nN2,大连乙材料有限公司,企业,{code}\n", encoding="utf-8"
        )
        with pytest.raises(ImportRejectedError) as info:
            import_spreadsheet(settings, "organization", path, show_progress=False)
        [error] = info.value.errors
        assert (error.row, error.column, error.reason) == (3, "统一社会信用代码", Reason.CONFLICT)
        assert "大连甲科技有限公司" in error.message_zh
        assert organizations(settings) == [("大连甲科技有限公司", code), ("大连乙材料有限公司", None)]
