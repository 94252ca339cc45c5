"""The chosen interface language sticks: a `?lang=` on any page is remembered in the `lang` cookie, so the next
click, HTMX fragments and lazily loaded panels keep it (a pure ASGI middleware, no body buffering)."""

from __future__ import annotations

from http.cookies import SimpleCookie
from urllib.parse import parse_qs

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from techbridge.i18n.loader import LANGUAGES

COOKIE = "lang"
MAX_AGE = 365 * 86400


def requested_language(scope: Scope) -> str | None:
    """The `lang` query parameter of the request when it names a known language."""
    values = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("lang")
    return values[-1] if values and values[-1] in LANGUAGES else None


def cookie_language(scope: Scope) -> str | None:
    """The language the `lang` cookie holds."""
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            jar: SimpleCookie = SimpleCookie()
            jar.load(value.decode("latin-1"))
            if COOKIE in jar:
                return jar[COOKIE].value
    return None


class LanguageMiddleware:
    """Sets the `lang` cookie whenever a request asks for another language than the cookie holds."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        wanted = requested_language(scope) if scope["type"] == "http" else None
        if wanted is None or wanted == cookie_language(scope):
            await self.app(scope, receive, send)
            return

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                cookie = f"{COOKIE}={wanted}; Max-Age={MAX_AGE}; Path=/; SameSite=Lax"
                message["headers"] = [*message.get("headers", []), (b"set-cookie", cookie.encode("latin-1"))]
            await send(message)

        await self.app(scope, receive, send_with_cookie)
