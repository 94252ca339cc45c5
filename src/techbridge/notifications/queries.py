"""Every select of the notifications package: subscriptions, notifications, cursors, new records, settings, mail."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from techbridge.access import Viewer, visibility_clause
from techbridge.models import (
    Achievement,
    AlertCursor,
    AlertSetting,
    Demand,
    EmailMessage,
    Expert,
    Notification,
    Subscription,
    User,
)

ENTITY_MODELS: dict[str, Any] = {"achievement": Achievement, "expert": Expert, "demand": Demand}


def user_subscriptions(session: Session, user_id: int) -> list[Subscription]:
    """A user's subscriptions, newest first."""
    stmt = select(Subscription).where(Subscription.user_id == user_id).order_by(Subscription.id.desc())
    return list(session.scalars(stmt))


def active_subscriptions(session: Session) -> list[Subscription]:
    """Every active subscription, oldest first."""
    return list(session.scalars(select(Subscription).where(Subscription.active.is_(True)).order_by(Subscription.id)))


def earliest_active_subscription(session: Session) -> datetime | None:
    """When the oldest active subscription was made (None when there is none)."""
    return session.scalar(select(func.min(Subscription.created_at)).where(Subscription.active.is_(True)))


def get_cursor(session: Session, entity: str) -> AlertCursor | None:
    """The alert job's cursor for one entity."""
    return session.get(AlertCursor, entity)


def advance_cursor(session: Session, entity: str, last_id: int) -> None:
    """Move the alert job's cursor of an entity forward to `last_id` (never back)."""
    session.execute(
        update(AlertCursor)
        .where(AlertCursor.entity == entity, AlertCursor.last_id < last_id)
        .values(last_id=last_id)
        .execution_options(synchronize_session=False)
    )


def max_record_id(session: Session, entity: str) -> int:
    """The highest id of an entity's records (0 when there are none)."""
    model = ENTITY_MODELS[entity]
    return int(session.scalar(select(func.max(model.id))) or 0)


def new_records(session: Session, entity: str, after_id: int, limit: int) -> list[Any]:
    """Up to `limit` records of `entity` with an id above `after_id`, by id."""
    model = ENTITY_MODELS[entity]
    return list(session.scalars(select(model).where(model.id > after_id).order_by(model.id).limit(limit)))


def active_users_by_id(session: Session, ids: set[int]) -> dict[int, User]:
    """The active users among `ids`, by id (a deactivated account reads nothing, as at sign-in)."""
    if not ids:
        return {}
    return {u.id: u for u in session.scalars(select(User).where(User.id.in_(ids), User.is_active))}


def existing_notification_keys(
    session: Session, subscription_ids: set[int], entity: str, record_ids: set[int]
) -> set[tuple[int, int]]:
    """(subscription, record) pairs already notified for this batch."""
    if not subscription_ids or not record_ids:
        return set()
    stmt = select(Notification.subscription_id, Notification.record_id).where(
        Notification.entity == entity, Notification.record_id.in_(record_ids)
    )
    return {(s, r) for s, r in session.execute(stmt) if s in subscription_ids}


def user_notifications(
    session: Session, user_id: int, *, unread_only: bool, limit: int, offset: int = 0
) -> list[Notification]:
    """A user's notifications, newest first."""
    stmt = select(Notification).where(Notification.user_id == user_id)
    if unread_only:
        stmt = stmt.where(Notification.read_at.is_(None))
    return list(session.scalars(stmt.order_by(Notification.id.desc()).limit(limit).offset(offset)))


def count_unread(session: Session, viewer: Viewer, user_id: int) -> int:
    """How many of a user's notifications are unread, counting only those whose record the viewer may still read
    (the listing hides the others, so the bell must not count them)."""
    total = 0
    for entity, model in ENTITY_MODELS.items():
        stmt = (
            select(func.count())
            .select_from(Notification)
            .join(model, model.id == Notification.record_id)
            .where(
                Notification.user_id == user_id,
                Notification.entity == entity,
                Notification.read_at.is_(None),
                visibility_clause(model, viewer),
            )
        )
        total += int(session.scalar(stmt) or 0)
    return total


def count_notifications(session: Session, user_id: int) -> int:
    """How many notifications a user has."""
    return int(
        session.scalar(select(func.count()).select_from(Notification).where(Notification.user_id == user_id)) or 0
    )


def mark_all_read(session: Session, user_id: int, at: datetime) -> int:
    """Mark every unread notification of a user read; returns how many."""
    stmt = (
        update(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=at)
        .execution_options(synchronize_session=False)
    )
    return int(session.execute(stmt).rowcount or 0)  # type: ignore[attr-defined]


def digest_candidates(session: Session) -> list[tuple[AlertSetting, User]]:
    """Active users who want e-mail (an address and a frequency other than off) and have notifications not yet
    e-mailed (a deactivated account is mailed nothing, as it may sign in to read nothing)."""
    pending = select(Notification.user_id).where(Notification.emailed_at.is_(None)).distinct()
    stmt = (
        select(AlertSetting, User)
        .join(User, User.id == AlertSetting.user_id)
        .where(
            User.is_active,
            AlertSetting.frequency != "off",
            AlertSetting.email != "",
            AlertSetting.user_id.in_(pending),
        )
        .order_by(AlertSetting.user_id)
    )
    return [(setting, user) for setting, user in session.execute(stmt)]


def digest_candidate_ids(session: Session) -> list[int]:
    """The ids of the users `digest_candidates` returns: the digest job composes each in its own transaction."""
    return [setting.user_id for setting, _ in digest_candidates(session)]


def claim_notifications(session: Session, ids: list[int], at: datetime) -> int:
    """Mark these notifications e-mailed where no other run did yet (the first write of a digest's transaction:
    another run that composed the same digest meanwhile leaves fewer than asked); returns how many were marked."""
    stmt = (
        update(Notification)
        .where(Notification.id.in_(ids), Notification.emailed_at.is_(None))
        .values(emailed_at=at)
        .execution_options(synchronize_session=False)
    )
    return int(session.execute(stmt).rowcount or 0)  # type: ignore[attr-defined]


def claim_message(session: Session, message_id: int, now: datetime, until: datetime) -> bool:
    """Take an unsent, due message for one delivery attempt by pushing its next attempt to `until` (committed before
    the SMTP call): a second run finds it not due and skips it, and a run killed mid-send leaves it due again at
    `until`. False when another run took it first or it was sent."""
    stmt = (
        update(EmailMessage)
        .where(EmailMessage.id == message_id, EmailMessage.sent_at.is_(None), EmailMessage.next_attempt_at <= now)
        .values(next_attempt_at=until)
        .execution_options(synchronize_session=False)
    )
    return bool(session.execute(stmt).rowcount)  # type: ignore[attr-defined]


def unmailed_notifications(session: Session, user_id: int) -> list[Notification]:
    """A user's notifications not yet put in a digest, best first."""
    stmt = (
        select(Notification)
        .where(Notification.user_id == user_id, Notification.emailed_at.is_(None))
        .order_by(Notification.score.desc(), Notification.id)
    )
    return list(session.scalars(stmt))


def due_messages(session: Session, now: datetime, limit: int) -> list[EmailMessage]:
    """Unsent e-mails whose next attempt is due, oldest first."""
    stmt = (
        select(EmailMessage)
        .where(EmailMessage.sent_at.is_(None), EmailMessage.next_attempt_at <= now)
        .order_by(EmailMessage.id)
        .limit(limit)
    )
    return list(session.scalars(stmt))


def client_notifications(
    session: Session, broker_id: int | None, limit: int
) -> list[tuple[Notification, Subscription]]:
    """Notifications of demand subscriptions on the demands in a broker's cases (officers: every demand), newest
    first."""
    from techbridge.models import TransferCase

    stmt = (
        select(Notification, Subscription)
        .join(Subscription, Subscription.id == Notification.subscription_id)
        .where(Subscription.demand_id.is_not(None))
    )
    if broker_id is not None:
        mine = select(TransferCase.demand_id).where(
            TransferCase.broker_id == broker_id, TransferCase.demand_id.is_not(None)
        )
        stmt = stmt.where(Subscription.demand_id.in_(mine))
    return [(n, s) for n, s in session.execute(stmt.order_by(Notification.id.desc()).limit(limit))]


def visible_record_ids(session: Session, viewer: Viewer, entity: str, ids: set[int]) -> set[int]:
    """Which of these records of `entity` the viewer may read now."""
    model = ENTITY_MODELS[entity]
    stmt = select(model.id).where(model.id.in_(ids), visibility_clause(model, viewer))
    return {int(i) for i in session.scalars(stmt)}


def records_by_id(session: Session, entity: str, ids: set[int]) -> dict[int, Any]:
    """The records of `entity` with these ids, by id (missing ones left out)."""
    if not ids:
        return {}
    model = ENTITY_MODELS[entity]
    return {int(r.id): r for r in session.scalars(select(model).where(model.id.in_(ids)))}
