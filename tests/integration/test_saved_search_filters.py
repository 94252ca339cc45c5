"""A saved search keeps every filter of the need page it was saved from, shows them in 我的订阅 (zh and en), and the
alert job applies them to new records exactly as the saved page would have: through a real DB, the portal and the
job; old rows without filters (or with only a region) keep working."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from techbridge.access import Viewer
from techbridge.accounts.service import viewer_for
from techbridge.config import Settings
from techbridge.db import session_scope
from techbridge.errors import ConflictError
from techbridge.matching.schemas import MatchFilters
from techbridge.matching.service import match_need
from techbridge.models import (
    Achievement,
    AchievementKind,
    AchievementOwner,
    Expert,
    Notification,
    OrgKind,
    Role,
    Subscription,
    SubscriptionKind,
    User,
    Visibility,
)
from techbridge.notifications.schemas import SubscriptionCreate
from techbridge.notifications.service import create_subscription, ensure_cursors, run_alerts
from techbridge.web.app import create_app
from tests.html_page import Page
from tests.registry_seed import PASSWORD, make_organization, make_regions, make_user

QUERY = "锂电池正极材料低温性能"
TEXT = "一种改善锂电池正极材料低温性能的掺杂方法"
FIELD = "新能源"
FILTERS = {"region": "2102", "field": FIELD, "trl_min": 5, "trl_max": 8, "kind": "patent", "owner_type": "university"}


@dataclass(frozen=True)
class World:
    watcher: int
    maker: int
    university: int
    enterprise: int
    far_university: int


@pytest.fixture
def world(session: Session) -> World:
    make_regions(session)
    watcher = make_user(session, "watcher", Role.ENTERPRISE)
    maker = make_user(session, "maker", Role.INSTITUTION)
    university = make_organization(session, "大连示例大学", OrgKind.UNIVERSITY, region_code="2102")
    enterprise = make_organization(session, "大连示例电池公司", OrgKind.ENTERPRISE, region_code="2102")
    far = make_organization(session, "沈阳示例大学", OrgKind.UNIVERSITY, region_code="2101")
    # the field tag must be carried by a visible record before a search can be restricted to it
    session.add(Achievement(kind=AchievementKind.PATENT, title="既有成果", field_tags=[FIELD], owner_id=maker.id))
    session.commit()
    return World(watcher.id, maker.id, university.id, enterprise.id, far.id)


def _viewer(session: Session, user_id: int) -> Viewer:
    user = session.get(User, user_id)
    assert user is not None
    return viewer_for(user)


def _subscribe(settings: Settings, user_id: int, **filters: Any) -> int:
    with session_scope(settings.database_url) as session:
        data = SubscriptionCreate(kind=SubscriptionKind.SEARCH, query=QUERY, **filters)
        return create_subscription(session=session, viewer=_viewer(session, user_id), data=data).id


def _achievement(settings: Settings, world: World, title: str, owner_org: int, **values: object) -> int:
    values.setdefault("kind", AchievementKind.PATENT)
    values.setdefault("trl", 6)
    values.setdefault("field_tags", [FIELD])
    with session_scope(settings.database_url) as session:
        record = Achievement(title=title, owner_id=world.maker, visibility=Visibility.PUBLIC, **values)
        session.add(record)
        session.flush()
        session.add(AchievementOwner(achievement_id=record.id, organization_id=owner_org))
        return record.id


def _expert(settings: Settings, world: World, name: str, affiliation: int, fields: list[str]) -> int:
    with session_scope(settings.database_url) as session:
        expert = Expert(name=name, affiliation_id=affiliation, fields=fields, bio=TEXT, owner_id=world.maker)
        session.add(expert)
        session.flush()
        return expert.id


def _notified(settings: Settings, subscription_id: int) -> set[tuple[str, int]]:
    with session_scope(settings.database_url) as session:
        stmt = select(Notification.entity, Notification.record_id).where(
            Notification.subscription_id == subscription_id
        )
        return {(str(entity), int(record)) for entity, record in session.execute(stmt)}


class TestAlertJobHonoursTheFilters:
    def test_only_records_the_saved_page_would_show_are_notified(self, settings: Settings, world: World) -> None:
        subscription = _subscribe(
            settings,
            world.watcher,
            region="2102",
            field=FIELD,
            trl_min=5,
            trl_max=8,
            achievement_kind=AchievementKind.PATENT,
            owner_type="university",
        )
        fits = _achievement(settings, world, f"{TEXT}（合格）", world.university)
        region_by_owner = _achievement(settings, world, f"{TEXT}（本身无地区）", world.university, region_code=None)
        misses = [
            _achievement(settings, world, f"{TEXT}（成熟度低）", world.university, trl=3),
            _achievement(settings, world, f"{TEXT}（成熟度高）", world.university, trl=9),
            _achievement(settings, world, f"{TEXT}（无成熟度）", world.university, trl=None),
            _achievement(settings, world, f"{TEXT}（论文）", world.university, kind=AchievementKind.PAPER),
            _achievement(settings, world, f"{TEXT}（别的领域）", world.university, field_tags=["生物医药"]),
            _achievement(settings, world, f"{TEXT}（企业持有）", world.enterprise),
            _achievement(settings, world, f"{TEXT}（沈阳）", world.far_university, region_code="2101"),
        ]
        expert_fits = _expert(settings, world, "张合格", world.university, [FIELD])
        expert_misses = [
            _expert(settings, world, "李别领域", world.university, ["生物医药"]),
            _expert(settings, world, "王沈阳", world.far_university, [FIELD]),
        ]
        report = run_alerts(settings)
        assert report.processed == 12
        expected = {("achievement", fits), ("achievement", region_by_owner), ("expert", expert_fits)}
        assert _notified(settings, subscription) == expected
        # the saved page, as it would show now, lists exactly these among the records that fit the words
        with session_scope(settings.database_url) as session:
            viewer = _viewer(session, world.watcher)
            stored = session.get(Subscription, subscription)
            assert stored is not None
            page = match_need(
                session=session,
                settings=settings,
                viewer=viewer,
                text=stored.query,
                filters=MatchFilters.from_saved(stored.filters),
                limit=50,
            )
        shown = {("achievement", h.entity_id) for h in page.achievements} | {
            ("expert", h.entity_id) for h in page.experts
        }
        assert expected <= shown
        assert shown.isdisjoint({("achievement", i) for i in misses} | {("expert", i) for i in expert_misses})

    def test_rows_saved_before_the_filters_existed_keep_working(self, settings: Settings, world: World) -> None:
        with session_scope(settings.database_url) as session:
            old_rows = [
                Subscription(
                    user_id=world.watcher,
                    kind=SubscriptionKind.SEARCH,
                    title=QUERY,
                    query=QUERY,
                    filters=filters,
                    targets=["achievement", "expert"],
                )
                for filters in ({}, {"region": "2101"})
            ]
            session.add_all(old_rows)
            ensure_cursors(session, ["achievement", "expert"])
            unfiltered, shenyang = (row.id for row in old_rows)
        dalian = _achievement(settings, world, f"{TEXT}（大连）", world.university)
        paper = _achievement(settings, world, f"{TEXT}（沈阳论文）", world.far_university, kind=AchievementKind.PAPER)
        run_alerts(settings)
        assert _notified(settings, unfiltered) == {("achievement", dalian), ("achievement", paper)}
        assert _notified(settings, shenyang) == {("achievement", paper)}

    def test_the_same_words_with_other_filters_is_another_search(self, settings: Settings, world: World) -> None:
        _subscribe(settings, world.watcher, region="2102")
        _subscribe(settings, world.watcher, region="2102", trl_min=5)
        with pytest.raises(ConflictError):
            _subscribe(settings, world.watcher, region="2102", trl_min=5)


def _csrf(client: TestClient) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert match is not None
    return match.group(1)


def _signed_in(settings: Settings) -> TestClient:
    client = TestClient(create_app(settings))
    client.post("/login", data={"username": "watcher", "password": PASSWORD, "csrf_token": _csrf(client)})
    return client


class TestSavingFromTheMatchPage:
    def test_the_subscribe_form_carries_every_filter_and_saving_keeps_them(
        self, settings: Settings, world: World
    ) -> None:
        client = _signed_in(settings)
        _achievement(settings, world, f"{TEXT}（已有）", world.university)
        url = f"/match?q={QUERY}&region=大连&field={FIELD}&trl_min=5&trl_max=8&kind=patent&owner_type=university"
        response = client.get(url)
        page = Page(response.text, response.status_code)
        form = {e.attrs["name"]: e.attrs.get("value", "") for e in page.find("input", "subscribe-search")}
        assert {k: form[k] for k in FILTERS} == {k: str(v) for k, v in FILTERS.items()}
        saved = client.post("/subscriptions", data={**form, "csrf_token": _csrf(client)})
        assert saved.status_code == 200
        with session_scope(settings.database_url) as session:
            assert session.scalars(select(Subscription.filters)).one() == FILTERS

    @pytest.mark.parametrize(
        ("lang", "shown"),
        [
            ("zh", ["大连市 (2102)", "领域：新能源", "成熟度 5–8", "成果类型：专利", "持有方类型：高校"]),
            ("en", ["Dalian (2102)", "Field: 新能源", "TRL 5–8", "Kind: Patent", "Owner type: University"]),
        ],
    )
    def test_the_list_shows_the_saved_filters_in_the_pages_language(
        self, settings: Settings, world: World, lang: str, shown: list[str]
    ) -> None:
        client = _signed_in(settings)
        form = {"q": QUERY, "region": "大连", "field": FIELD, "trl_min": "5", "trl_max": "8", "kind": "patent"}
        client.post("/subscriptions", data={**form, "owner_type": "university", "csrf_token": _csrf(client)})
        page = Page(client.get(f"/subscriptions?lang={lang}").text, 200)
        assert [e.text for e in page.find("span", "subscriptions") if "tag" in e.attrs.get("class", "")] == shown
        link = page.find("a", "subscriptions")[0].attrs["href"]
        assert {"region=2102", "trl_min=5", "owner_type=university"} <= set(link.split("?", 1)[1].split("&"))
        reopened = client.get(link)
        assert reopened.status_code == 200
        assert Page(reopened.text, 200).value("trl_min") == "5"

    def test_a_filter_naming_nothing_stays_on_the_form(self, settings: Settings, world: World) -> None:
        client = _signed_in(settings)
        data = {"q": QUERY, "field": "不存在的领域", "trl_min": "12", "kind": "patent", "csrf_token": _csrf(client)}
        bad = client.post("/subscriptions", data=data)
        assert bad.status_code == 422
        assert 'value="不存在的领域"' in bad.text
        bad_trl = client.post("/subscriptions", data={**data, "field": FIELD})
        assert bad_trl.status_code == 422
        assert "技术成熟度应为 1 到 9 的整数" in bad_trl.text
        assert 'value="12"' in bad_trl.text
        with session_scope(settings.database_url) as session:
            assert session.scalars(select(Subscription)).all() == []
