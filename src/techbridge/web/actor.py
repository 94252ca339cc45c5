"""Binds the audit actor of each request from the signed session cookie, so every write the request makes (in any
session it opens, e.g. an upload's own import transaction) is attributed to the signed-in user."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from techbridge.audit.service import Actor, acting_as

ANONYMOUS = Actor(name="anonymous")


def actor_of(session: dict[str, object]) -> Actor:
    """The actor a decoded session cookie names (anonymous without a user id)."""
    uid = session.get("uid")
    if not isinstance(uid, int):
        return ANONYMOUS
    return Actor(user_id=uid, name=str(session.get("username") or f"user:{uid}"))


class AuditActorMiddleware:
    """Sets the audit actor for the request; must sit inside SessionMiddleware (added before it)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        with acting_as(actor_of(scope.get("session") or {})):
            await self.app(scope, receive, send)
