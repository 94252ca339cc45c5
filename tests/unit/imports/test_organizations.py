"""Organizations from a user's file resolved onto stored ones: which rows merge, and what they bring."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from techbridge.config import Settings
from techbridge.db import session_scope
from techbridge.imports.spreadsheet import import_spreadsheet
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
