"""A small progress bar on stderr for long imports (redrawn in place on a terminal, a few lines otherwise)."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Iterator
from typing import TextIO, TypeVar

T = TypeVar("T")

REDRAW_SECONDS = 0.2
BAR_WIDTH = 30


class Progress:
    """Counts work done against an optional total and draws it on `stream`."""

    def __init__(self, label: str, total: int | None = None, *, stream: TextIO | None = None) -> None:
        self.label = label
        self.total = total
        self.done = 0
        self.stream = stream if stream is not None else sys.stderr
        self.is_tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self._last_draw = 0.0
        self._started = time.monotonic()

    def advance(self, amount: int = 1) -> None:
        """Record `amount` more units done; redraw at most every REDRAW_SECONDS on a terminal."""
        self.done += amount
        now = time.monotonic()
        if self.is_tty and now - self._last_draw >= REDRAW_SECONDS:
            self._last_draw = now
            self.stream.write("\r" + self.render())
            self.stream.flush()

    def render(self) -> str:
        """The bar as text: label, bar, done/total and rate."""
        rate = self.done / max(time.monotonic() - self._started, 1e-6)
        if self.total:
            filled = int(BAR_WIDTH * min(self.done / self.total, 1.0))
            bar = "#" * filled + "-" * (BAR_WIDTH - filled)
            return f"{self.label:<14} [{bar}] {self.done:,}/{self.total:,} ({rate:,.0f}/s)"
        return f"{self.label:<14} {self.done:,} ({rate:,.0f}/s)"

    def close(self) -> None:
        """Draw the final state on its own line."""
        self.stream.write(("\r" if self.is_tty else "") + self.render() + "\n")
        self.stream.flush()

    def iterate(self, items: Iterable[T]) -> Iterator[T]:
        """Yield `items`, advancing by one each, and close at the end."""
        for item in items:
            yield item
            self.advance()
        self.close()
