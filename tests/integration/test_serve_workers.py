"""`techbridge serve --workers N`: N uvicorn worker processes on one port, each building the app from the
environment, against the same database (SQLite in WAL mode here; PostgreSQL under scripts/with-postgres)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from techbridge.config import Settings


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        found |= {int(child) for child in (task / "children").read_text().split()}
    return found


def _wait_for(url: str, seconds: float = 180.0) -> httpx.Response:
    deadline = time.monotonic() + seconds
    while True:
        try:
            return httpx.get(url, timeout=5.0)
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


class TestServeWorkers:
    def test_two_workers_answer_on_one_port(self, settings: Settings) -> None:
        port = _free_port()
        env = {
            **os.environ,
            "TECHBRIDGE_DATABASE_URL": settings.database_url,
            "TECHBRIDGE_VAR_DIR": str(settings.var_dir),
            "TECHBRIDGE_SECRET_KEY": "test-secret",
        }
        command = [sys.executable, "-m", "techbridge", "serve", "--port", str(port), "--workers", "2"]
        server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            pages = [_wait_for(f"http://127.0.0.1:{port}/")]
            pages += [httpx.get(f"http://127.0.0.1:{port}/achievements", timeout=10.0) for _ in range(5)]
            assert [page.status_code for page in pages] == [200] * 6
            assert len(_children(server.pid)) >= 2  # the supervisor's worker processes
        finally:
            server.send_signal(signal.SIGINT)
            _out, err = server.communicate(timeout=30)
        assert b"Started parent process" in err
