"""JSON API of subscriptions, notifications and 对接 requests (same services as the portal)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from techbridge.connect import service as connect
from techbridge.models import ConnectMode, ConnectRequest, Notification
from techbridge.notifications import service
from techbridge.notifications.schemas import NotificationRead, SubscriptionCreate, SubscriptionRead
from techbridge.web.deps import MAX_ID, DbDep, SettingsDep, SignedInDep
from techbridge.web.routes.api.registry import ERRORS, WRITE_DEPS, WRITE_ERRORS

router = APIRouter()
RecordId = Annotated[int, Path(ge=1, le=MAX_ID)]


def notification_read(item: Notification) -> NotificationRead:
    """The API shape of a notification."""
    return NotificationRead(
        id=item.id,
        subscription_id=item.subscription_id,
        entity=item.entity,
        record_id=item.record_id,
        title=item.title,
        score=item.score,
        reasons=item.reasons,
        read=item.read_at is not None,
    )


@router.get("/subscriptions", response_model=list[SubscriptionRead], responses=ERRORS, tags=["alerts"])
def list_subscriptions(session: DbDep, viewer: SignedInDep) -> list[SubscriptionRead]:
    """The caller's subscriptions."""
    return [SubscriptionRead.model_validate(s) for s in service.list_subscriptions(session=session, viewer=viewer)]


@router.post(
    "/subscriptions",
    response_model=SubscriptionRead,
    status_code=201,
    responses=WRITE_ERRORS,
    dependencies=WRITE_DEPS,
    tags=["alerts"],
)
def create_subscription(session: DbDep, viewer: SignedInDep, data: SubscriptionCreate) -> SubscriptionRead:
    """Subscribe to a saved search, one of the caller's demands, or (owners) new demands fitting an achievement."""
    return SubscriptionRead.model_validate(service.create_subscription(session=session, viewer=viewer, data=data))


@router.post(
    "/subscriptions/{subscription_id}/pause",
    response_model=SubscriptionRead,
    responses=WRITE_ERRORS,
    dependencies=WRITE_DEPS,
    tags=["alerts"],
)
def pause_subscription(session: DbDep, viewer: SignedInDep, subscription_id: RecordId) -> SubscriptionRead:
    """Pause one of the caller's subscriptions."""
    item = service.set_subscription_active(
        session=session, viewer=viewer, subscription_id=subscription_id, active=False
    )
    return SubscriptionRead.model_validate(item)


@router.post(
    "/subscriptions/{subscription_id}/resume",
    response_model=SubscriptionRead,
    responses=WRITE_ERRORS,
    dependencies=WRITE_DEPS,
    tags=["alerts"],
)
def resume_subscription(session: DbDep, viewer: SignedInDep, subscription_id: RecordId) -> SubscriptionRead:
    """Resume one of the caller's subscriptions."""
    item = service.set_subscription_active(session=session, viewer=viewer, subscription_id=subscription_id, active=True)
    return SubscriptionRead.model_validate(item)


@router.delete(
    "/subscriptions/{subscription_id}",
    status_code=204,
    responses=WRITE_ERRORS,
    dependencies=WRITE_DEPS,
    tags=["alerts"],
)
def delete_subscription(session: DbDep, viewer: SignedInDep, subscription_id: RecordId) -> Response:
    """Delete one of the caller's subscriptions."""
    service.delete_subscription(session=session, viewer=viewer, subscription_id=subscription_id)
    return Response(status_code=204)


@router.get("/notifications", response_model=list[NotificationRead], responses=ERRORS, tags=["alerts"])
def list_notifications(
    session: DbDep,
    viewer: SignedInDep,
    unread: bool = False,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[NotificationRead]:
    """The caller's notifications, newest first."""
    items = service.list_notifications(session=session, viewer=viewer, unread_only=unread, limit=limit, offset=offset)
    return [notification_read(item) for item in items]


@router.post(
    "/notifications/{notification_id}/read",
    response_model=NotificationRead,
    responses=WRITE_ERRORS,
    dependencies=WRITE_DEPS,
    tags=["alerts"],
)
def read_notification(session: DbDep, viewer: SignedInDep, notification_id: RecordId) -> NotificationRead:
    """Mark one of the caller's notifications read."""
    return notification_read(service.mark_read(session=session, viewer=viewer, notification_id=notification_id))


class ConnectRequestCreate(BaseModel):
    """A 对接 request."""

    model_config = ConfigDict(extra="forbid")

    entity: str = Field(pattern="^(achievement|expert|demand)$")
    record_id: int = Field(ge=1, le=MAX_ID)
    message: str = Field(min_length=1, max_length=connect.MESSAGE_CHARS)
    mode: ConnectMode


class ConnectRequestRead(BaseModel):
    """A 对接 request as its parties see it."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    entity: str
    record_id: int
    record_title: str
    """Empty when the caller may no longer read the record (made private after the request was sent)."""
    mode: ConnectMode
    message: str
    status: str
    decline_reason: str
    case_id: int | None


class CaseOpened(BaseModel):
    """The transfer case an accepted request opened."""

    case_id: int


class DeclineBody(BaseModel):
    """Why a request is declined."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=connect.MESSAGE_CHARS)


def _read(request: ConnectRequest, title: str) -> ConnectRequestRead:
    """The request with the record's title as the caller may see it (`connect.shown_titles`)."""
    return ConnectRequestRead.model_validate(request).model_copy(update={"record_title": title})


@router.post(
    "/connect-requests",
    response_model=ConnectRequestRead,
    status_code=201,
    responses=WRITE_ERRORS,
    dependencies=WRITE_DEPS,
    tags=["connect"],
)
def create_connect_request(
    session: DbDep, settings: SettingsDep, viewer: SignedInDep, data: ConnectRequestCreate
) -> ConnectRequestRead:
    """Ask a record's owner to talk (license, transfer, co-development, consulting); limited per day."""
    payload = connect.ConnectCreate(entity=data.entity, record_id=data.record_id, message=data.message, mode=data.mode)
    sent = connect.send_request(session=session, settings=settings, viewer=viewer, data=payload)
    return _read(sent, sent.record_title)


@router.get("/connect-requests", response_model=list[ConnectRequestRead], responses=ERRORS, tags=["connect"])
def list_connect_requests(
    session: DbDep,
    viewer: SignedInDep,
    box: Annotated[str, Query(pattern="^(in|out)$")] = "in",
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[ConnectRequestRead]:
    """Requests to the caller (`in`) or from the caller (`out`)."""
    items = connect.list_requests(session=session, viewer=viewer, box=box, limit=limit, offset=offset)
    titles = connect.shown_titles(session, viewer, items)
    return [_read(item, titles[item.id]) for item in items]


@router.post(
    "/connect-requests/{request_id}/accept",
    response_model=CaseOpened,
    responses=WRITE_ERRORS,
    dependencies=WRITE_DEPS,
    tags=["connect"],
)
def accept_connect_request(session: DbDep, viewer: SignedInDep, request_id: RecordId) -> CaseOpened:
    """Accept: opens a transfer case at 「已联系」 that both parties see."""
    return CaseOpened(case_id=connect.accept(session=session, viewer=viewer, request_id=request_id).id)


@router.post(
    "/connect-requests/{request_id}/decline",
    response_model=ConnectRequestRead,
    responses=WRITE_ERRORS,
    dependencies=WRITE_DEPS,
    tags=["connect"],
)
def decline_connect_request(
    session: DbDep, viewer: SignedInDep, request_id: RecordId, body: DeclineBody
) -> ConnectRequestRead:
    """Decline with a reason."""
    declined = connect.decline(session=session, viewer=viewer, request_id=request_id, reason=body.reason)
    return _read(declined, connect.shown_titles(session, viewer, [declined])[declined.id])
