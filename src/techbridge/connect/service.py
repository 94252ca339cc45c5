"""对接 requests: send one to a record's owner (or the broker answering for them), reply in a thread, accept — which
opens a transfer case at 「已联系」 that both parties see — or decline with a reason; the officer's figures."""

from __future__ import annotations

import html
import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from techbridge.access import Viewer
from techbridge.config import Settings
from techbridge.connect import queries
from techbridge.errors import ConflictError, InvalidDataError, NotFoundError, PermissionDeniedError
from techbridge.i18n.loader import translate
from techbridge.models import (
    Achievement,
    AlertSetting,
    ConnectMessage,
    ConnectMode,
    ConnectRequest,
    ConnectStatus,
    Demand,
    DigestFrequency,
    EmailMessage,
    Expert,
    Organization,
    TransferCase,
    User,
)
from techbridge.notifications.queries import visible_record_ids
from techbridge.notifications.service import as_aware, now_utc, record_title
from techbridge.registry.queries import get_visible
from techbridge.transfers.pipeline import CaseCreate, open_contacted_case

ENTITY_MODELS: dict[str, Any] = {"achievement": Achievement, "expert": Expert, "demand": Demand}
MESSAGE_CHARS = 2000
OVERDUE_DAYS = 7
"""An open request unanswered for this many days is a 卡点 on the officer's dashboard."""


@dataclass(frozen=True)
class ConnectCreate:
    """What a requester sends."""

    entity: str
    record_id: int
    message: str
    mode: ConnectMode


def _user_id(viewer: Viewer) -> int:
    if viewer.user_id is None:
        raise PermissionDeniedError("sign in first", message_zh="请先登录")
    return viewer.user_id


def _clean_message(text: str, field: str = "message") -> str:
    clean = text.strip()
    if not clean:
        raise InvalidDataError("write a short message", location=(field,), message_zh="请填写留言")
    if len(clean) > MESSAGE_CHARS:
        raise InvalidDataError(
            f"at most {MESSAGE_CHARS} characters", location=(field,), message_zh=f"留言最多 {MESSAGE_CHARS} 字"
        )
    return clean


def send_request(*, session: Session, settings: Settings, viewer: Viewer, data: ConnectCreate) -> ConnectRequest:
    """A new request on a record the viewer may see, within the daily limit, never twice while one is open."""
    requester = _user_id(viewer)
    model = ENTITY_MODELS.get(data.entity)
    if model is None:
        raise InvalidDataError(
            f"unknown record type {data.entity!r}", location=("entity",), message_zh="未知的记录类型"
        )
    record = get_visible(session, viewer, model, data.record_id)
    if record.owner_id == requester:
        raise ConflictError("this is your own record", message_zh="不能向自己的记录发起对接")
    message = _clean_message(data.message)
    since = now_utc() - timedelta(days=1)
    if queries.count_sent_since(session, requester, since) >= settings.connect_daily_limit:
        raise ConflictError(
            f"at most {settings.connect_daily_limit} requests a day",
            message_zh=f"每天最多发起 {settings.connect_daily_limit} 个对接请求，请明天再试",
        )
    if queries.open_duplicate(session, requester, data.entity, data.record_id) is not None:
        raise ConflictError(
            "you already asked; wait for the answer", message_zh="您已就该记录发起过对接请求，请等待回复"
        )
    request = ConnectRequest(
        requester_id=requester,
        owner_id=record.owner_id,
        broker_id=queries.open_case_broker(session, data.entity, data.record_id),
        entity=data.entity,
        record_id=data.record_id,
        record_title=record_title(data.entity, record)[:512],
        mode=data.mode,
        message=message,
        created_at=now_utc(),
    )
    session.add(request)
    session.flush()
    session.add(ConnectMessage(request_id=request.id, author_id=requester, body=message, created_at=now_utc()))
    _mail_answerers(session, settings, request)
    session.flush()
    return request


def _mail_answerers(session: Session, settings: Settings, request: ConnectRequest) -> None:
    """E-mail the owner and the broker (those with an address who did not turn e-mail off), through the outbox."""
    for user_id in {request.owner_id, request.broker_id} - {None}:
        setting = session.get(AlertSetting, user_id)
        user = session.get(User, user_id)
        if user is None or setting is None or not setting.email or setting.frequency == DigestFrequency.OFF:
            continue
        lang = user.language if user.language in ("zh", "en") else "zh"
        link = f"{settings.public_url.rstrip('/')}/connect/{request.id}"
        text = translate("connect.mail.body", lang, title=request.record_title, message=request.message, url=link)
        session.add(
            EmailMessage(
                user_id=user_id,
                to_address=setting.email,
                subject=translate("connect.mail.subject", lang, title=request.record_title[:60]),
                text_body=text,
                html_body=f"<pre>{html.escape(text)}</pre>",
                next_attempt_at=now_utc(),
            )
        )


def is_answerer(request: ConnectRequest, viewer: Viewer) -> bool:
    """The owner, the broker answering for them, or (for records without an owning user) an officer."""
    if viewer.user_id is None:
        return False
    if request.owner_id is None and viewer.is_privileged:
        return True
    return viewer.user_id in (request.owner_id, request.broker_id)


def get_request(*, session: Session, viewer: Viewer, request_id: int) -> ConnectRequest:
    """A request the viewer takes part in (officers see all), else NotFoundError."""
    request = session.get(ConnectRequest, request_id)
    if request is None or not (
        viewer.is_privileged or request.requester_id == viewer.user_id or is_answerer(request, viewer)
    ):
        raise NotFoundError(f"request {request_id} not found", message_zh="未找到该对接请求")
    return request


def list_requests(
    *, session: Session, viewer: Viewer, box: str, limit: int = 50, offset: int = 0
) -> list[ConnectRequest]:
    """The viewer's incoming (`in`) or sent (`out`) requests."""
    _user_id(viewer)
    if box not in ("in", "out"):
        raise InvalidDataError("box is in or out", location=("box",), message_zh="box 只能是 in 或 out")
    return queries.list_requests(session, viewer, box=box, limit=limit, offset=offset)


def shown_titles(session: Session, viewer: Viewer, requests: list[ConnectRequest]) -> dict[int, str]:
    """Request id → the title stored with it, or "" when the viewer may no longer read the record (made private
    after the request was sent: the stored title must not show)."""
    readable = {
        entity: visible_record_ids(session, viewer, entity, {r.record_id for r in requests if r.entity == entity})
        for entity in {r.entity for r in requests}
    }
    return {r.id: r.record_title if r.record_id in readable[r.entity] else "" for r in requests}


def count_requests(*, session: Session, viewer: Viewer, box: str) -> int:
    """How many requests `list_requests` lists in that box without a limit."""
    _user_id(viewer)
    return queries.count_requests(session, viewer, box="in" if box == "in" else "out")


def open_incoming(*, session: Session, viewer: Viewer) -> int:
    """Open requests waiting for the viewer (shown under the bell)."""
    return 0 if viewer.user_id is None else queries.count_open_incoming(session, viewer)


def reply(*, session: Session, viewer: Viewer, request_id: int, body: str) -> ConnectMessage:
    """A message in the request's thread; the first one from the answering side is its first answer."""
    request = get_request(session=session, viewer=viewer, request_id=request_id)
    if request.status == ConnectStatus.DECLINED:
        raise ConflictError("the request was declined", message_zh="该请求已被婉拒，不能再回复")
    message = ConnectMessage(request_id=request.id, author_id=viewer.user_id, body=_clean_message(body, "body"))
    session.add(message)
    if is_answerer(request, viewer) and request.first_answer_at is None:
        request.first_answer_at = now_utc()
    session.flush()
    return message


def _answerable(session: Session, viewer: Viewer, request_id: int) -> ConnectRequest:
    request = get_request(session=session, viewer=viewer, request_id=request_id)
    if not is_answerer(request, viewer):
        raise PermissionDeniedError("only the owner may answer", message_zh="只有记录的负责人可以处理该请求")
    if request.status != ConnectStatus.OPEN:
        raise ConflictError("the request was already answered", message_zh="该请求已处理")
    return request


def accept(*, session: Session, viewer: Viewer, request_id: int) -> TransferCase:
    """Accept: a transfer case at 「已联系」 linking both parties and the record, the request as its first event."""
    request = _answerable(session, viewer, request_id)
    requester = session.get(User, request.requester_id)
    counterpart = (
        session.get(Organization, requester.organization_id) if requester and requester.organization_id else None
    )
    data = CaseCreate(
        title=f"对接：{request.record_title}"[:255],
        achievement_id=request.record_id if request.entity == "achievement" else None,
        demand_id=request.record_id if request.entity == "demand" else None,
        counterpart_id=counterpart.id if counterpart else None,
        counterpart_name=counterpart.name if counterpart else (requester.display_name if requester else ""),
        broker_id=request.broker_id,
        note=request.message,
    )
    parties = [request.requester_id, viewer.user_id or 0, *([request.owner_id] if request.owner_id else [])]
    case = open_contacted_case(session=session, data=data, party_ids=[p for p in parties if p], viewer=viewer)
    moment = now_utc()
    request.status, request.case_id, request.answered_at = ConnectStatus.ACCEPTED, case.id, moment
    request.first_answer_at = request.first_answer_at or moment
    session.flush()
    return case


def decline(*, session: Session, viewer: Viewer, request_id: int, reason: str) -> ConnectRequest:
    """Decline with a reason the requester sees."""
    request = _answerable(session, viewer, request_id)
    request.decline_reason = _clean_message(reason, "reason")
    moment = now_utc()
    request.status, request.answered_at = ConnectStatus.DECLINED, moment
    request.first_answer_at = request.first_answer_at or moment
    session.flush()
    return request


def contact_details(*, session: Session, viewer: Viewer, request: ConnectRequest) -> dict[str, str] | None:
    """The owner's contact details: shown to the requester only once the request is accepted."""
    if request.status != ConnectStatus.ACCEPTED or viewer.user_id != request.requester_id:
        return None
    details: dict[str, str] = {}
    owner = session.get(User, request.owner_id) if request.owner_id else None
    if owner is not None:
        details["name"] = owner.display_name or owner.username
        setting = session.get(AlertSetting, owner.id)
        if setting is not None and setting.email:
            details["email"] = setting.email
    if request.entity == "expert":
        expert = session.get(Expert, request.record_id)
        if expert is not None:
            details.update({k: v for k, v in (("expert_email", expert.email), ("expert_phone", expert.phone)) if v})
    return details


@dataclass(frozen=True)
class ConnectStats:
    """The officer's figures: requests sent, answered, accepted, median days to a first answer, overdue ones."""

    sent: int
    answered: int
    accepted: int
    declined: int
    median_days_to_first_answer: float | None
    unanswered_overdue: int


def connect_stats(*, session: Session, since: datetime | None = None) -> ConnectStats:
    """Figures over every request (since a moment)."""
    requests = queries.all_requests(session, since)
    now = now_utc()
    waits = [
        (as_aware(r.first_answer_at) - as_aware(r.created_at)).total_seconds() / 86400
        for r in requests
        if r.first_answer_at is not None
    ]
    overdue = sum(1 for r in requests if _is_overdue(r, now))
    return ConnectStats(
        sent=len(requests),
        answered=len(waits),
        accepted=sum(1 for r in requests if r.status == ConnectStatus.ACCEPTED),
        declined=sum(1 for r in requests if r.status == ConnectStatus.DECLINED),
        median_days_to_first_answer=round(statistics.median(waits), 1) if waits else None,
        unanswered_overdue=overdue,
    )


def _is_overdue(request: ConnectRequest, now: datetime) -> bool:
    waiting = request.first_answer_at is None and request.status == ConnectStatus.OPEN
    return waiting and now - as_aware(request.created_at) > timedelta(days=OVERDUE_DAYS)


def overdue_requests(*, session: Session, limit: int = 20) -> list[ConnectRequest]:
    """Open requests nobody answered for OVERDUE_DAYS days, oldest first (the 卡点 an officer follows up)."""
    now = now_utc()
    waiting = [r for r in queries.open_unanswered(session) if _is_overdue(r, now)]
    return sorted(waiting, key=lambda r: as_aware(r.created_at))[:limit]


@dataclass(frozen=True)
class ThreadMessage:
    """One message as shown: who wrote it, what, when."""

    author: str
    body: str
    at: datetime
    mine_side: str


def thread_view(*, session: Session, request: ConnectRequest) -> list[ThreadMessage]:
    """The thread with authors' display names; `mine_side` is requester or owner."""
    messages = queries.thread(session, request.id)
    users = {u.id: u for u in (session.get(User, m.author_id) for m in messages if m.author_id) if u is not None}
    return [
        ThreadMessage(
            author=(users[m.author_id].display_name or users[m.author_id].username) if m.author_id in users else "—",
            body=m.body,
            at=m.created_at,
            mine_side="requester" if m.author_id == request.requester_id else "owner",
        )
        for m in messages
    ]
