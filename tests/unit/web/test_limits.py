"""The body-limit middleware on raw ASGI: declared and streamed sizes, the fallback 413, other errors untouched."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from starlette.types import Message, Receive, Scope, Send

from techbridge.web.limits import BodyLimitMiddleware, format_size


async def reading_app(scope: Scope, receive: Receive, send: Send) -> None:
    """Reads the whole body, then answers 200 with its length (no exception handling of its own)."""
    size, more = 0, True
    while more:
        message = await receive()
        size += len(message.get("body", b""))
        more = message.get("more_body", False)
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": str(size).encode()})


async def grouped_app(scope: Scope, receive: Receive, send: Send) -> None:
    """Reads the body inside a task group, as BaseHTTPMiddleware does: errors arrive as an ExceptionGroup."""
    async with asyncio.TaskGroup() as group:
        group.create_task(reading_app(scope, receive, send))


def run_in_own_loop(coroutine: Any) -> None:
    """Run a coroutine to completion in a new event loop on its own thread: the browser tests' session-wide
    Playwright keeps an event loop running in the main thread, where asyncio.run() would refuse."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, coroutine).result()


def call(app: Any, chunks: list[bytes], headers: list[tuple[bytes, bytes]] | None = None) -> tuple[int, list[int]]:
    """(status, indexes of the chunks the app pulled) of one POST through BodyLimitMiddleware(limit 10 bytes)."""
    pulled: list[int] = []
    sent: list[Message] = []

    async def receive() -> Message:
        index = len(pulled)
        pulled.append(index)
        return {"type": "http.request", "body": chunks[index], "more_body": index + 1 < len(chunks)}

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/api/x", "headers": headers or []}
    run_in_own_loop(BodyLimitMiddleware(app, body_limit=10, upload_limit=100)(scope, receive, send))
    return int(sent[0]["status"]), pulled


class TestBodyLimitMiddleware:
    def test_body_within_the_limit_reaches_the_app(self) -> None:
        assert call(reading_app, [b"12345", b"67890"]) == (200, [0, 1])

    def test_declared_length_past_the_limit_reads_nothing(self) -> None:
        assert call(reading_app, [b"x" * 11], [(b"content-length", b"11")]) == (413, [])

    def test_streamed_body_stops_at_the_chunk_that_passes_the_limit(self) -> None:
        assert call(reading_app, [b"123456", b"789012", b"never"]) == (413, [0, 1])

    def test_exception_group_from_a_task_group_is_answered_too(self) -> None:
        assert call(grouped_app, [b"x" * 20])[0] == 413

    def test_other_errors_are_not_swallowed(self) -> None:
        async def failing(scope: Scope, receive: Receive, send: Send) -> None:
            raise RuntimeError("boom")

        with pytest.raises(RuntimeError, match="boom"):
            call(failing, [b""])


class TestFormatSize:
    @pytest.mark.parametrize(
        ("size", "text"), [(50 * 1024 * 1024, "50 MB"), (1024 * 1024, "1 MB"), (512 * 1024, "512 KB"), (100, "100 B")]
    )
    def test_sizes(self, size: int, text: str) -> None:
        assert format_size(size) == text
