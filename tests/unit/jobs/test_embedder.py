"""The background embedder commits per batch: a killed run keeps its vectors and the next run finishes the rest."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.engine import make_url

from techbridge.config import Settings
from techbridge.db import get_engine, session_scope
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

    def test_a_full_pass_embeds_every_searchable_entity_experts_before_enterprises(
        self, settings: Settings, registry: int
    ) -> None:
        seen = [
            d.key.split(":")[0] for batch in embedder.iter_document_batches(settings.database_url, 3) for d in batch
        ]
        firsts = [entity for n, entity in enumerate(seen) if entity not in seen[:n]]
        assert firsts == ["achievement", "expert", "enterprise"]
        assert sorted(firsts) == sorted(build.SEARCHABLE)

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


@contextmanager
def another_embedder_first(url: str) -> Iterator[list[str]]:
    """Just before this process inserts its first vector, another connection inserts and commits the same
    passage's row (as `search embed` beside the indexer may): a SQLite stand-in for the race."""
    done: list[str] = []

    def listener(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_args: Any) -> None:
        if done or not statement.startswith("INSERT INTO search_vectors"):
            return
        row = parameters[0] if isinstance(parameters, list) else parameters
        path = make_url(url).database
        assert path
        with sqlite3.connect(path) as other:
            other.execute(
                "INSERT INTO search_vectors (entity_key, entity, passage_no, model, content_hash, dim, vector,"
                " updated_at) VALUES (?, ?, ?, ?, 'other', ?, ?, ?)",
                (row[0], row[1], row[2], row[3], row[5], row[6], row[7]),
            )
        done.append(str(row[0]))

    engine = get_engine(url)
    event.listen(engine, "before_cursor_execute", listener)
    try:
        yield done
    finally:
        event.remove(engine, "before_cursor_execute", listener)


class TestTwoEmbedders:
    def test_a_passage_another_embedder_stored_meanwhile_is_overwritten_not_a_crash(
        self, settings: Settings, registry: int
    ) -> None:
        if not settings.database_url.startswith("sqlite"):
            pytest.skip("the stand-in for the race writes through sqlite3")
        with session_scope(settings.database_url) as session:
            docs = [d for batch in build.iter_documents(session) for d in batch]
        with another_embedder_first(settings.database_url) as raced:
            written = embedder.embed_batch(settings.database_url, docs, HashingEmbedder())
        assert raced
        assert written == registry
        assert _vectors(settings.database_url) == (registry, registry)
        with session_scope(settings.database_url) as session:
            hashes = set(session.scalars(select(SearchVector.content_hash)))
        assert "other" not in hashes  # this run's vector replaced the other's row
