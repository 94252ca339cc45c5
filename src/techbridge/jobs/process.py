"""How a job process behaves: a lower CPU priority than the web workers, a stop flag that SIGTERM or SIGINT sets
so the job stops after the batch in hand (nothing half-written), and a host-wide lock so a job runs once per host."""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import threading
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

from techbridge.errors import JobBusyError


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


@contextlib.contextmanager
def single_instance(path: Path, job: str) -> Iterator[None]:
    """Hold an exclusive lock on the file `path` while the job runs; JobBusyError naming the holder's pid when
    another process (or another run in this one) holds it. The kernel drops the lock with its process, so a killed
    job leaves nothing to clean up."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "?"
            raise JobBusyError(
                f"another {job} is running on this host (pid {holder})",
                message_zh=f"本机已有 {job} 在运行（进程 {holder}）",
            ) from None
        handle.truncate(0)
        handle.write(str(os.getpid()))
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
