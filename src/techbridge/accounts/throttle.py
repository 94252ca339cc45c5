"""Sign-in throttling: failed attempts are rows in the database (shared by every worker), counted per account name
and per client address; past the limit within the window, sign-in is refused for the lockout period.

No user enumeration: names that do not exist are counted and locked exactly like real ones, and a locked name is
refused without checking any password, so the answer and its timing do not depend on whether the account exists.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from techbridge.accounts import queries
from techbridge.accounts.service import authenticate
from techbridge.config import Settings
from techbridge.models import LoginFailure, User
from techbridge.models.base import utcnow

ACCOUNT, ADDRESS = "account", "address"


@dataclass(frozen=True)
class ThrottleRule:
    """Limits per account and per address within a window, and the lockout once reached."""

    max_per_account: int
    max_per_address: int
    window: timedelta
    lockout: timedelta


@dataclass(frozen=True)
class SignInResult:
    """The signed-in user, or None; `retry_minutes` > 0 when sign-in is locked for that long."""

    user: User | None
    retry_minutes: int = 0


def throttle_rule(settings: Settings) -> ThrottleRule:
    """The rule the settings describe."""
    return ThrottleRule(
        max_per_account=settings.login_max_failures,
        max_per_address=settings.login_max_failures_per_address,
        window=timedelta(minutes=settings.login_window_minutes),
        lockout=timedelta(minutes=settings.login_lockout_minutes),
    )


def _keys(username: str, address: str) -> list[tuple[str, str]]:
    return [(ACCOUNT, username.strip().lower()[:255]), (ADDRESS, address[:255])]


def locked_for(*, session: Session, rule: ThrottleRule, username: str, address: str, now: datetime) -> timedelta:
    """How much longer sign-in stays refused for this name or address (zero when it is allowed)."""
    remaining = timedelta(0)
    for kind, key in _keys(username, address):
        limit = rule.max_per_account if kind == ACCOUNT else rule.max_per_address
        count, latest = queries.count_login_failures(session, kind, key, now - rule.window)
        if count >= limit and latest is not None:
            latest = latest if latest.tzinfo else latest.replace(tzinfo=now.tzinfo)
            remaining = max(remaining, latest + rule.lockout - now)
    return remaining


def sign_in(
    *, session: Session, rule: ThrottleRule, username: str, password: str, address: str, now: datetime | None = None
) -> SignInResult:
    """Check the password unless the name or address is locked; count a failure, forget the name's on success."""
    now = now or utcnow()
    remaining = locked_for(session=session, rule=rule, username=username, address=address, now=now)
    if remaining > timedelta(0):
        return SignInResult(user=None, retry_minutes=max(1, math.ceil(remaining.total_seconds() / 60)))
    user = authenticate(session=session, username=username, password=password)
    keys = _keys(username, address)
    if user is not None:
        queries.delete_login_failures(session, *keys[0])
        return SignInResult(user=user)
    for kind, key in keys:
        queries.delete_login_failures(session, kind, key, before=now - max(rule.window, rule.lockout))
        session.add(LoginFailure(kind=kind, key=key, at=now))
    session.flush()
    return SignInResult(user=None)
