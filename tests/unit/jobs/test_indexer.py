"""The indexer applies outbox events to this host's index, catches up after a restart, and rebuilds on refresh."""

from __future__ import annotations

import sqlite3
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, select, update
from sqlalchemy.engine import make_url

from techbridge.access import Viewer
from techbridge.config import Settings
from techbridge.db import get_engine, session_scope
from techbridge.errors import ConflictError
from techbridge.jobs import indexer
from techbridge.jobs.outbox import FileCursor, Op, OutboxReader, record_change, request_refresh
from techbridge.jobs.process import StopFlag
from techbridge.matching import build
from techbridge.models import Achievement, AchievementKind, OutboxEvent, Role, SearchVector
from techbridge.models.base import utcnow
from techbridge.registry import service
from techbridge.registry.schemas import AchievementCreate, AchievementUpdate
from techbridge.search import index as artifacts
from techbridge.search.embed import HashingEmbedder
from techbridge.search.fulltext import FulltextIndex
from techbridge.search.tokenize import Segmenter
from tests.registry_seed import make_user
from tests.unit.matching.seed import seed_registry

EMBEDDER = HashingEmbedder()


@pytest.fixture
def viewer(settings: Settings) -> Viewer:
    """A signed-in enterprise user over the matching registry (committed)."""
    with session_scope(settings.database_url) as session:
        seed_registry(session)
        user = make_user(session, "ent1", Role.ENTERPRISE)
    return Viewer(user_id=user.id, role=Role.ENTERPRISE)


def _once(settings: Settings, embedder: HashingEmbedder | None = EMBEDDER) -> indexer.IndexerReport:
    return indexer.run_indexer(settings=settings, embedder=embedder, once=True)


def _create(settings: Settings, viewer: Viewer, title: str) -> int:
    with session_scope(settings.database_url) as session:
        return service.create_achievement(session=session, viewer=viewer, data=AchievementCreate(title=title)).id


def _in_index(settings: Settings, key: str) -> list[str]:
    index = build.open_lexical(settings)
    assert index is not None
    return [hit.title for hit in index.lookup([key])]


def _vectors(settings: Settings, key: str) -> int:
    with session_scope(settings.database_url) as session:
        return int(session.scalar(select(func.count(SearchVector.id)).where(SearchVector.entity_key == key)) or 0)


class TestRunIndexer:
    def test_first_run_builds_the_index_and_embeds_every_record(self, settings: Settings, viewer: Viewer) -> None:
        report = _once(settings)
        assert report.rebuilds == 1
        assert report.passages > 0
        assert indexer.indexer_status(settings)["behind"] == 0
        assert _once(settings).passages == 0

    def test_a_portal_write_reaches_the_index_only_through_the_indexer(
        self, settings: Settings, viewer: Viewer
    ) -> None:
        _once(settings)
        new = _create(settings, viewer, "氢燃料电池双极板涂层")
        key = f"achievement:{new}"
        assert _in_index(settings, key) == []
        assert indexer.indexer_status(settings)["behind"] == 1
        report = _once(settings)
        assert (report.events, report.records) == (1, 1)
        assert _in_index(settings, key) == ["氢燃料电池双极板涂层"]
        assert _vectors(settings, key) == 1
        with session_scope(settings.database_url) as session:
            service.update_achievement(
                session=session, viewer=viewer, achievement_id=new, data=AchievementUpdate(title="质子交换膜制备")
            )
        _once(settings)
        assert _in_index(settings, key) == ["质子交换膜制备"]

    def test_the_holding_enterprise_lists_a_new_achievement_after_the_indexer_ran(self, settings: Settings) -> None:
        with session_scope(settings.database_url) as session:
            seeded = seed_registry(session)
            user = make_user(session, "maker", Role.ENTERPRISE, organization_id=seeded.local_battery_maker)
        _once(settings, embedder=None)
        maker = Viewer(user_id=user.id, role=Role.ENTERPRISE, organization_id=seeded.local_battery_maker)
        _create(settings, maker, "固态电解质界面改性")
        index = build.open_lexical(settings)
        assert index is not None
        key = f"enterprise:{seeded.local_battery_maker}"
        assert "固态电解质界面改性" not in index.lookup([key])[0].body
        report = _once(settings, embedder=None)
        assert report.records == 2  # the achievement and its holder
        assert "固态电解质界面改性" in index.lookup([key])[0].body

    def test_a_deleted_record_leaves_the_index_and_its_vectors_go(self, settings: Settings, viewer: Viewer) -> None:
        new = _create(settings, viewer, "某成果")
        _once(settings)
        key = f"achievement:{new}"
        assert _vectors(settings, key) == 1
        with session_scope(settings.database_url) as session:
            session.delete(session.get(Achievement, new))
            record_change(session=session, entity="achievement", record_id=new, op=Op.DELETE)
        _once(settings)
        assert _in_index(settings, key) == []
        assert _vectors(settings, key) == 0

    def test_a_restarted_indexer_applies_only_what_it_missed(self, settings: Settings, viewer: Viewer) -> None:
        _once(settings)
        first = _create(settings, viewer, "第一项成果")
        _once(settings)
        with session_scope(settings.database_url) as session:  # the restart comes later than the late-commit grace
            session.execute(update(OutboxEvent).values(created_at=utcnow() - timedelta(hours=1)))
        second, third = _create(settings, viewer, "第二项成果"), _create(settings, viewer, "第三项成果")
        report = _once(settings)  # a new run: nothing in memory, only the position stored beside the index
        assert (report.events, report.rebuilds) == (2, 0)
        for record_id in (first, second, third):
            assert _in_index(settings, f"achievement:{record_id}")

    def test_an_import_refresh_builds_a_new_version(self, settings: Settings, viewer: Viewer) -> None:
        _once(settings, embedder=None)
        before = artifacts.current_version(settings.index_dir, build.LEXICAL)
        with session_scope(settings.database_url) as session:
            bulk = Achievement(kind=AchievementKind.PATENT, title="批量导入的专利")
            session.add(bulk)
            session.flush()
            refresh = request_refresh(session=session).id
        report = _once(settings, embedder=None)
        after = artifacts.current_version(settings.index_dir, build.LEXICAL)
        assert before is not None
        assert after is not None
        assert after.version != before.version
        assert report.rebuilds == 1
        assert artifacts.read_position(after.path) >= refresh
        assert _in_index(settings, f"achievement:{bulk.id}") == ["批量导入的专利"]
        assert _vectors(settings, f"achievement:{bulk.id}") == 0  # --no-embed: another host embeds

    def test_each_host_keeps_its_own_index_and_position(
        self, settings: Settings, viewer: Viewer, tmp_path: Path
    ) -> None:
        other = settings.model_copy(update={"var_dir": tmp_path / "host-b"})
        _once(settings, embedder=None)
        new = _create(settings, viewer, "两台主机都能找到")
        _once(settings, embedder=None)
        assert indexer.indexer_status(other)["lexical_version"] is None
        _once(other, embedder=None)  # host B starts later and catches up from the database alone
        build._OPEN.clear()
        assert _in_index(other, f"achievement:{new}") == ["两台主机都能找到"]
        assert indexer.indexer_status(other)["behind"] == 0

    def test_a_web_worker_reader_sees_the_indexers_commits(self, settings: Settings, viewer: Viewer) -> None:
        _once(settings, embedder=None)
        info = artifacts.current_version(settings.index_dir, build.LEXICAL)
        assert info is not None
        worker_view = FulltextIndex(info.path / "tantivy", Segmenter([]))  # opened like another process would
        key = f"achievement:{_create(settings, viewer, '读者自动看到新文档')}"
        _once(settings, embedder=None)
        deadline = time.monotonic() + 5
        while not worker_view.lookup([key]) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert [hit.title for hit in worker_view.lookup([key])] == ["读者自动看到新文档"]


class TestOutboxReader:
    def test_an_event_committed_late_below_the_cursor_is_still_handed_over(
        self, settings: Settings, tmp_path: Path
    ) -> None:
        reader = OutboxReader(FileCursor(tmp_path / "consumer"))
        with session_scope(settings.database_url) as session:
            early = record_change(session=session, entity="demand", record_id=1, op=Op.CREATE).id
            late = record_change(session=session, entity="demand", record_id=2, op=Op.CREATE).id
        reader.store.save(late)  # as if `late` had been read and applied before `early` committed
        reader.seen[late] = utcnow()
        with session_scope(settings.database_url) as session:
            assert [e.id for e in reader.pending(session, 10)] == [early]
            reader.mark_done(reader.pending(session, 10))
            assert reader.pending(session, 10) == []
        assert reader.store.load() == late


class RunningIndexer:
    """`run_indexer` in a thread, as `serve --embed` runs it beside the web server, until `stop()`."""

    def __init__(self, settings: Settings) -> None:
        self.idle, self.flag = threading.Event(), StopFlag()
        self.errors: list[BaseException] = []
        self.thread = threading.Thread(target=self._run, args=(settings,))

    def _run(self, settings: Settings) -> None:
        def wait(_seconds: float) -> None:
            self.idle.set()
            time.sleep(0.02)

        try:
            indexer.run_indexer(settings=settings, embedder=None, should_stop=self.flag, sleep=wait)
        except BaseException as exc:  # the test reads it
            self.errors.append(exc)

    def __enter__(self) -> RunningIndexer:
        self.thread.start()
        assert self.idle.wait(30), self.errors
        return self

    def __exit__(self, *_exc: object) -> None:
        self.flag.set()
        self.thread.join(30)


class TestOneIndexerPerHost:
    def test_a_second_indexer_on_the_same_host_refuses_to_run(self, settings: Settings, viewer: Viewer) -> None:
        with RunningIndexer(settings) as first:
            with pytest.raises(ConflictError, match="another indexer is running on this host"):
                _once(settings, embedder=None)
            new = _create(settings, viewer, "运行中的索引器写入的成果")
            deadline = time.monotonic() + 10
            while not _in_index(settings, f"achievement:{new}") and time.monotonic() < deadline:
                time.sleep(0.05)
        assert first.errors == []
        assert _in_index(settings, f"achievement:{new}")
        assert _once(settings, embedder=None).rebuilds == 0  # the lock went with the first run

    def test_a_search_build_beside_the_indexer_leaves_the_rebuild_to_it(self, settings: Settings) -> None:
        with session_scope(settings.database_url) as session:
            seed_registry(session)
        with RunningIndexer(settings) as running:
            before = artifacts.current_version(settings.index_dir, build.LEXICAL)
            assert indexer.rebuild_or_queue(settings) is None
            deadline = time.monotonic() + 10
            while indexer.indexer_status(settings)["behind"] and time.monotonic() < deadline:
                time.sleep(0.05)
            after = artifacts.current_version(settings.index_dir, build.LEXICAL)
        assert running.errors == []
        assert before is not None
        assert after is not None
        assert after.version != before.version
        assert indexer.indexer_status(settings)["behind"] == 0


class TestLockedDatabase:
    def test_a_step_locked_out_past_the_busy_timeout_is_retried_not_the_end(
        self, settings: Settings, viewer: Viewer
    ) -> None:
        if not settings.database_url.startswith("sqlite"):
            pytest.skip("holds SQLite's write lock from a second connection")
        _once(settings)
        new = _create(settings, viewer, "导入期间登记的成果")
        path = make_url(settings.database_url).database
        assert path
        other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        held: list[Any] = []

        def lock_out(_conn: Any, cursor: Any, statement: str, *_args: Any) -> None:
            if not held and statement.startswith("INSERT INTO search_vectors"):
                cursor.connection.execute("PRAGMA busy_timeout=50")  # as if 10 s of an import went by
                other.execute("BEGIN IMMEDIATE")  # the import's transaction
                held.append(cursor.connection)

        def poll(_seconds: float) -> None:  # the import commits while the indexer waits
            if held and other.in_transaction:
                other.execute("ROLLBACK")
                held[0].execute("PRAGMA busy_timeout=10000")

        engine = get_engine(settings.database_url)
        event.listen(engine, "before_cursor_execute", lock_out)
        try:
            report = indexer.run_indexer(settings=settings, embedder=EMBEDDER, once=True, sleep=poll)
        finally:
            event.remove(engine, "before_cursor_execute", lock_out)
            other.close()
        assert held
        assert report.failures == 1
        assert _in_index(settings, f"achievement:{new}") == ["导入期间登记的成果"]
        assert _vectors(settings, f"achievement:{new}") == 1
