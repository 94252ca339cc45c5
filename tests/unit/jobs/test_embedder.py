"""The background embedder commits per batch: a killed run keeps its vectors and the next run finishes the rest."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from techbridge.config import Settings
from techbridge.db import session_scope
from techbridge.jobs import embedder
from techbridge.matching import build
from techbridge.models import SearchVector
from techbridge.search.embed import HashingEmbedder, split_passages
from tests.registry_seed import make_many_achievements
from tests.unit.matching.seed import seed_registry

SLOW_JOB = """
import sys, time
from techbridge.jobs.embedder import run_embedder
from techbridge.search.embed import HashingEmbedder

class Slow(HashingEmbedder):
    def embed_passages(self, texts):
        time.sleep(0.25)
        return super().embed_passages(texts)

run_embedder(url=sys.argv[1], embedder=Slow(), batch=2)
"""


@pytest.fixture
def registry(settings: Settings) -> int:
    """The matching registry plus 40 patents; returns how many passages embedding all of it makes."""
    with session_scope(settings.database_url) as session:
        seed_registry(session)
        make_many_achievements(session, 40)
    with session_scope(settings.database_url) as session:
        return sum(len(split_passages(d.title, d.body)) for batch in build.iter_documents(session) for d in batch)


def _vectors(url: str) -> tuple[int, int]:
    with session_scope(url) as session:
        rows = session.scalar(select(func.count(SearchVector.id)))
        keys = session.execute(select(SearchVector.entity_key, SearchVector.passage_no).distinct()).all()
    return int(rows or 0), len(keys)


def _wait_for(condition: object, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if callable(condition) and condition():
            return
        time.sleep(0.05)
    raise AssertionError("timed out")


class TestRunEmbedder:
    def test_killed_run_keeps_its_batches_and_the_rerun_completes_them(
        self, settings: Settings, registry: int, tmp_path: Path
    ) -> None:
        url = settings.database_url
        job = subprocess.Popen([sys.executable, "-c", SLOW_JOB, url])
        try:
            _wait_for(lambda: _vectors(url)[0] >= 6)
        finally:
            job.kill()
            job.wait()
        kept, _ = _vectors(url)
        assert 6 <= kept < registry
        report = embedder.run_embedder(url=url, embedder=HashingEmbedder(), batch=2)
        assert report.passages == registry - kept
        assert _vectors(url) == (registry, registry)
        assert embedder.run_embedder(url=url, embedder=HashingEmbedder()).passages == 0

    def test_limit_and_stop_end_the_run_between_batches(self, settings: Settings, registry: int) -> None:
        url = settings.database_url
        first = embedder.run_embedder(url=url, embedder=HashingEmbedder(), batch=2, limit=3)
        assert first.stopped
        assert 3 <= first.passages < registry
        stopped = embedder.run_embedder(url=url, embedder=HashingEmbedder(), should_stop=lambda: True)
        assert stopped.stopped
        assert stopped.passages == 0
        rest = embedder.run_embedder(url=url, embedder=HashingEmbedder(), batch=5)
        assert first.passages + rest.passages == registry
