"""E-mail digests: compose each user's due digest (immediate / daily / weekly) into the mail outbox, then send due
messages over SMTP. A message stays in the outbox until the server accepts it; a failed send is retried with
exponential back-off, so a digest is never lost. Unsubscribe links carry a signed token and work without sign-in."""

from __future__ import annotations

import html
import smtplib
from datetime import timedelta
from email.message import EmailMessage as MimeMessage

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.orm import Session

from techbridge.accounts.service import viewer_for
from techbridge.config import Settings
from techbridge.db import session_scope
from techbridge.errors import InvalidDataError
from techbridge.i18n.loader import translate
from techbridge.models import AlertSetting, DigestFrequency, EmailMessage, Notification, User
from techbridge.notifications import queries
from techbridge.notifications.schemas import AlertRunReport
from techbridge.notifications.service import RECORD_PATHS, now_utc, readable_notifications
from techbridge.signing import signing_key

PERIOD = {DigestFrequency.IMMEDIATE: timedelta(0), DigestFrequency.DAILY: timedelta(days=1),
          DigestFrequency.WEEKLY: timedelta(days=7)}  # fmt: skip
DIGEST_TOP = 10
SEND_BATCH = 100
BACKOFF_BASE_SECONDS = 60
BACKOFF_MAX = timedelta(hours=6)
SEND_LEASE = timedelta(minutes=15)
"""How long a claimed message is another run's: a run killed while sending leaves it due again after this."""
_SALT = "unsubscribe"


def unsubscribe_token(settings: Settings, user_id: int) -> str:
    """A signed token naming the user, for the unsubscribe link."""
    return URLSafeSerializer(signing_key(settings), salt=_SALT).dumps({"u": user_id})


def read_unsubscribe_token(settings: Settings, token: str) -> int:
    """The user a token names, or InvalidDataError when it was not signed by this installation."""
    try:
        payload = URLSafeSerializer(signing_key(settings), salt=_SALT).loads(token)
    except BadSignature as exc:
        raise InvalidDataError("invalid unsubscribe link", message_zh="退订链接无效") from exc
    if not isinstance(payload, dict) or not isinstance(payload.get("u"), int):
        raise InvalidDataError("invalid unsubscribe link", message_zh="退订链接无效")
    return int(payload["u"])


def is_due(setting: AlertSetting) -> bool:
    """Whether the user's next digest is due now."""
    now = now_utc()
    frequency = DigestFrequency(setting.frequency)
    if frequency is DigestFrequency.OFF:
        return False
    last = setting.last_digest_at
    if last is None or frequency is DigestFrequency.IMMEDIATE:
        return True
    last = last if last.tzinfo else last.replace(tzinfo=now.tzinfo)
    return now - last >= PERIOD[frequency]


def compose_digests(settings: Settings) -> int:
    """Put every due digest in the outbox, one short transaction per user (the message with its notifications
    marked e-mailed): the write lock is held for one digest, never for the run, and a killed run has composed each
    digest wholly or not at all."""
    with session_scope(settings.database_url) as session:
        user_ids = queries.digest_candidate_ids(session)
    composed = 0
    for user_id in user_ids:
        with session_scope(settings.database_url) as session:
            composed += compose_digest(session, settings, user_id)
    return composed


def compose_digest(session: Session, settings: Settings, user_id: int) -> bool:
    """Compose one user's digest if due; False when nothing is due, the user was deactivated or another run composed
    it meanwhile."""
    setting, user = session.get(AlertSetting, user_id), session.get(User, user_id)
    if setting is None or user is None or not user.is_active or not setting.email or not is_due(setting):
        return False
    # a record made private after it was notified stays out of the mail (its stored title too), as it stays out of
    # the list; its notification waits unmailed, so it is mailed if the record becomes readable again
    items = readable_notifications(session, viewer_for(user), queries.unmailed_notifications(session, user.id))
    if not items:
        return False
    moment = now_utc()
    if queries.claim_notifications(session, [item.id for item in items], moment) != len(items):
        session.rollback()  # a concurrent run mailed some of them: its digest stands, this one is dropped
        return False
    session.add(_message(settings, setting, user, items))
    setting.last_digest_at = moment
    return True


def _message(settings: Settings, setting: AlertSetting, user: User, items: list[Notification]) -> EmailMessage:
    lang = user.language if user.language in ("zh", "en") else "zh"
    top = items[:DIGEST_TOP]
    unsubscribe = f"{settings.public_url.rstrip('/')}/unsubscribe?token={unsubscribe_token(settings, user.id)}"
    subject = translate("alerts.mail.subject", lang, count=len(items))
    return EmailMessage(
        user_id=user.id,
        to_address=setting.email,
        subject=subject,
        text_body=_text_body(settings, lang, user, top, len(items), unsubscribe),
        html_body=_html_body(settings, lang, user, top, len(items), unsubscribe),
        next_attempt_at=now_utc(),
    )


def _link(settings: Settings, item: Notification) -> str:
    return f"{settings.public_url.rstrip('/')}/{RECORD_PATHS[item.entity]}/{item.record_id}"


def _reasons(item: Notification, lang: str) -> str:
    return (
        "；".join(r.get(lang, "") for r in item.reasons)
        if lang == "zh"
        else "; ".join(r.get(lang, "") for r in item.reasons)
    )


def _text_body(settings: Settings, lang: str, user: User, top: list[Notification], total: int, unsubscribe: str) -> str:
    lines = [translate("alerts.mail.greeting", lang, name=user.display_name or user.username), ""]
    lines.append(translate("alerts.mail.intro", lang, count=total))
    for item in top:
        lines += [
            "",
            f"· {item.title}  ({round(item.score * 100)}%)",
            f"  {_reasons(item, lang)}",
            f"  {_link(settings, item)}",
        ]
    lines += ["", translate("alerts.mail.more", lang, url=f"{settings.public_url.rstrip('/')}/notifications")]
    lines += ["", translate("alerts.mail.unsubscribe", lang, url=unsubscribe)]
    return "\n".join(lines) + "\n"


def _html_body(settings: Settings, lang: str, user: User, top: list[Notification], total: int, unsubscribe: str) -> str:
    esc = html.escape
    rows = "".join(
        f'<li><a href="{esc(_link(settings, item))}">{esc(item.title)}</a> ({round(item.score * 100)}%)'
        f"<br><small>{esc(_reasons(item, lang))}</small></li>"
        for item in top
    )
    greeting = esc(translate("alerts.mail.greeting", lang, name=user.display_name or user.username))
    intro = esc(translate("alerts.mail.intro", lang, count=total))
    more_url = esc(f"{settings.public_url.rstrip('/')}/notifications")
    more = esc(translate("alerts.mail.more_link", lang))
    unsub = esc(translate("alerts.mail.unsubscribe_link", lang))
    return (
        f'<html><body><p>{greeting}</p><p>{intro}</p><ul>{rows}</ul><p><a href="{more_url}">{more}</a></p>'
        f'<p><small><a href="{esc(unsubscribe)}">{unsub}</a></small></p></body></html>'
    )


def send_due_messages(settings: Settings, report: AlertRunReport) -> None:
    """Send the due messages of the outbox, each claimed first (so two runs never both send it), delivered with no
    transaction open, then its result (sent, or the error and the next attempt) committed."""
    if not settings.smtp_host:
        return  # no mail server configured: digests wait in the outbox
    with session_scope(settings.database_url) as session:
        due = [m.id for m in queries.due_messages(session, now_utc(), SEND_BATCH)]
    for message_id in due:
        send_message(settings, message_id, report)


def send_message(settings: Settings, message_id: int, report: AlertRunReport) -> None:
    """One claimed delivery attempt; a message another run claimed or sent is left alone."""
    now = now_utc()
    with session_scope(settings.database_url) as session:
        if not queries.claim_message(session, message_id, now, now + SEND_LEASE):
            return
        message = session.get(EmailMessage, message_id)
    if message is None:
        return
    error: str | None = None
    try:
        deliver(settings, message)
    except (OSError, smtplib.SMTPException) as exc:
        error = f"{type(exc).__name__}: {exc}"[:2000]
    with session_scope(settings.database_url) as session:
        stored = session.get(EmailMessage, message_id)
        if stored is not None:
            record_attempt(stored, error, report)


def record_attempt(message: EmailMessage, error: str | None, report: AlertRunReport) -> None:
    """Mark the message sent, or keep the error and schedule the next attempt with exponential back-off."""
    message.attempts += 1
    if error is None:
        message.sent_at = now_utc()
        report.emails_sent += 1
        return
    message.last_error = error
    delay = timedelta(seconds=BACKOFF_BASE_SECONDS * 2 ** min(message.attempts - 1, 16))
    message.next_attempt_at = now_utc() + min(delay, BACKOFF_MAX)
    report.emails_failed += 1


def deliver(settings: Settings, message: EmailMessage) -> None:
    """Hand one message (plain text + HTML alternative) to the SMTP server."""
    mime = MimeMessage()
    mime["Subject"] = message.subject
    mime["From"] = settings.smtp_from
    mime["To"] = message.to_address
    unsubscribe = _unsubscribe_url(message.text_body)
    if unsubscribe:
        mime["List-Unsubscribe"] = f"<{unsubscribe}>"
    mime.set_content(message.text_body)
    mime.add_alternative(message.html_body, subtype="html")
    smtp_class = smtplib.SMTP_SSL if settings.smtp_ssl else smtplib.SMTP
    with smtp_class(settings.smtp_host or "", settings.smtp_port, timeout=settings.smtp_timeout) as client:
        if settings.smtp_starttls and not settings.smtp_ssl:
            client.starttls()
        if settings.smtp_user:
            client.login(settings.smtp_user, settings.smtp_password)
        client.send_message(mime)


def _unsubscribe_url(text: str) -> str | None:
    for word in text.split():
        if "/unsubscribe?token=" in word:
            return word
    return None
