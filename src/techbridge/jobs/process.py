"""How a job process behaves: a lower CPU priority than the web workers, and a stop flag that SIGTERM or SIGINT
sets so the job stops after the batch in hand (nothing half-written)."""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from types import FrameType


def lower_priority(niceness: int) -> None:
    """Run this process `niceness` steps below normal CPU priority, so it never starves the web workers."""
    if niceness > 0 and hasattr(os, "nice"):
        with contextlib.suppress(OSError):  # not allowed here (a container's policy): run at normal priority
            os.nice(niceness)


class StopFlag:
    """Callable stop test, set by a signal or by `set()`; jobs look at it between batches."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def __call__(self) -> bool:
        """Whether the job was asked to stop."""
        return self._event.is_set()

    def set(self) -> None:
        """Ask the job to stop after its current batch."""
        self._event.set()

    def _handle(self, _signum: int, _frame: FrameType | None) -> None:
        self._event.set()

    @classmethod
    def on_signals(cls) -> StopFlag:
        """A flag set by SIGTERM and SIGINT (only the main thread may install handlers; elsewhere, none are)."""
        flag = cls()
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, flag._handle)
            signal.signal(signal.SIGINT, flag._handle)
        return flag
