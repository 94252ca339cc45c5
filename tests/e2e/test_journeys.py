"""The three first-time-user journeys of issue 13, clicked end to end in chromium, in Chinese and in English,
without typing an id or a code anywhere: names are typed or picked, links and buttons are clicked.

- transfer office: template → import with an error → fix → adopters in Liaoning;
- officer: dashboard → chain report → transfer case with a picked achievement and city;
- enterprise: need → matches → save → match again → tier gaps → apply to a challenge.

Each test asserts on what the person sees, in the language they chose (texts from the i18n catalogue). With
`TECHBRIDGE_SCREENSHOTS=docs/img` set, each step saves a 1280×800 PNG (`docs/journeys.md` shows them in order).
"""

from __future__ import annotations

import csv
import io
import os
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from techbridge.access import SYSTEM
from techbridge.accounts.service import create_user, viewer_for
from techbridge.challenges.service import ChallengeCreate, publish_challenge
from techbridge.i18n.loader import translate
from techbridge.models import Role
from techbridge.policies.service import save_fact
from techbridge.transfers.demo import load_demo
from tests.e2e.browser import sign_in
from tests.integration.test_tiers_cli import HNTE_READY
from tests.unit.chains.seed import seed_chain_graph
from tests.unit.matching.seed import seed_registry

pytestmark = pytest.mark.e2e

VIEWPORT = {"width": 1280, "height": 800}
LANGUAGES = ("zh", "en")
TYPED = {"zh": {"dalian": "大连", "liaoning": "辽宁"}, "en": {"dalian": "Dalian", "liaoning": "Liaoning"}}
"""Region names as a person reading the page in that language types them."""
SHOWN = {"zh": {"dalian": "大连市", "liaoning": "辽宁省"}, "en": {"dalian": "Dalian", "liaoning": "Liaoning"}}
"""Region names as the page shows them in that language."""


@pytest.fixture(params=LANGUAGES)
def lang(request: pytest.FixtureRequest) -> str:
    """The language the person reads the portal in."""
    return str(request.param)


def shoot(page: Any, journey: str, step: str, lang: str) -> None:
    """Save the viewport as docs/img/journey-<journey>-<lang>-<step>.png when TECHBRIDGE_SCREENSHOTS names a folder."""
    folder = os.environ.get("TECHBRIDGE_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"journey-{journey}-{lang}-{step}.png"))


def start(page: Any, base: str, username: str, lang: str) -> None:
    """Sign in, then switch the language with the link in the top bar (it sticks for the rest of the journey)."""
    page.set_viewport_size(VIEWPORT)
    sign_in(page, base, username)
    if lang == "en":
        page.click("a.lang-switch")
        page.wait_for_selector("html[lang=en]")


def open_nav(page: Any, href: str) -> None:
    """Click an entry of the main navigation."""
    page.click(f"nav.mainnav a[href='{href}']")
    page.wait_for_url(f"**{href}")


def pick(page: Any, name: str, typed: str) -> str:
    """Type a name into the picker `name`, wait for its suggestions and choose the first one.

    Choosing a datalist suggestion puts the option's value into the input; headless chromium draws no popup to
    click, so the test does the same with the value the server suggested (the person never types it)."""
    field = page.locator(f"input.picker[name={name}]")
    field.click()
    field.press_sequentially(typed, delay=30)
    option = page.locator(f"#pick-{name} option[value*='{typed}']").first
    option.wait_for(state="attached")
    value = str(option.get_attribute("value"))
    field.fill(value)
    assert "/pick/" not in page.url  # the suggestions never replace the page's address (a form's hx-push-url)
    return value


# ---------------------------------------------------------------------------------------------------------------
# Transfer office: template → import with an error → fix → adopters in Liaoning
# ---------------------------------------------------------------------------------------------------------------

OUR_ACHIEVEMENT = "富锂锰基锂电池正极材料制备技术"


def fill_template(template: str, trl: str) -> str:
    """The downloaded CSV template with its example row replaced by the office's own achievement."""
    header = next(csv.reader(io.StringIO(template.lstrip("\ufeff"))))
    row = {
        "编号": "NEU-2025-01",
        "成果名称": OUR_ACHIEVEMENT,
        "成果类型": "专利",
        "摘要": "富锂锰基正极材料的共沉淀制备方法，提高锂离子电池能量密度。",
        "关键词": "正极材料;锂离子电池",
        "技术领域": "新能源",
        "技术就绪度": trl,
        "年份": "2025",
        "转化方式": "转让;许可",
        "价格（万元）": "80",
        "所在地区": "沈阳",
        "权利人": "东北大学",
    }
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerow([row.get(column, "") for column in header])
    return out.getvalue()


def upload(page: Any, path: Path) -> None:
    """Choose 科技成果 and the file, and send it."""
    page.select_option("#import-form select[name=entity]", "achievement")
    page.set_input_files("#import-form input[name=file]", str(path))
    page.click("#import-form button[type=submit]")


def test_transfer_office_imports_fixes_and_finds_adopters(
    live_server: str, page: Any, session: Session, tmp_path: Path, lang: str
) -> None:
    seeded = seed_registry(session)
    create_user(
        session=session, username="tto", password="password-1", role=Role.INSTITUTION, organization_id=seeded.university
    )
    session.commit()
    start(page, live_server, "tto", lang)
    open_nav(page, "/import")
    assert page.inner_text("main h2") == translate("imports.title", lang)
    shoot(page, "office", "1-import", lang)

    with page.expect_download() as download:
        page.click("a[href='/import/template/achievement.csv']")
    template = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert template.splitlines()[0].startswith("编号,成果名称,成果类型")

    path = tmp_path / "成果清单.csv"
    path.write_text(fill_template(template, trl="12"), encoding="utf-8")
    upload(page, path)
    page.wait_for_selector("#import-errors")
    alert = page.inner_text("#import-errors [role=alert]")
    assert alert.startswith(translate("imports.rejected", lang, name=path.name, count=1).rstrip("：:"))
    error = page.locator("#import-errors tbody tr").first.inner_text().split("\t")
    assert error[:3] == ["2", "技术就绪度", translate("imports.reason.out_of_range", lang)]
    shoot(page, "office", "2-error", lang)

    path.write_text(fill_template(template, trl="6"), encoding="utf-8")
    upload(page, path)
    page.wait_for_selector("#import-done")
    assert translate("imports.done", lang, name=path.name).rstrip("：:") in page.inner_text("#import-done")
    shoot(page, "office", "3-imported", lang)

    page.click(f"#import-records a:has-text('{OUR_ACHIEVEMENT}')")
    page.wait_for_selector("#record[data-kind=achievement]")
    assert OUR_ACHIEVEMENT in page.inner_text("#record h1")
    adopters = page.locator('#adopters li.hit[data-entity="enterprise"]')
    adopters.first.wait_for()
    first = adopters.first
    assert "沈阳新能源电池有限公司" in first.inner_text()
    assert first.locator(".tag.local").inner_text() == translate("match.local", lang)
    local = first.locator(".reason[data-code=local]").inner_text()
    shenyang = {"zh": "沈阳市 (2101)", "en": "Shenyang (2101)"}[lang]
    assert local == translate(
        "match.reason.local", lang, region=shenyang
    )  # the name with the code, in the page language
    heading = page.locator("section.panel:has(#adopters) > h2").inner_text()
    assert heading == translate("registry.adopters", lang)  # the lazily loaded panel keeps its heading
    remote = page.locator(f'#adopters li.hit[data-id="{seeded.remote_battery_maker}"]')
    assert remote.count() == 0 or remote.locator(".tag.local").count() == 0  # Shenzhen is not local
    first.scroll_into_view_if_needed()
    shoot(page, "office", "4-adopters", lang)


# ---------------------------------------------------------------------------------------------------------------
# Officer: dashboard → chain report → transfer case with a picked achievement and city
# ---------------------------------------------------------------------------------------------------------------


CASE = "PTA 氧化催化剂落地大连"


def test_officer_dashboard_chain_report_and_case(live_server: str, page: Any, session: Session, lang: str) -> None:
    seed_chain_graph(session)
    load_demo(session=session, seed=3)
    create_user(session=session, username="officer", password="password-1", role=Role.OFFICER)
    session.commit()
    start(page, live_server, "officer", lang)

    open_nav(page, "/dashboard")
    page.wait_for_selector("#chart-map canvas")
    page.wait_for_selector("#chart-trend canvas")
    assert translate("dashboard.rate_value", lang) in page.inner_text("#headline")
    shoot(page, "officer", "1-dashboard", lang)

    open_nav(page, "/chains")
    page.click("tr[data-chain=petrochem] a[href*='/report']")
    page.wait_for_selector("#leaders")
    assert "恒力石化" in page.inner_text("#leaders")
    assert "大连化物所" in page.inner_text("#consortium")
    shoot(page, "officer", "2-chain-report", lang)

    open_nav(page, "/transfers")
    page.click("#new-case-link")
    page.fill("#new-case input[name=title]", CASE)
    page.fill("#new-case input[name=counterpart_name]", "恒力石化")
    achievement = pick(page, "achievement", "精对苯二甲酸")
    assert achievement.startswith("一种精对苯二甲酸氧化反应催化剂")
    city = pick(page, "city", TYPED[lang]["dalian"])
    assert city.startswith(SHOWN[lang]["dalian"])
    page.locator("#new-case").scroll_into_view_if_needed()
    shoot(page, "officer", "3-new-case", lang)
    page.click("#new-case button[type=submit]")
    page.wait_for_selector("#case[data-stage=matched]")
    assert page.inner_text("#flash") == translate("flash.created", lang)
    assert page.inner_text("#case-achievement") == "一种精对苯二甲酸氧化反应催化剂"
    assert page.inner_text("#case-city").startswith(SHOWN[lang]["dalian"])
    shoot(page, "officer", "4-case", lang)

    page.click("#case a[href='/transfers']")  # back to the workbench, which finds it among the demo cases by city
    pick(page, "region", TYPED[lang]["dalian"])
    page.select_option("#case-filters select[name=data]", "real")
    page.click("#case-filters button[type=submit]")
    page.wait_for_url("**/transfers?*data=real*")  # HTMX swapped the filtered list in and pushed its address
    rows = page.locator("#case-table tbody tr[data-case]")
    rows.filter(has_text=CASE).wait_for()
    assert rows.count() == 1
    shoot(page, "officer", "5-workbench", lang)


# ---------------------------------------------------------------------------------------------------------------
# Enterprise: need → matches → save → match again → tier gaps → apply to a challenge
# ---------------------------------------------------------------------------------------------------------------

NEED = "锂电池正极材料"
OUT_OF_PROVINCE = "锂电池正极材料回收工艺"  # a Shenzhen company's achievement
CHALLENGE = "高能量密度锂电池正极材料攻关"


def seed_enterprise(session: Session) -> int:
    """The matching registry, the battery maker's user with some tier facts (one missing), an open challenge."""
    seeded = seed_registry(session)
    org = seeded.local_battery_maker
    for fact, value in HNTE_READY.items():
        if fact != "hnte_innovation_score":
            save_fact(session=session, viewer=SYSTEM, organization_id=org, fact=fact, value=value)
    create_user(session=session, username="qiye", password="password-1", role=Role.ENTERPRISE, organization_id=org)
    officer = create_user(session=session, username="officer", password="password-1", role=Role.OFFICER)
    publish_challenge(
        session=session,
        viewer=viewer_for(officer),
        data=ChallengeCreate(
            title=CHALLENGE, goal="研制能量密度 ≥ 300 Wh/kg 的锂电池正极材料", deadline=date(2099, 12, 31)
        ),
    )
    session.commit()
    return org


def test_enterprise_need_to_challenge(live_server: str, page: Any, session: Session, lang: str) -> None:
    seed_enterprise(session)
    start(page, live_server, "qiye", lang)

    open_nav(page, "/match")
    page.fill("#q", NEED)
    page.keyboard.press("End")
    page.keyboard.type(" ")
    hits = page.locator("#achievement-hits li.hit")
    hits.filter(has_text=OUT_OF_PROVINCE).wait_for()  # before the region is chosen: Shenzhen's recycling process
    pick(page, "region", TYPED[lang]["liaoning"])
    page.click("#match-form button[type=submit]")
    hits.filter(has_text=OUT_OF_PROVINCE).wait_for(state="detached")
    assert "高镍三元锂电池正极材料低成本制备技术" in hits.first.inner_text()
    shoot(page, "enterprise", "1-matches", lang)

    page.click("#save-demand button[type=submit]")
    page.wait_for_selector("#record[data-kind=demand]")
    assert NEED in page.inner_text("#record h1")
    assert page.inner_text("#flash") == translate("flash.saved", lang)
    assert SHOWN[lang]["liaoning"] in page.inner_text("#record")  # the region picked by name is saved with the need
    saved = page.locator("#demand-matches #achievement-hits li.hit")
    saved.first.wait_for()  # the demand page shows its own matches
    assert saved.filter(has_text="高镍三元锂电池正极材料低成本制备技术").count() == 1
    shoot(page, "enterprise", "2-saved", lang)

    page.click("#match-again")  # 供需对接: /match filled with the saved need and its region
    page.wait_for_url("**/match?demand=*")
    assert page.input_value("#q") == NEED
    assert page.input_value("input.picker[name=region]").startswith(SHOWN[lang]["liaoning"])
    hits.first.wait_for()
    assert hits.filter(has_text=OUT_OF_PROVINCE).count() == 0
    shoot(page, "enterprise", "3-match-again", lang)

    open_nav(page, "/tiers")
    page.click("#own-tiers-link")
    page.wait_for_selector("#todo")
    assert page.inner_text("#todo h2") == translate("tiers.todo", lang)
    todo = page.locator("#todo li[data-fact=hnte_innovation_score]")
    assert todo.count() == 1
    hnte = "details.policy-result[data-policy=hnte]"
    assert page.get_attribute(hnte, "data-verdict") == "unknown"
    shoot(page, "enterprise", "4-tier-gaps", lang)
    todo.locator("a").click()  # the missing fact, preselected on the fact form: the person types only its value
    page.fill("#save-fact-form input[name=value]", "71")
    page.click("#save-fact-form button[type=submit]")
    page.wait_for_url("**done=saved")
    assert page.inner_text("#flash") == translate("flash.saved", lang)
    assert page.get_attribute(hnte, "data-verdict") == "eligible"
    assert todo.count() == 0

    open_nav(page, "/challenges")
    page.click(f"#challenge-table a:has-text('{CHALLENGE}')")
    page.wait_for_selector("#challenge[data-status=open]")
    page.fill("#apply-form input[name=team_name]", "沈阳新能源电池研发团队")
    page.fill("#apply-form textarea[name=plan]", "高镍三元与富锂锰基正极材料中试")
    pick(page, "expert_1", "张伟")
    page.locator("#apply-form").scroll_into_view_if_needed()
    shoot(page, "enterprise", "5-apply", lang)
    page.click("#apply-form button[type=submit]")
    page.wait_for_url("**done=applied**")
    assert page.inner_text("#flash") == translate("flash.applied", lang)
    mine = page.inner_text("#my-applications")
    assert "沈阳新能源电池研发团队" in mine
    assert "张伟" in mine
    assert page.locator("#apply-form").count() == 0
    shoot(page, "enterprise", "6-applied", lang)
