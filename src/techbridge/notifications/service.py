"""Subscriptions (create, list, pause, delete), notifications (list, read) and the alert job that scores new records
against every active subscription in batches, committing per batch and resuming from its cursors after a kill."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from techbridge.access import Viewer, can_edit, can_read
from techbridge.accounts.service import viewer_for
from techbridge.config import Settings
from techbridge.db import session_scope
from techbridge.errors import ConflictError, InvalidDataError, NotFoundError, PermissionDeniedError
from techbridge.i18n.loader import translate
from techbridge.matching.build import SEARCHABLE, documents_for
from techbridge.matching.schemas import MatchFilters
from techbridge.matching.search import record_filters
from techbridge.models import (
    Achievement,
    AlertCursor,
    AlertSetting,
    Demand,
    DigestFrequency,
    Notification,
    Role,
    Subscription,
    SubscriptionKind,
)
from techbridge.notifications import queries
from techbridge.notifications.evaluate import BatchIndex, Concept, Fit, StandingQuery, concepts_of, score_batch
from techbridge.notifications.schemas import AlertRunReport, AlertSettingUpdate, SearchForm, SubscriptionCreate
from techbridge.registry.detail_queries import shown_affiliations
from techbridge.registry.pickers import resolve_field, resolve_region
from techbridge.registry.queries import get_region, get_visible
from techbridge.search.fulltext import Filters, IndexDocument
from techbridge.search.tokenize import default_segmenter

TARGETS: dict[SubscriptionKind, list[str]] = {
    SubscriptionKind.SEARCH: ["achievement", "expert"],
    SubscriptionKind.DEMAND: ["achievement", "expert"],
    SubscriptionKind.ACHIEVEMENT: ["demand"],
}
ENTITIES = ("achievement", "expert", "demand")
RECORD_PATHS = {"achievement": "achievements", "expert": "experts", "demand": "demands"}
"""The portal path of each entity a notification or 对接 request names."""
MAX_SUBSCRIPTIONS_PER_USER = 200
QUERY_CHARS = 600
TITLE_CHARS = 60
NOTIFICATION_TITLE_CHARS = 512
"""A notification's title column holds at most this many characters."""
BATCH_SIZE = 500
NOTIFY_CHUNK = 2_000
"""Notifications written per transaction: SQLite's write lock is held for about 0.1 s (0.3 M took 8.5 s)."""


def now_utc() -> datetime:
    """The clock (tests move it with monkeypatch)."""
    return datetime.now(UTC)


def as_aware(moment: datetime) -> datetime:
    """A timestamp as read back from SQLite (naive) taken as UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _require_user(viewer: Viewer) -> int:
    if viewer.user_id is None:
        raise PermissionDeniedError("sign in first", message_zh="请先登录")
    return viewer.user_id


# --------------------------------------------------------------------------------------------------------------
# Subscriptions
# --------------------------------------------------------------------------------------------------------------


def create_subscription(*, session: Session, viewer: Viewer, data: SubscriptionCreate) -> Subscription:
    """A new subscription of the viewer, validated (the demand or achievement must be the viewer's own)."""
    user_id = _require_user(viewer)
    if len(queries.user_subscriptions(session, user_id)) >= MAX_SUBSCRIPTIONS_PER_USER:
        raise ConflictError("too many subscriptions", message_zh=f"每位用户最多 {MAX_SUBSCRIPTIONS_PER_USER} 个订阅")
    title, query, filters = _source_of(session, viewer, data)
    if not concepts_of(query, default_segmenter()):
        raise InvalidDataError(
            "describe what to watch for", location=("query",), message_zh="请填写要订阅的需求或关键词"
        )
    _refuse_duplicate(session, user_id, data, query, filters)
    subscription = Subscription(
        user_id=user_id,
        kind=data.kind,
        title=title,
        query=query,
        filters=filters,
        targets=TARGETS[data.kind],
        demand_id=data.demand_id if data.kind is SubscriptionKind.DEMAND else None,
        achievement_id=data.achievement_id if data.kind is SubscriptionKind.ACHIEVEMENT else None,
        threshold=data.threshold,
        created_at=now_utc(),
    )
    session.add(subscription)
    ensure_cursors(session, subscription.targets)
    session.flush()
    return subscription


def search_subscription(*, session: Session, form: SearchForm) -> SubscriptionCreate:
    """The subscription a saved-search form asks for (portal, or any caller holding the typed text): its region, typed
    or picked, resolved first (naming nothing or several is an error on `region`), then `SearchForm.subscription`."""
    code = resolve_region(session, form.region[:100], "region") if form.region.strip() else None
    return form.subscription(code)


def _source_of(session: Session, viewer: Viewer, data: SubscriptionCreate) -> tuple[str, str, dict[str, Any]]:
    if data.kind is SubscriptionKind.DEMAND:
        demand = _own_record(session, viewer, Demand, data.demand_id, "demand_id")
        return demand.title, f"{demand.title}\n{demand.description}"[:QUERY_CHARS], {}
    if data.kind is SubscriptionKind.ACHIEVEMENT:
        achievement = _own_record(session, viewer, Achievement, data.achievement_id, "achievement_id")
        text = f"{achievement.title}\n{' '.join(achievement.keywords)}\n{achievement.abstract}"
        return achievement.title, text[:QUERY_CHARS], {}
    query = " ".join(data.query.split())
    return query[:TITLE_CHARS], query, _search_filters(session, viewer, data).saved()


def _search_filters(session: Session, viewer: Viewer, data: SubscriptionCreate) -> MatchFilters:
    """A saved search's filters, those the need page offers (region and field resolved as the page resolves them)."""
    field = (data.field or "").strip()
    return MatchFilters(
        region=get_region(session, data.region).code if data.region else None,
        field=resolve_field(session, viewer, field, "field") if field else None,
        trl_min=data.trl_min,
        trl_max=data.trl_max,
        kind=data.achievement_kind.value if data.achievement_kind else None,
        owner_type=data.owner_type,
    )


def _own_record(session: Session, viewer: Viewer, model: Any, record_id: int | None, field: str) -> Any:
    if record_id is None:
        raise InvalidDataError(f"{field} is required", location=(field,), message_zh="请选择要订阅的记录")
    record = get_visible(session, viewer, model, record_id)
    if not can_edit(record, viewer):
        raise PermissionDeniedError("only the record's owner may subscribe to it", message_zh="只能订阅您自己的记录")
    return record


def _refuse_duplicate(
    session: Session, user_id: int, data: SubscriptionCreate, query: str, filters: dict[str, Any]
) -> None:
    """The same record, or the same search with the same filters, is subscribed once."""
    wanted = MatchFilters.from_saved(filters)
    for existing in queries.user_subscriptions(session, user_id):
        same_record = (data.kind is SubscriptionKind.DEMAND and existing.demand_id == data.demand_id) or (
            data.kind is SubscriptionKind.ACHIEVEMENT and existing.achievement_id == data.achievement_id
        )
        same_search = (
            data.kind is SubscriptionKind.SEARCH
            and existing.query == query
            and MatchFilters.from_saved(existing.filters) == wanted
        )
        if existing.kind == data.kind and (same_record or same_search):
            raise ConflictError("already subscribed", message_zh="您已订阅过该内容")


def ensure_cursors(session: Session, entities: Iterable[str]) -> None:
    """Start the alert job's cursor of each entity at today's newest record (existing records are not news)."""
    for entity in entities:
        if queries.get_cursor(session, entity) is None:
            session.add(AlertCursor(entity=entity, last_id=queries.max_record_id(session, entity)))
            session.flush()


def list_subscriptions(*, session: Session, viewer: Viewer) -> list[Subscription]:
    """The viewer's own subscriptions."""
    return queries.user_subscriptions(session, _require_user(viewer))


def _own_subscription(session: Session, viewer: Viewer, subscription_id: int) -> Subscription:
    subscription = session.get(Subscription, subscription_id)
    if subscription is None or subscription.user_id != _require_user(viewer):
        raise NotFoundError(f"subscription {subscription_id} not found", message_zh="未找到该订阅")
    return subscription


def set_subscription_active(*, session: Session, viewer: Viewer, subscription_id: int, active: bool) -> Subscription:
    """Pause or resume one of the viewer's subscriptions."""
    subscription = _own_subscription(session, viewer, subscription_id)
    subscription.active = active
    session.flush()
    return subscription


def delete_subscription(*, session: Session, viewer: Viewer, subscription_id: int) -> None:
    """Delete one of the viewer's subscriptions (its notifications go with it)."""
    session.delete(_own_subscription(session, viewer, subscription_id))
    session.flush()


# --------------------------------------------------------------------------------------------------------------
# Notifications and e-mail settings
# --------------------------------------------------------------------------------------------------------------


def list_notifications(
    *, session: Session, viewer: Viewer, unread_only: bool = False, limit: int = 50, offset: int = 0
) -> list[Notification]:
    """The viewer's notifications, newest first, without those whose record the viewer may no longer read (a record
    made private after it was notified: its stored title must not show)."""
    user_id = _require_user(viewer)
    items = queries.user_notifications(session, user_id, unread_only=unread_only, limit=limit, offset=offset)
    return readable_notifications(session, viewer, items)


def readable_notifications(session: Session, viewer: Viewer, items: list[Notification]) -> list[Notification]:
    """The notifications whose record the viewer may read now (the list and the e-mail digest both filter so)."""
    readable: dict[str, set[int]] = {}
    for entity in {item.entity for item in items}:
        ids = {item.record_id for item in items if item.entity == entity}
        readable[entity] = queries.visible_record_ids(session, viewer, entity, ids)
    return titled_for(session, viewer, [item for item in items if item.record_id in readable[item.entity]])


def titled_for(session: Session, viewer: Viewer, items: list[Notification]) -> list[Notification]:
    """The items with each expert's title as `viewer` may read it now. The stored title names the affiliation its
    subscriber could read when notified: the institution may since have been made owner-only, and a broker looking
    at a client's match may not read what the client could. Shown, not saved: the stored row stays as it is."""
    experts = queries.records_by_id(session, "expert", {i.record_id for i in items if i.entity == "expert"})
    shown = shown_affiliations(session, viewer, experts.values())
    for item in items:
        expert = experts.get(item.record_id) if item.entity == "expert" else None
        if expert is not None:
            title = record_title("expert", expert, shown[expert.id].name)[:NOTIFICATION_TITLE_CHARS]
            set_committed_value(item, "title", title)
    return items


def count_notifications(*, session: Session, viewer: Viewer) -> int:
    """How many notifications the viewer has."""
    return queries.count_notifications(session, _require_user(viewer))


def unread_count(*, session: Session, viewer: Viewer) -> int:
    """The viewer's unread notifications whose record they may still read (0 for anonymous visitors)."""
    return 0 if viewer.user_id is None else queries.count_unread(session, viewer, viewer.user_id)


def mark_read(*, session: Session, viewer: Viewer, notification_id: int) -> Notification:
    """Mark one of the viewer's notifications read."""
    notification = session.get(Notification, notification_id)
    if notification is None or notification.user_id != _require_user(viewer):
        raise NotFoundError(f"notification {notification_id} not found", message_zh="未找到该通知")
    if notification.read_at is None:
        notification.read_at = now_utc()
    session.flush()
    return notification


def mark_all_read(*, session: Session, viewer: Viewer) -> int:
    """Mark all of the viewer's notifications read."""
    return queries.mark_all_read(session, _require_user(viewer), now_utc())


def get_alert_setting(*, session: Session, viewer: Viewer) -> AlertSetting:
    """The viewer's e-mail settings (defaults when never saved: no address, daily)."""
    user_id = _require_user(viewer)
    return session.get(AlertSetting, user_id) or AlertSetting(
        user_id=user_id, email="", frequency=DigestFrequency.DAILY
    )


def update_alert_setting(*, session: Session, viewer: Viewer, data: AlertSettingUpdate) -> AlertSetting:
    """Save the viewer's e-mail address and digest frequency."""
    user_id = _require_user(viewer)
    setting = session.get(AlertSetting, user_id)
    if setting is None:
        setting = AlertSetting(user_id=user_id)
        session.add(setting)
    setting.email = data.email.strip()
    setting.frequency = data.frequency
    session.flush()
    return setting


def unsubscribe_user(*, session: Session, user_id: int) -> None:
    """Stop every e-mail to a user (the unsubscribe link; no sign-in needed, the link is signed)."""
    setting = session.get(AlertSetting, user_id)
    if setting is None:
        session.add(AlertSetting(user_id=user_id, email="", frequency=DigestFrequency.OFF))
    else:
        setting.frequency = DigestFrequency.OFF
    session.flush()


# --------------------------------------------------------------------------------------------------------------
# The alert job
# --------------------------------------------------------------------------------------------------------------


def record_text(entity: str, record: Any) -> str:
    """The text of a new record that subscriptions are scored against."""
    if entity == "achievement":
        return f"{record.title}\n{' '.join(record.keywords or [])}\n{record.abstract}"
    if entity == "expert":
        return f"{record.title} {' '.join(record.fields or [])}\n{record.bio}"
    return f"{record.title}\n{' '.join(record.field_tags or [])}\n{record.description}"


def record_title(entity: str, record: Any, affiliation: str = "") -> str:
    """How a notification names the record (an expert with the affiliation its recipient may see,
    `registry.detail_queries.shown_affiliations`)."""
    if entity == "expert":
        return f"{record.name}（{affiliation}）" if affiliation else str(record.name)
    return str(record.title)


def run_alerts(settings: Settings, *, batch_size: int = BATCH_SIZE, notify_chunk: int = NOTIFY_CHUNK) -> AlertRunReport:
    """Score every record created since the last run against the active subscriptions, one batch of records at a
    time, then compose and send the e-mail digests that are due. A batch's notifications are written
    `notify_chunk` to a transaction (a popular record can fit thousands of subscriptions), then its cursor is
    advanced: a run killed between them re-scores the batch and skips what it wrote (one per subscription and
    record)."""
    from techbridge.notifications.digest import compose_digests, send_due_messages

    report = AlertRunReport()
    concepts: dict[int, tuple[Concept, ...]] = {}
    for entity in ENTITIES:
        while _process_batch(settings, entity, batch_size, notify_chunk, report, concepts) == batch_size:
            pass
    compose_digests(settings)
    send_due_messages(settings, report)
    return report


def run_alerts_every(
    settings: Settings,
    *,
    every: float,
    batch_size: int = BATCH_SIZE,
    should_stop: Callable[[], bool],
    on_report: Callable[[AlertRunReport], None],
    on_error: Callable[[DBAPIError], None],
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """`run_alerts` every `every` seconds until `should_stop()` (`serve --embed` runs it so). A round that fails in
    the database (locked past the busy timeout by a long import, a row a concurrent run wrote first) is reported and
    the next round resumes from the committed cursors, instead of ending the loop for good."""
    while not should_stop():
        try:
            on_report(run_alerts(settings, batch_size=batch_size))
        except DBAPIError as exc:
            on_error(exc)
        if not should_stop():
            sleep(every)


def _process_batch(
    settings: Settings,
    entity: str,
    batch_size: int,
    notify_chunk: int,
    report: AlertRunReport,
    concepts: dict[int, tuple[Concept, ...]],
) -> int:
    with session_scope(settings.database_url) as session:  # reads and scoring only: no write lock taken
        cursor = queries.get_cursor(session, entity)
        if cursor is None:
            return 0  # no subscription ever watched this entity
        records = queries.new_records(session, entity, cursor.last_id, batch_size)
        if not records:
            return 0
        subscriptions = [s for s in queries.active_subscriptions(session) if entity in s.targets]
        found = _notifications(session, settings, entity, records, subscriptions, concepts) if subscriptions else []
    for start in range(0, len(found), notify_chunk):
        with session_scope(settings.database_url) as session:
            session.add_all(found[start : start + notify_chunk])
    with session_scope(settings.database_url) as session:
        queries.advance_cursor(session, entity, records[-1].id)
    report.notifications += len(found)
    report.processed += len(records)
    return len(records)


def _notifications(
    session: Session,
    settings: Settings,
    entity: str,
    records: list[Any],
    subscriptions: list[Subscription],
    concepts: dict[int, tuple[Concept, ...]],
) -> list[Notification]:
    """The notifications a batch of records makes (not yet added to any session), leaving out those written."""
    segmenter = default_segmenter()
    standing = []
    for s in subscriptions:
        if s.id not in concepts:
            concepts[s.id] = concepts_of(s.query, segmenter)
        standing.append(StandingQuery(s.id, concepts[s.id], s.threshold))
    fits = score_batch(standing, BatchIndex([record_text(entity, r) for r in records]))
    by_id = {s.id: s for s in subscriptions}
    checks = _saved_filters(entity, subscriptions)
    documents = _documents(session, entity, {records[f.record_index].id for f in fits if f.query_key in checks})
    viewers = {
        uid: viewer_for(u) for uid, u in queries.active_users_by_id(session, {s.user_id for s in subscriptions}).items()
    }
    done = queries.existing_notification_keys(session, set(by_id), entity, {r.id for r in records})
    found: list[Notification] = []
    for fit in fits:
        subscription, record = by_id[fit.query_key], records[fit.record_index]
        viewer = viewers.get(subscription.user_id)
        if (
            viewer is None
            or (subscription.id, record.id) in done
            or not _may_notify(subscription, entity, record, viewer)
            or not _within_filters(checks.get(subscription.id), documents.get(record.id))
        ):
            continue
        affiliation = shown_affiliations(session, viewer, [record])[record.id].name if entity == "expert" else ""
        found.append(_notification(settings, subscription, entity, record, fit, affiliation))
        done.add((subscription.id, record.id))
    return found


def _may_notify(subscription: Subscription, entity: str, record: Any, viewer: Viewer) -> bool:
    """Only records made after the subscription, not the subscriber's own, visible to them, within its filters."""
    if as_aware(record.created_at) < as_aware(subscription.created_at) or record.owner_id == subscription.user_id:
        return False
    if entity == "demand" and subscription.demand_id == record.id:
        return False
    return can_read(record, viewer)


def _saved_filters(entity: str, subscriptions: list[Subscription]) -> dict[int, Filters]:
    """The index filters of each subscription saved with filters that restrict `entity`, as its search applied them
    (an expert is filtered by region and field only, as on the need page; an older row without filters has none)."""
    checks = {}
    for subscription in subscriptions:
        saved = MatchFilters.from_saved(subscription.filters).for_entity(entity)
        if saved != MatchFilters() and entity in SEARCHABLE:
            checks[subscription.id] = record_filters(entity, saved)
    return checks


def _documents(session: Session, entity: str, ids: set[int]) -> dict[int, IndexDocument]:
    """New records as the search index holds them (region with the owners', kind, TRL, fields, owner types)."""
    if not ids:
        return {}
    return {int(doc.key.rsplit(":", 1)[1]): doc for doc in documents_for(session, entity, sorted(ids))}


def _within_filters(filters: Filters | None, document: IndexDocument | None) -> bool:
    """A record passes a saved search's filters exactly when its search would have let it through."""
    return filters is None or (document is not None and filters.admits(document))


def _notification(
    settings: Settings, subscription: Subscription, entity: str, record: Any, fit: Fit, affiliation: str
) -> Notification:
    return Notification(
        user_id=subscription.user_id,
        subscription_id=subscription.id,
        entity=entity,
        record_id=record.id,
        title=record_title(entity, record, affiliation)[:NOTIFICATION_TITLE_CHARS],
        score=fit.score,
        reasons=reasons_of(settings, record, fit),
        created_at=now_utc(),
    )


def reasons_of(settings: Settings, record: Any, fit: Fit) -> list[dict[str, str]]:
    """Why the record fits, in both languages: the concepts it covers, how much of the query, and locality."""
    reasons = [
        _reason("terms", terms_zh="、".join(fit.matched), terms_en=", ".join(fit.matched)),
        _reason("coverage", matched=len(fit.matched), total=fit.total, percent=round(fit.score * 100)),
    ]
    region = getattr(record, "region_code", None) or ""
    if region.startswith(settings.region_code):
        reasons.append(_reason("local"))
    return reasons


def _reason(code: str, **params: Any) -> dict[str, str]:
    key = f"alerts.reason.{code}"
    return {"code": code, "zh": translate(key, "zh", **params), "en": translate(key, "en", **params)}


@dataclass(frozen=True)
class ClientMatch:
    """A new match of a client's demand, as a broker sees it."""

    notification: Notification
    demand_id: int
    demand_title: str


def client_matches(*, session: Session, viewer: Viewer, limit: int = 100) -> list[ClientMatch]:
    """For a broker, new matches of the demands in their cases; for officers, of every demand; only where the viewer
    may read both the matched record and the client's demand (a broker's case does not open a demand its owner made
    private), which is named by its current title."""
    if not (viewer.is_privileged or viewer.role == Role.BROKER):
        raise PermissionDeniedError("brokers and officers only", message_zh="仅技术经理人和主管部门可查看")
    broker = None if viewer.is_privileged else viewer.user_id
    found = []
    for notification, subscription in queries.client_notifications(session, broker, limit):
        model = queries.ENTITY_MODELS[notification.entity]
        record = session.get(model, notification.record_id)
        demand = session.get(Demand, subscription.demand_id) if subscription.demand_id is not None else None
        if record is None or demand is None or not (can_read(record, viewer) and can_read(demand, viewer)):
            continue
        found.append(ClientMatch(notification, demand.id, demand.title))
    titled_for(session, viewer, [m.notification for m in found])
    return found


def case_from_match(*, session: Session, viewer: Viewer, notification_id: int) -> int:
    """Turn a client's match into a transfer case in one step (the broker takes it); returns the case id."""
    from techbridge.transfers.pipeline import CaseCreate, create_case

    match = next(
        (m for m in client_matches(session=session, viewer=viewer, limit=1000) if m.notification.id == notification_id),
        None,
    )
    if match is None:
        raise NotFoundError(f"notification {notification_id} not found", message_zh="未找到该匹配")
    item = match.notification
    data = CaseCreate(
        title=f"{match.demand_title} ← {item.title}"[:255],
        demand_id=match.demand_id,
        achievement_id=item.record_id if item.entity == "achievement" else None,
        note="；".join(r.get("zh", "") for r in item.reasons),
    )
    return create_case(session=session, data=data, viewer=viewer).id
