"""The broker workspace in a real browser: open a case, advance it, see a refused skip, record a skip, close."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from techbridge.accounts.service import create_user
from techbridge.models import Role
from tests.e2e.browser import sign_in

pytestmark = pytest.mark.e2e


def test_broker_carries_a_case_to_production(live_server: str, page: Any, session: Session) -> None:
    create_user(session=session, username="broker", password="password-1", role=Role.BROKER)
    session.commit()
    sign_in(page, live_server, "broker")
    page.goto(f"{live_server}/transfers")
    page.fill("#new-case input[name=title]", "氢燃料电池膜电极转化")
    page.click("#new-case button[type=submit]")
    page.wait_for_selector("#case[data-stage=matched]")
    page.click("#advance-form button[type=submit]")
    page.wait_for_selector("#case[data-stage=contacted]")
    page.select_option("#advance-form select[name=to]", "producing")
    page.click("#advance-form button[type=submit]")
    assert "跳过" in page.inner_text("main")  # refused: a skip must be recorded with a reason
    page.go_back()
    page.reload()
    page.select_option("#advance-form select[name=to]", "producing")
    page.check("#advance-form input[name=skip]")
    page.fill("#advance-form input[name=reason]", "企业已自建中试线")
    page.click("#advance-form button[type=submit]")
    page.wait_for_selector("#case[data-stage=producing]")
    assert "企业已自建中试线" in page.inner_text("#events")
    page.goto(f"{live_server}/transfers")
    assert "氢燃料电池膜电极转化" in page.inner_text("#case-table")


def test_closing_a_case_asks_first_in_the_chosen_language(live_server: str, page: Any, session: Session) -> None:
    create_user(session=session, username="broker", password="password-1", role=Role.BROKER)
    session.commit()
    sign_in(page, live_server, "broker")
    page.goto(f"{live_server}/lang/en?next=/transfers")
    page.fill("#new-case input[name=title]", "Membrane transfer")
    page.click("#new-case button[type=submit]")
    page.wait_for_selector("#case[data-stage=matched]")
    questions: list[str] = []

    def answer(dialog: Any, accept: bool) -> None:
        questions.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda dialog: answer(dialog, False))
    page.click("#close-form button[type=submit]")
    page.wait_for_timeout(300)
    assert questions == ["Close this case? A closed case cannot be moved on."]
    page.reload()
    assert page.get_attribute("#case", "data-stage") == "matched"  # dismissed: nothing was sent
    page.once("dialog", lambda dialog: answer(dialog, True))
    page.click("#close-form button[type=submit]")
    page.wait_for_selector("#case[data-stage=closed]")
    assert page.inner_text("#flash") == "Case closed."
