"""A bad upload shows its row-level errors in the browser; nothing is imported."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from techbridge.accounts.service import create_user
from techbridge.models import Achievement, Role

pytestmark = pytest.mark.e2e

BAD = "编号,成果名称,成果类型,技术就绪度\nA1,一种储能电池,专利,5\nA2,,发明,12\n"


def test_bad_upload_shows_row_errors(live_server: str, page: Any, session: Session, tmp_path: Path) -> None:
    create_user(session=session, username="uploader", password="correct-horse", role=Role.INSTITUTION)
    session.commit()
    page.goto(f"{live_server}/login?next=/import")
    page.fill("input[name=username]", "uploader")
    page.fill("input[name=password]", "correct-horse")
    page.click("#login-form button[type=submit]")
    page.wait_for_url(f"{live_server}/import")
    path = tmp_path / "成果清单.csv"
    path.write_bytes(BAD.encode("gbk"))
    page.select_option("select[name=entity]", "achievement")
    page.set_input_files("input[name=file]", str(path))
    page.click("#import-form button[type=submit]")
    page.wait_for_selector("#import-errors")
    assert "有 3 处错误，未导入任何数据" in page.inner_text("#import-errors [role=alert]")
    rows = page.locator("#import-errors tbody tr")
    assert rows.count() == 3
    assert rows.nth(0).inner_text().split("\t")[:3] == ["3", "成果名称", "缺少必填字段"]
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Achievement)) == 0
