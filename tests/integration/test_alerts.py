"""Subscriptions → notifications → e-mail digests → 对接 requests, through a real DB, a real local SMTP server
(aiosmtpd on loopback), the JSON API, the portal and the CLI."""

from __future__ import annotations

import asyncio
import json
import socket
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient
from sqlalchemy import event, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from techbridge.accounts.service import viewer_for
from techbridge.cli.app import app as cli
from techbridge.config import Settings
from techbridge.db import get_engine, session_scope
from techbridge.models import (
    Achievement,
    AchievementKind,
    AlertSetting,
    Demand,
    DigestFrequency,
    EmailMessage,
    Expert,
    Notification,
    Organization,
    OrgKind,
    Role,
    Subscription,
    SubscriptionKind,
    Visibility,
)
from techbridge.notifications import digest
from techbridge.notifications.schemas import AlertRunReport, SubscriptionCreate
from techbridge.notifications.service import create_subscription, now_utc, run_alerts
from techbridge.web.app import create_app
from tests.registry_seed import PASSWORD, make_organization, make_regions, make_user
from tests.write_lock import probe_write_lock

NEED = "锂电池正极材料低温性能提升"
FITTING = "一种改善锂电池正极材料低温性能的掺杂方法"


@dataclass(frozen=True)
class People:
    enterprise: int
    institution: int
    outsider: int
    officer: int
    demand: int


@pytest.fixture
def people(session: Session) -> People:
    make_regions(session)
    org = make_organization(session, "大连示例电池有限公司", OrgKind.ENTERPRISE, region_code="2102")
    ent = make_user(session, "ent", Role.ENTERPRISE, org.id)
    inst = make_user(session, "inst", Role.INSTITUTION)
    outsider = make_user(session, "outsider", Role.ENTERPRISE)
    officer = make_user(session, "officer", Role.OFFICER)
    demand = Demand(
        title=NEED, description="需要提升 -20℃ 下的容量保持率", owner_id=ent.id, visibility=Visibility.REGISTERED
    )
    session.add(demand)
    session.flush()
    session.commit()
    return People(ent.id, inst.id, outsider.id, officer.id, demand.id)


def _subscribe_demand(settings: Settings, people: People) -> int:
    with session_scope(settings.database_url) as session:
        from techbridge.models import User

        viewer = viewer_for(session.get(User, people.enterprise))
        data = SubscriptionCreate(kind=SubscriptionKind.DEMAND, demand_id=people.demand)
        return create_subscription(session=session, viewer=viewer, data=data).id


def _achievement(settings: Settings, owner: int, title: str, visibility: Visibility = Visibility.PUBLIC) -> int:
    with session_scope(settings.database_url) as session:
        record = Achievement(kind=AchievementKind.PATENT, title=title, owner_id=owner, visibility=visibility)
        session.add(record)
        session.flush()
        return record.id


def _notifications(settings: Settings, user_id: int) -> list[Notification]:
    with session_scope(settings.database_url) as session:
        rows = list(session.scalars(select(Notification).where(Notification.user_id == user_id)))
        session.expunge_all()
        return rows


def _set_active(settings: Settings, user_id: int, active: bool) -> None:
    with session_scope(settings.database_url) as session:
        from techbridge.models import User

        user = session.get(User, user_id)
        assert user is not None
        user.is_active = active


class TestAlertJob:
    def test_a_fitting_new_achievement_is_notified_once_and_a_private_one_never(
        self, settings: Settings, people: People
    ) -> None:
        _achievement(settings, people.institution, "旧成果：锂电池正极材料低温性能")  # older than the subscription
        _subscribe_demand(settings, people)
        fitting = _achievement(settings, people.institution, FITTING)
        _achievement(settings, people.institution, "锂电池正极材料低温性能（保密）", Visibility.OWNER)
        _achievement(settings, people.institution, "新型高效粽叶清洗机")
        first = run_alerts(settings)
        assert (first.processed, first.notifications) == (3, 1)
        [hit] = _notifications(settings, people.enterprise)
        assert (hit.entity, hit.record_id, hit.title) == ("achievement", fitting, FITTING)
        assert [r["code"] for r in hit.reasons] == ["terms", "coverage"]
        assert "锂电池" in hit.reasons[0]["zh"]
        again = run_alerts(settings)
        assert (again.processed, again.notifications) == (0, 0)
        assert len(_notifications(settings, people.enterprise)) == 1

    def test_a_deactivated_user_is_notified_of_nothing(self, settings: Settings, people: People) -> None:
        """The job reads new records as each subscriber: a deactivated account, refused at sign-in and by `--as`,
        reads nothing, not even as the officer it was (fifth access probe: it went on hearing of owner-only
        records)."""
        _subscribe_search(settings, people.officer, NEED)
        _set_active(settings, people.officer, False)
        _achievement(settings, people.institution, FITTING + "（保密）", Visibility.OWNER)
        _achievement(settings, people.institution, FITTING)
        assert run_alerts(settings).notifications == 0
        assert _notifications(settings, people.officer) == []
        _set_active(settings, people.officer, True)
        hidden = _achievement(settings, people.institution, FITTING + "（新，保密）", Visibility.OWNER)
        assert [n.record_id for n in _notifications(settings, people.officer)] == []
        assert run_alerts(settings).notifications == 1
        assert [n.record_id for n in _notifications(settings, people.officer)] == [hidden]

    def test_the_bell_stops_counting_a_record_made_private_after_it_was_notified(
        self, settings: Settings, people: People
    ) -> None:
        from techbridge.models import User
        from techbridge.notifications.service import list_notifications, unread_count

        _subscribe_demand(settings, people)
        fitting = _achievement(settings, people.institution, FITTING)
        run_alerts(settings)
        with session_scope(settings.database_url) as session:
            viewer = viewer_for(session.get(User, people.enterprise))
            assert unread_count(session=session, viewer=viewer) == 1
            record = session.get(Achievement, fitting)
            assert record is not None
            record.visibility = Visibility.OWNER
            session.flush()
            assert list_notifications(session=session, viewer=viewer, unread_only=True) == []
            assert unread_count(session=session, viewer=viewer) == 0

    def test_a_kill_between_batches_resumes_without_duplicates(self, settings: Settings, people: People) -> None:
        _subscribe_demand(settings, people)
        for n in range(5):
            _achievement(settings, people.institution, f"{FITTING}（第{n}号）")
        run_alerts(settings, batch_size=2)
        with session_scope(settings.database_url) as session:  # as if the cursor had not been saved by a kill
            from techbridge.models import AlertCursor

            cursor = session.get(AlertCursor, "achievement")
            assert cursor is not None
            cursor.last_id -= 3
        run_alerts(settings, batch_size=2)
        assert len(_notifications(settings, people.enterprise)) == 5

    def test_many_notifications_are_written_a_chunk_to_a_transaction(self, settings: Settings, people: People) -> None:
        if not settings.database_url.startswith("sqlite"):
            pytest.skip("the probe takes SQLite's write lock")
        _subscribe_demand(settings, people)
        writes = ("INSERT INTO notifications", "UPDATE alert_cursors")
        _achievement(settings, people.institution, FITTING)
        with probe_write_lock(settings.database_url, lambda sql: sql.startswith(writes)) as probe:
            assert run_alerts(settings).notifications == 1
        assert (probe.held, probe.free) == (0, 2), probe.errors  # the notifications, then the cursor
        for n in range(3):
            _achievement(settings, people.institution, f"{FITTING}（第{n}号）")
        with probe_write_lock(settings.database_url, lambda sql: sql.startswith(writes)) as probe:
            report = run_alerts(settings, notify_chunk=1)
        assert (report.processed, report.notifications) == (3, 3)
        assert (probe.held, probe.free) == (0, 4), probe.errors  # each chunk and the cursor: a transaction each
        assert len(_notifications(settings, people.enterprise)) == 4

    def test_a_kill_after_some_chunks_resumes_without_duplicates(self, settings: Settings, people: People) -> None:
        _subscribe_demand(settings, people)
        for n in range(3):
            _achievement(settings, people.institution, f"{FITTING}（第{n}号）")
        run_alerts(settings)
        with session_scope(settings.database_url) as session:  # as if killed after the chunks, before the cursor
            from techbridge.models import AlertCursor

            cursor = session.get(AlertCursor, "achievement")
            assert cursor is not None
            cursor.last_id -= 3
            session.delete(session.scalars(select(Notification).order_by(Notification.id.desc())).first())
        again = run_alerts(settings)
        assert (again.processed, again.notifications) == (3, 1)
        assert len(_notifications(settings, people.enterprise)) == 3

    def test_a_failed_round_does_not_end_the_every_loop(self, settings: Settings, people: People) -> None:
        if not settings.database_url.startswith("sqlite"):
            pytest.skip("the stand-in for the concurrent run writes through sqlite3")
        from techbridge.notifications.service import run_alerts_every

        _subscribe_demand(settings, people)
        fitting = _achievement(settings, people.institution, FITTING)
        rounds: list[AlertRunReport] = []
        errors: list[str] = []
        with another_run_writes_first(settings.database_url):
            run_alerts_every(
                settings,
                every=0,
                should_stop=lambda: len(rounds) + len(errors) >= 2,
                on_report=rounds.append,
                on_error=lambda exc: errors.append(type(exc).__name__),
            )
        assert errors == ["IntegrityError"]  # the first round met the other run's row
        assert [(r.processed, r.notifications) for r in rounds] == [(1, 0)]  # the next round went on past it
        [hit] = _notifications(settings, people.enterprise)
        assert hit.record_id == fitting

    def test_an_owner_hears_of_new_demands_fitting_their_achievement(self, settings: Settings, people: People) -> None:
        achievement = _achievement(settings, people.institution, FITTING)
        with session_scope(settings.database_url) as session:
            from techbridge.models import User

            viewer = viewer_for(session.get(User, people.institution))
            data = SubscriptionCreate(kind=SubscriptionKind.ACHIEVEMENT, achievement_id=achievement)
            create_subscription(session=session, viewer=viewer, data=data)
            session.add(Demand(title="求购锂电池正极材料低温改性技术", owner_id=people.outsider))
        run_alerts(settings)
        [hit] = _notifications(settings, people.institution)
        assert hit.entity == "demand"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Inbox:
    """An aiosmtpd handler keeping what it receives."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        self.messages.append(message_from_bytes(envelope.original_content, policy=policy.default))  # type: ignore[attr-defined]
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox, port = Inbox(), _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


class SlowInbox(Inbox):
    """An inbox whose server takes a while to accept each message (as a real one over the network may)."""

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        await asyncio.sleep(0.5)
        return await super().handle_DATA(server, session, envelope)


def _subscribe_search(settings: Settings, user_id: int, query: str) -> None:
    with session_scope(settings.database_url) as session:
        from techbridge.models import User

        viewer = viewer_for(session.get(User, user_id))
        create_subscription(session=session, viewer=viewer, data=SubscriptionCreate(query=query))


@contextmanager
def another_run_writes_first(url: str) -> Iterator[None]:
    """Just before this process inserts its first notification, another connection commits the same row (as a
    second alert run beside this one may)."""
    done: list[bool] = []

    def listener(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_args: Any) -> None:
        if done or not statement.startswith("INSERT INTO notifications"):
            return
        done.append(True)
        row = parameters[0] if isinstance(parameters, list) else parameters
        path = make_url(url).database
        assert path
        with sqlite3.connect(path) as other:
            other.execute(
                "INSERT INTO notifications (user_id, subscription_id, entity, record_id, title, score, reasons,"
                " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (*row[:7], row[-1]),  # the ORM's columns: ..., reasons, read_at, emailed_at, created_at
            )

    engine = get_engine(url)
    event.listen(engine, "before_cursor_execute", listener)
    try:
        yield
    finally:
        event.remove(engine, "before_cursor_execute", listener)


def _set_visibility(settings: Settings, achievement_id: int, visibility: Visibility) -> None:
    with session_scope(settings.database_url) as session:
        record = session.get(Achievement, achievement_id)
        assert record is not None
        record.visibility = visibility


def _want_mail(settings: Settings, user_id: int) -> None:
    with session_scope(settings.database_url) as session:
        session.add(AlertSetting(user_id=user_id, email="ent@example.test", frequency=DigestFrequency.IMMEDIATE))


class TestDigests:
    def test_one_digest_reaches_the_smtp_server_with_both_parts_and_a_working_unsubscribe(
        self, settings: Settings, people: People, smtp: tuple[Inbox, int]
    ) -> None:
        inbox, port = smtp
        local = settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": port})
        _want_mail(local, people.enterprise)
        _subscribe_demand(local, people)
        _achievement(local, people.institution, FITTING)
        report = run_alerts(local)
        assert (report.notifications, report.emails_sent, report.emails_failed) == (1, 1, 0)
        [mail] = inbox.messages
        assert mail["To"] == "ent@example.test"
        assert str(mail["Subject"]) == "科创桥：1 条新的匹配"
        parts = {part.get_content_type(): part for part in mail.walk()}
        assert {"text/plain", "text/html"} <= set(parts)
        text = parts["text/plain"].get_payload(decode=True).decode("utf-8")
        assert FITTING in text
        assert "锂电池" in text
        link = next(word for word in text.split() if "/unsubscribe?token=" in word)
        page = TestClient(create_app(local)).get(link.split("8000", 1)[1])
        assert page.status_code == 200
        with session_scope(local.database_url) as session:
            setting = session.get(AlertSetting, people.enterprise)
            assert setting is not None
            assert setting.frequency == DigestFrequency.OFF
        assert run_alerts(local).emails_sent == 0

    def test_a_user_deactivated_after_being_notified_is_mailed_nothing(
        self, settings: Settings, people: People, smtp: tuple[Inbox, int]
    ) -> None:
        inbox, port = smtp
        local = settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": port})
        _subscribe_demand(local, people)
        _achievement(local, people.institution, FITTING)
        assert run_alerts(local).notifications == 1  # no e-mail wanted yet: the notification waits unmailed
        _want_mail(local, people.enterprise)
        _set_active(local, people.enterprise, False)
        assert run_alerts(local).emails_sent == 0
        assert inbox.messages == []
        _set_active(local, people.enterprise, True)
        assert run_alerts(local).emails_sent == 1

    def test_a_record_made_private_after_it_was_notified_stays_out_of_the_mail(
        self, settings: Settings, people: People, smtp: tuple[Inbox, int]
    ) -> None:
        inbox, port = smtp
        local = settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": port})
        _subscribe_demand(local, people)
        fitting = _achievement(local, people.institution, FITTING)
        assert run_alerts(local).notifications == 1  # no e-mail wanted yet: the notification waits unmailed
        _set_visibility(local, fitting, Visibility.OWNER)
        _want_mail(local, people.enterprise)
        assert run_alerts(local).emails_sent == 0
        assert inbox.messages == []
        _set_visibility(local, fitting, Visibility.REGISTERED)
        assert run_alerts(local).emails_sent == 1
        assert FITTING in inbox.messages[0].get_body(("plain",)).get_content()

    def test_an_affiliation_made_private_after_its_expert_was_notified_stays_out_of_the_list_and_the_mail(
        self, settings: Settings, people: People, smtp: tuple[Inbox, int]
    ) -> None:
        """A public expert's notification names the affiliation its subscriber could read when notified; once that
        institution is owner-only, neither the list, the API nor the digest names it (found by the fourth access
        probe), and the stored row is not rewritten."""
        inbox, port = smtp
        local = settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": port})
        _subscribe_demand(local, people)
        with session_scope(local.database_url) as session:
            lab = make_organization(session, "低温电池实验室", OrgKind.UNIVERSITY, owner_id=people.institution)
            expert = Expert(name="李四", affiliation_id=lab.id, affiliation_name=lab.name, fields=[FITTING], bio=NEED)
            session.add(expert)
            lab_id = lab.id
        assert run_alerts(local).notifications == 1
        [stored] = _notifications(local, people.enterprise)
        assert stored.title == "李四（低温电池实验室）"
        with session_scope(local.database_url) as session:
            session.get(Organization, lab_id).visibility = Visibility.OWNER  # type: ignore[union-attr]
        _want_mail(local, people.enterprise)
        client = TestClient(create_app(local))
        _login(client, "ent")
        assert [n["title"] for n in client.get("/api/notifications").json()] == ["李四"]
        assert "低温电池实验室" not in client.get("/notifications").text
        assert run_alerts(local).emails_sent == 1
        text = inbox.messages[0].get_body(("plain",)).get_content()
        assert "李四" in text
        assert "低温电池实验室" not in text
        assert [n.title for n in _notifications(local, people.enterprise)] == ["李四（低温电池实验室）"]

    def test_two_runs_at_once_send_each_digest_once(self, settings: Settings, people: People) -> None:
        inbox, port = SlowInbox(), _free_port()
        controller = Controller(inbox, hostname="127.0.0.1", port=port)
        controller.start()
        try:
            local = settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": port})
            _want_mail(local, people.enterprise)
            _subscribe_demand(local, people)
            _achievement(local, people.institution, FITTING)
            run_alerts(settings)  # no mail server here: the digest waits in the outbox
            runs = [threading.Thread(target=run_alerts, args=(local,)) for _ in range(2)]
            for run in runs:
                run.start()
            for run in runs:
                run.join(30)
        finally:
            controller.stop()
        assert len(inbox.messages) == 1
        with session_scope(local.database_url) as session:
            [message] = session.scalars(select(EmailMessage)).all()
            assert (message.attempts, message.sent_at is not None) == (1, True)

    def test_composing_digests_commits_each_one_and_never_holds_the_write_lock_across_users(
        self, settings: Settings, people: People
    ) -> None:
        if not settings.database_url.startswith("sqlite"):
            pytest.skip("the probe takes SQLite's write lock")
        _subscribe_demand(settings, people)
        _subscribe_search(settings, people.outsider, NEED)
        _achievement(settings, people.institution, FITTING)
        assert run_alerts(settings).notifications == 2  # nobody wants e-mail yet
        _want_mail(settings, people.enterprise)
        with session_scope(settings.database_url) as session:
            session.add(AlertSetting(user_id=people.outsider, email="out@example.test", frequency="immediate"))
        unmailed = "WHERE notifications.user_id = ? AND notifications.emailed_at IS NULL"
        with probe_write_lock(settings.database_url, lambda sql: unmailed in sql) as probe:
            assert digest.compose_digests(settings) == 2
        assert (probe.held, probe.free) == (0, 2), probe.errors  # the second user's read came after a commit
        assert run_alerts(settings).emails_sent == 0  # composed once: nothing left to compose

    def test_a_forged_unsubscribe_token_changes_nothing(self, settings: Settings, people: People) -> None:
        response = TestClient(create_app(settings)).get("/unsubscribe?token=forged")
        assert response.status_code == 422

    def test_a_failed_send_is_kept_and_retried_with_back_off(
        self, settings: Settings, people: People, smtp: tuple[Inbox, int], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        inbox, port = smtp
        down = settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": _free_port(), "smtp_timeout": 2})
        _want_mail(down, people.enterprise)
        _subscribe_demand(down, people)
        _achievement(down, people.institution, FITTING)
        failed = run_alerts(down)
        assert (failed.emails_sent, failed.emails_failed) == (0, 1)
        with session_scope(down.database_url) as session:
            [kept] = session.scalars(select(EmailMessage)).all()
            assert (kept.attempts, kept.sent_at) == (1, None)
            assert kept.last_error
        up = down.model_copy(update={"smtp_port": port})
        assert run_alerts(up).emails_sent == 0  # not due yet: back-off
        later = now_utc() + timedelta(minutes=5)
        monkeypatch.setattr(digest, "now_utc", lambda: later)
        assert run_alerts(up).emails_sent == 1
        assert len(inbox.messages) == 1
        with session_scope(up.database_url) as session:
            assert session.scalar(select(func.count()).select_from(EmailMessage)) == 1


def _login(client: TestClient, username: str) -> dict[str, str]:
    response = client.post("/api/auth/login", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    body = response.json()
    return {body["csrf_header"]: body["csrf_token"]}


class TestApi:
    def test_subscriptions_are_the_owners_own(self, settings: Settings, people: People) -> None:
        owner, other = TestClient(create_app(settings)), TestClient(create_app(settings))
        headers, other_headers = _login(owner, "ent"), _login(other, "outsider")
        created = owner.post("/api/subscriptions", json={"kind": "search", "query": "谐波减速器"}, headers=headers)
        assert created.status_code == 201, created.text
        sid = created.json()["id"]
        assert [s["id"] for s in owner.get("/api/subscriptions").json()] == [sid]
        assert other.get("/api/subscriptions").json() == []
        assert other.delete(f"/api/subscriptions/{sid}", headers=other_headers).status_code == 404
        assert owner.post(f"/api/subscriptions/{sid}/pause", headers=headers).json()["active"] is False
        assert owner.post(f"/api/subscriptions/{sid}/resume", headers=headers).json()["active"] is True
        assert owner.delete(f"/api/subscriptions/{sid}", headers=headers).status_code == 204
        assert owner.get("/api/subscriptions").json() == []

    def test_nobody_subscribes_to_a_demand_of_someone_else(self, settings: Settings, people: People) -> None:
        client = TestClient(create_app(settings))
        headers = _login(client, "outsider")
        body = {"kind": "demand", "demand_id": people.demand}
        assert client.post("/api/subscriptions", json=body, headers=headers).status_code == 403

    def test_notifications_read_as_the_acceptance_checks_expect(self, settings: Settings, people: People) -> None:
        _subscribe_demand(settings, people)
        record = _achievement(settings, people.institution, FITTING)
        run_alerts(settings)
        client = TestClient(create_app(settings))
        headers = _login(client, "ent")
        [item] = client.get("/api/notifications").json()
        assert set(item) == {"id", "subscription_id", "entity", "record_id", "title", "score", "reasons", "read"}
        assert (item["entity"], item["record_id"], item["read"]) == ("achievement", record, False)
        assert client.post(f"/api/notifications/{item['id']}/read", headers=headers).json()["read"] is True
        assert TestClient(create_app(settings)).get("/api/notifications").status_code == 403


class TestCli:
    def test_alerts_run_prints_its_counts(self, settings: Settings, people: People) -> None:
        _subscribe_demand(settings, people)
        _achievement(settings, people.institution, FITTING)
        result = CliRunner().invoke(cli, ["alerts", "run", "--json"], obj=settings)
        assert result.exit_code == 0, result.output
        assert json.loads(result.output) == {"processed": 1, "notifications": 1, "emails_sent": 0, "emails_failed": 0}


class TestConnect:
    def test_a_request_reaches_the_owner_and_acceptance_opens_a_case_both_see(
        self, settings: Settings, people: People
    ) -> None:
        record = _achievement(settings, people.institution, FITTING)
        requester, owner, outsider = (TestClient(create_app(settings)) for _ in range(3))
        req_headers, own_headers = _login(requester, "ent"), _login(owner, "inst")
        _login(outsider, "outsider")
        body = {"entity": "achievement", "record_id": record, "message": "希望获得许可", "mode": "license"}
        sent = requester.post("/api/connect-requests", json=body, headers=req_headers)
        assert sent.status_code == 201, sent.text
        rid = sent.json()["id"]
        assert requester.post("/api/connect-requests", json=body, headers=req_headers).status_code == 409
        assert [r["id"] for r in owner.get("/api/connect-requests?box=in").json()] == [rid]
        assert "1 个对接待回复" in owner.get("/notifications/bell").text
        assert 'id="contact"' not in requester.get(f"/connect/{rid}").text  # details only after acceptance
        assert outsider.get(f"/connect/{rid}").status_code == 404
        assert requester.post(f"/api/connect-requests/{rid}/accept", headers=req_headers).status_code == 403
        case_id = owner.post(f"/api/connect-requests/{rid}/accept", headers=own_headers).json()["case_id"]
        for client in (requester, owner):
            page = client.get(f"/transfers/cases/{case_id}")
            assert page.status_code == 200
            assert "希望获得许可" in page.text
        assert outsider.get(f"/transfers/cases/{case_id}").status_code == 404
        assert 'id="contact"' in requester.get(f"/connect/{rid}").text

    def test_a_record_the_requester_may_not_see_cannot_be_requested(self, settings: Settings, people: People) -> None:
        private = _achievement(settings, people.institution, FITTING, Visibility.OWNER)
        client = TestClient(create_app(settings))
        headers = _login(client, "ent")
        body = {"entity": "achievement", "record_id": private, "message": "你好", "mode": "license"}
        assert client.post("/api/connect-requests", json=body, headers=headers).status_code == 404

    def test_requests_are_limited_per_day(self, settings: Settings, people: People) -> None:
        local = settings.model_copy(update={"connect_daily_limit": 1})
        first, second = (_achievement(local, people.institution, f"{FITTING}{n}") for n in range(2))
        client = TestClient(create_app(local))
        headers = _login(client, "ent")
        for record, status in ((first, 201), (second, 409)):
            body = {"entity": "achievement", "record_id": record, "message": "你好", "mode": "consulting"}
            assert client.post("/api/connect-requests", json=body, headers=headers).status_code == status

    def test_declining_needs_a_reason_the_requester_then_sees(self, settings: Settings, people: People) -> None:
        record = _achievement(settings, people.institution, FITTING)
        requester, owner = TestClient(create_app(settings)), TestClient(create_app(settings))
        req_headers, own_headers = _login(requester, "ent"), _login(owner, "inst")
        body = {"entity": "achievement", "record_id": record, "message": "合作开发", "mode": "co_development"}
        rid = requester.post("/api/connect-requests", json=body, headers=req_headers).json()["id"]
        assert (
            owner.post(f"/api/connect-requests/{rid}/decline", json={"reason": ""}, headers=own_headers).status_code
            == 422
        )
        declined = owner.post(
            f"/api/connect-requests/{rid}/decline", json={"reason": "已独家许可"}, headers=own_headers
        )
        assert declined.json()["status"] == "declined"
        assert "已独家许可" in requester.get(f"/connect/{rid}").text


class TestPortal:
    def test_a_saved_search_with_no_words_stays_on_the_form(self, settings: Settings, people: People) -> None:
        client = TestClient(create_app(settings))
        client.post("/login", data={"username": "ent", "password": PASSWORD, "csrf_token": _csrf(client)})
        response = client.post("/subscriptions", data={"q": "的", "region": "21", "csrf_token": _csrf(client)})
        assert response.status_code == 422
        assert 'id="form-error"' in response.text
        assert 'value="21"' in response.text
        ok = client.post("/subscriptions", data={"q": "谐波减速器", "region": "", "csrf_token": _csrf(client)})
        assert ok.status_code == 200
        assert "订阅已保存" in ok.text
        assert "谐波减速器" in ok.text

    def test_a_saved_search_takes_its_region_by_name_and_shows_the_name(
        self, settings: Settings, people: People
    ) -> None:
        client = TestClient(create_app(settings))
        client.post("/login", data={"username": "ent", "password": PASSWORD, "csrf_token": _csrf(client)})
        ok = client.post("/subscriptions", data={"q": "谐波减速器", "region": "大连", "csrf_token": _csrf(client)})
        assert ok.status_code == 200
        assert '<span class="tag region">大连市 (2102)</span>' in ok.text
        bad = client.post("/subscriptions", data={"q": "谐波减速器", "region": "火星", "csrf_token": _csrf(client)})
        assert bad.status_code == 422
        assert "火星" in bad.text.split('id="form-error"', 1)[1].split("</p>", 1)[0]
        assert 'value="火星"' in bad.text

    def test_the_subscribe_button_on_my_demand_makes_a_subscription(self, settings: Settings, people: People) -> None:
        client = TestClient(create_app(settings))
        client.post("/login", data={"username": "ent", "password": PASSWORD, "csrf_token": _csrf(client)})
        assert 'id="subscribe-form"' in client.get(f"/demands/{people.demand}").text
        client.post(
            "/subscriptions/record", data={"kind": "demand", "record_id": people.demand, "csrf_token": _csrf(client)}
        )
        with session_scope(settings.database_url) as session:
            assert session.scalar(select(Subscription.demand_id)) == people.demand


def _csrf(client: TestClient) -> str:
    import re

    match = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert match is not None
    return match.group(1)


class TestOfficersAndBrokers:
    def test_the_dashboard_counts_requests_answers_and_stalls(self, settings: Settings, people: People) -> None:
        record = _achievement(settings, people.institution, FITTING)
        requester, officer = TestClient(create_app(settings)), TestClient(create_app(settings))
        headers = _login(requester, "ent")
        _login(officer, "officer")
        body = {"entity": "achievement", "record_id": record, "message": "希望获得许可", "mode": "license"}
        requester.post("/api/connect-requests", json=body, headers=headers)
        with session_scope(settings.database_url) as session:  # sent ten days ago, never answered
            from techbridge.models import ConnectRequest

            sent = session.scalars(select(ConnectRequest)).one()
            sent.created_at = now_utc() - timedelta(days=10)
        panel = officer.get("/dashboard/connect")
        assert panel.status_code == 200
        figures = [c.strip() for c in panel.text.split('class="count')[1:]]
        assert figures[0].startswith('">1<')
        assert FITTING in panel.text  # listed as a stall to follow up
        assert requester.get("/dashboard/connect").status_code == 403

    def test_a_broker_turns_a_client_match_into_a_case(self, settings: Settings, people: People) -> None:
        from techbridge.models import TransferCase, User

        with session_scope(settings.database_url) as session:
            broker = make_user(session, "broker", Role.BROKER)
            session.add(TransferCase(title="客户需求跟进", demand_id=people.demand, broker_id=broker.id))
        _subscribe_demand(settings, people)
        record = _achievement(settings, people.institution, FITTING)
        run_alerts(settings)
        client = TestClient(create_app(settings))
        client.post("/login", data={"username": "broker", "password": PASSWORD, "csrf_token": _csrf(client)})
        page = client.get("/clients/matches")
        assert FITTING in page.text
        with session_scope(settings.database_url) as session:
            notification_id = session.scalar(select(Notification.id))
        opened = client.post(f"/clients/matches/{notification_id}/case", data={"csrf_token": _csrf(client)})
        assert opened.status_code == 200
        with session_scope(settings.database_url) as session:
            case = session.scalars(select(TransferCase).where(TransferCase.achievement_id == record)).one()
            assert (case.demand_id, case.broker_id) == (
                people.demand,
                session.scalar(select(User.id).where(User.username == "broker")),
            )

    def test_a_clients_demand_made_private_leaves_the_brokers_matches(self, settings: Settings, people: People) -> None:
        from techbridge.models import Demand, TransferCase

        with session_scope(settings.database_url) as session:
            broker = make_user(session, "broker", Role.BROKER)
            session.add(TransferCase(title="客户需求跟进", demand_id=people.demand, broker_id=broker.id))
        _subscribe_demand(settings, people)
        _achievement(settings, people.institution, FITTING)
        run_alerts(settings)
        client = TestClient(create_app(settings))
        client.post("/login", data={"username": "broker", "password": PASSWORD, "csrf_token": _csrf(client)})
        assert NEED in client.get("/clients/matches").text
        with session_scope(settings.database_url) as session:
            demand = session.get(Demand, people.demand)
            assert demand is not None
            demand.visibility = Visibility.OWNER
            notification_id = session.scalar(select(Notification.id))
        page = client.get("/clients/matches").text
        assert NEED not in page
        assert FITTING not in page
        opened = client.post(f"/clients/matches/{notification_id}/case", data={"csrf_token": _csrf(client)})
        assert opened.status_code == 404  # no case whose title would copy the private demand's
        with session_scope(settings.database_url) as session:
            assert session.scalar(select(func.count()).select_from(TransferCase)) == 1

    def test_a_brokers_client_matches_come_a_page_at_a_time(
        self, settings: Settings, people: People, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        from techbridge.models import TransferCase
        from techbridge.web.routes import alerts as alert_routes

        with session_scope(settings.database_url) as session:
            broker = make_user(session, "broker", Role.BROKER)
            session.add(TransferCase(title="客户需求跟进", demand_id=people.demand, broker_id=broker.id))
        _subscribe_demand(settings, people)
        for n in range(3):
            _achievement(settings, people.institution, f"{FITTING}（第{n}号）")
        run_alerts(settings)
        monkeypatch.setattr(alert_routes, "PAGE", 2)
        client = TestClient(create_app(settings))
        client.post("/login", data={"username": "broker", "password": PASSWORD, "csrf_token": _csrf(client)})
        first, second = client.get("/clients/matches").text, client.get("/clients/matches?page=2").text
        assert [f"（第{n}号）" in first for n in range(3)] == [False, True, True]  # newest first
        assert [f"（第{n}号）" in second for n in range(3)] == [True, False, False]
        assert 'rel="next"' in first


class TestMatchPage:
    def test_a_search_can_be_subscribed_from_its_results(self, settings: Settings, people: People) -> None:
        client = TestClient(create_app(settings))
        assert 'id="subscribe-search"' not in client.get("/match?q=谐波减速器&region=21").text
        client.post("/login", data={"username": "ent", "password": PASSWORD, "csrf_token": _csrf(client)})
        page = client.get("/match?q=谐波减速器&region=21")
        form = page.text.split('id="subscribe-search"', 1)[1].split("</form>", 1)[0]
        assert 'name="q" value="谐波减速器"' in form
        assert 'name="region" value="21"' in form


class TestDoneWhen:
    def test_an_achievement_imported_by_someone_else_rings_the_bell_and_sends_one_mail(
        self, settings: Settings, people: People, smtp: tuple[Inbox, int], tmp_path: Path
    ) -> None:
        inbox, port = smtp
        local = settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": port})
        _want_mail(local, people.enterprise)
        _subscribe_demand(local, people)
        sheet = tmp_path / "achievements.csv"
        sheet.write_text(
            "编号,成果名称,成果类型,摘要\n"
            f"ACH-1,{FITTING},专利,提升 -20℃ 下的容量保持率\n"
            "ACH-2,新型高效粽叶清洗机,专利,清洗\n",
            encoding="utf-8",
        )
        result = CliRunner().invoke(cli, ["import", "file", "achievement", str(sheet), "--as", "inst"], obj=local)
        assert result.exit_code == 0, result.output
        report = run_alerts(local)
        assert (report.notifications, report.emails_sent) == (1, 1)
        assert len(inbox.messages) == 1
        client = TestClient(create_app(local))
        client.post("/login", data={"username": "ent", "password": PASSWORD, "csrf_token": _csrf(client)})
        bell = client.get("/notifications/bell").text
        assert 'id="bell-count">1<' in bell
        assert "<svg" in bell  # drawn, not an emoji that a machine without an emoji font shows as a box
        assert "🔔" not in bell
        assert FITTING in client.get("/notifications").text
