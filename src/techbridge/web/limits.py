"""Bounded request bodies: a pure ASGI middleware that counts the bytes of every request body and answers 413 past
the limit of its path (`max_upload_bytes` on the upload routes, `max_body_bytes` on every other route: the JSON API
and forms). A declared Content-Length is checked before the first byte is read; a body without one (chunked) is
counted while it streams, so nothing past the limit is parsed or kept. `install(app, settings)` adds both the
middleware and the 413 answer (JSON under /api, the error page elsewhere, in the user's language)."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from techbridge.config import Settings
from techbridge.i18n.loader import translate
from techbridge.web.deps import get_lang
from techbridge.web.templating import render

UPLOAD_PATHS = frozenset({"/import"})
"""Routes that take a user's file: limited by `max_upload_bytes` instead of `max_body_bytes`."""


class BodyTooLargeError(HTTPException):
    """A request body past its limit (raised from `receive`, before the excess is handed to any parser)."""

    def __init__(self, limit: int) -> None:
        super().__init__(status_code=413, detail="Content Too Large")
        self.limit = limit


def _declared_length(scope: Scope) -> int | None:
    value = Headers(scope=scope).get("content-length")
    return int(value) if value is not None and value.isdigit() else None


def _is_too_large(exc: BaseException) -> bool:
    """BodyTooLargeError, alone or as the only kind in an exception group (from a task-group middleware)."""
    if isinstance(exc, BaseExceptionGroup):
        matched, rest = exc.split(BodyTooLargeError)
        return matched is not None and rest is None
    return isinstance(exc, BodyTooLargeError)


class BodyLimitMiddleware:
    """Counts request-body bytes against the limit of the request's path; 413 past it (pure ASGI, no buffering).

    The app's `receive` raises BodyTooLargeError on the first call when the declared Content-Length is past the
    limit, and as soon as the bytes received pass it otherwise; the app's 413 handler answers. An app that answers
    without reading the body (a redirect to sign in) is left alone: nothing was read."""

    def __init__(self, app: ASGIApp, *, body_limit: int, upload_limit: int) -> None:
        self.app = app
        self.body_limit = body_limit
        self.upload_limit = upload_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.upload_limit if scope["path"] in UPLOAD_PATHS else self.body_limit
        declared, received, started = _declared_length(scope), 0, False

        async def counted() -> Message:
            nonlocal received
            if declared is not None and declared > limit:
                raise BodyTooLargeError(limit)
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLargeError(limit)
            return message

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, tracked)
        except Exception as exc:  # only a BodyTooLargeError that no handler answered, before any response
            if started or not _is_too_large(exc):
                raise
            await PlainTextResponse("Content Too Large", status_code=413)(scope, receive, send)


def limit_of(path: str, settings: Settings) -> int:
    """The body limit that applies to `path`."""
    return settings.max_upload_bytes if path in UPLOAD_PATHS else settings.max_body_bytes


def format_size(size: int) -> str:
    """Bytes as a short figure for messages: 50 MB, 1 MB, 512 KB, 100 B."""
    for unit, factor in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= factor:
            return f"{size / factor:g} {unit}"
    return f"{size} B"


async def answer_too_large(request: Request, exc: Exception) -> Response:
    """The 413 answer: JSON under /api, the error page elsewhere, naming the limit in the user's language."""
    settings = request.app.state.settings
    limit = exc.limit if isinstance(exc, BodyTooLargeError) else limit_of(request.url.path, settings)
    message = translate("limits.too_large", get_lang(request), limit=format_size(limit))
    if request.url.path.startswith("/api/"):
        return JSONResponse({"error": "too_large", "message": message, "location": []}, status_code=413)
    return render(request, "error.html", {"message": message}, status_code=413, partial="_error.html")


def install(app: FastAPI, settings: Settings) -> None:
    """Add the body-limit middleware and the 413 answer to `app`."""
    app.add_middleware(BodyLimitMiddleware, body_limit=settings.max_body_bytes, upload_limit=settings.max_upload_bytes)
    app.add_exception_handler(413, answer_too_large)
