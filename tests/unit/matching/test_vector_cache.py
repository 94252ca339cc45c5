"""The process's cached vector index follows the stored vectors in place: edits, new passages, deletions."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from techbridge.matching import build, queries
from techbridge.matching import search as matching_search
from techbridge.matching.search import cached_vectors, vector_index
from techbridge.models import SearchVector
from techbridge.search.embed import HashingEmbedder
from techbridge.search.fulltext import IndexDocument
from techbridge.search.vectors import ExactVectorIndex
from tests.unit.matching.seed import seed_registry

MODEL = HashingEmbedder.name


def _document(session: Session, achievement_id: int) -> IndexDocument:
    rows = [row for batch in queries.iter_achievement_rows(session, [achievement_id]) for row in batch]
    return build.achievement_document(rows[0])


def _stored_count(session: Session) -> int:
    stmt = select(func.count(SearchVector.id)).where(SearchVector.entity == "achievement")
    return int(session.scalar(stmt) or 0)


class TestVectorIndex:
    def test_an_edited_passage_is_applied_in_place(self, session: Session) -> None:
        ids = seed_registry(session)
        embedder = HashingEmbedder()
        build.embed_all(session, embedder)
        index = vector_index(session, "achievement", MODEL)
        edited = replace(_document(session, ids.fpga), title="量子点显示屏封装工艺")
        assert build.embed_documents(session, [edited], embedder) == 1
        again = vector_index(session, "achievement", MODEL)
        cached = cached_vectors(session, "achievement", MODEL)
        assert again is index
        assert cached is not None
        assert (cached.full_loads, cached.refreshes) == (1, 1)
        query = embedder.embed_queries(["量子点显示屏封装工艺"])[0]
        assert again.search(query, 1)[0][0] == f"achievement:{ids.fpga}"
        assert len(again) == _stored_count(session)

    def test_a_row_stamped_just_before_the_latest_seen_is_still_applied(self, session: Session) -> None:
        ids = seed_registry(session)
        embedder = HashingEmbedder()
        build.embed_all(session, embedder)
        index = vector_index(session, "achievement", MODEL)
        cached = cached_vectors(session, "achievement", MODEL)
        assert cached is not None
        late = f"achievement:{ids.rice}"
        blob = embedder.embed_passages(["高铁轴承寿命预测"])[0].tobytes()
        stamp = cached.since - timedelta(seconds=1)  # a writer that flushed earlier and committed later
        session.execute(
            update(SearchVector).where(SearchVector.entity_key == late).values(vector=blob, updated_at=stamp)
        )
        build.embed_documents(session, [replace(_document(session, ids.crp), title="另一项")], embedder)
        assert vector_index(session, "achievement", MODEL) is index
        query = embedder.embed_queries(["高铁轴承寿命预测"])[0]
        assert index.search(query, 1) == [(late, pytest.approx(1.0, abs=1e-5))]

    def test_an_unchanged_store_is_not_touched(self, session: Session) -> None:
        seed_registry(session)
        build.embed_all(session, HashingEmbedder())
        index = vector_index(session, "achievement", MODEL)
        assert vector_index(session, "achievement", MODEL) is index
        cached = cached_vectors(session, "achievement", MODEL)
        assert cached is not None
        assert (cached.full_loads, cached.refreshes) == (1, 0)
        assert isinstance(index, ExactVectorIndex)
        assert index.capacity >= len(index) + 64  # loaded with spare rows: new records append without a copy

    def test_an_unchanged_version_skips_the_scan_of_the_vectors(
        self, session: Session, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        seed_registry(session)
        build.embed_all(session, HashingEmbedder())
        session.commit()  # on PostgreSQL the version moves at commit; a writing transaction always looks again
        index = vector_index(session, "achievement", MODEL)
        scans: list[str] = []
        real_signature = queries.vector_signature

        def counting(session: Session, entity: str, model: str) -> tuple[int, str]:
            scans.append(entity)
            return real_signature(session, entity, model)

        monkeypatch.setattr(queries, "vector_signature", counting)
        assert vector_index(session, "achievement", MODEL) is index
        assert scans == []
        first = select(func.min(SearchVector.id)).scalar_subquery()
        session.execute(delete(SearchVector).where(SearchVector.id == first))
        session.commit()
        assert vector_index(session, "achievement", MODEL) is index  # a write bumps the version: looked at again
        assert scans == ["achievement"]
        assert len(index) == _stored_count(session)

    def test_new_and_shrunk_passages_follow_the_store(self, session: Session) -> None:
        ids = seed_registry(session)
        embedder = HashingEmbedder()
        build.embed_all(session, embedder)
        index = vector_index(session, "achievement", MODEL)
        doc = replace(_document(session, ids.crp), body="第一行摘要\n微流控芯片检测\n冷链物流温控")
        build.embed_documents(session, [doc], embedder)
        assert vector_index(session, "achievement", MODEL) is index
        key = f"achievement:{ids.crp}"
        assert {n for k, n in index.passages() if k == key} == {0, 1, 2}
        build.embed_documents(session, [replace(doc, body="第一行摘要")], embedder)
        assert vector_index(session, "achievement", MODEL) is index
        assert {n for k, n in index.passages() if k == key} == {0}
        assert len(index) == _stored_count(session)
        cached = cached_vectors(session, "achievement", MODEL)
        assert cached is not None
        assert (cached.full_loads, cached.refreshes) == (1, 2)

    def test_deleted_rows_leave_the_index(self, session: Session) -> None:
        ids = seed_registry(session)
        embedder = HashingEmbedder()
        build.embed_all(session, embedder)
        index = vector_index(session, "achievement", MODEL)
        gone = f"achievement:{ids.battery}"
        session.execute(delete(SearchVector).where(SearchVector.entity_key == gone))
        assert vector_index(session, "achievement", MODEL) is index
        assert gone not in {k for k, _ in index.passages()}
        query = embedder.embed_queries([_document(session, ids.battery).title])[0]
        assert gone not in [k for k, _ in index.search(query, 10)]
        assert isinstance(index, ExactVectorIndex)
        assert index.similarities(query, [gone]) == {}
        assert len(index) == _stored_count(session)

    def test_a_large_change_reloads(self, session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
        ids = seed_registry(session)
        build.embed_all(session, HashingEmbedder())
        index = vector_index(session, "achievement", MODEL)
        monkeypatch.setattr(matching_search, "VECTOR_REFRESH_MIN", 0)
        monkeypatch.setattr(matching_search, "VECTOR_REFRESH_SHARE", 0.0)
        session.execute(delete(SearchVector).where(SearchVector.entity_key == f"achievement:{ids.rice}"))
        reloaded = vector_index(session, "achievement", MODEL)
        cached = cached_vectors(session, "achievement", MODEL)
        assert reloaded is not index
        assert cached is not None
        assert cached.full_loads == 2
        assert reloaded is not None
        assert len(reloaded) == _stored_count(session)

    def test_no_vectors_means_no_index(self, session: Session) -> None:
        seed_registry(session)
        assert vector_index(session, "achievement", MODEL) is None
        assert cached_vectors(session, "achievement", MODEL) is None


def test_loaded_vectors_are_the_stored_ones(session: Session) -> None:
    seed_registry(session)
    build.embed_all(session, HashingEmbedder())
    rows = list(queries.load_vectors(session, "achievement", MODEL))
    index = vector_index(session, "achievement", MODEL)
    assert index is not None
    first = rows[0]
    expected = np.frombuffer(first.vector, dtype=np.float32)
    assert index.search(expected, 1)[0] == (first.key, pytest.approx(1.0, abs=1e-5))
    assert sorted(index.passages()) == sorted((row.key, row.passage_no) for row in rows)


class TestChangedVectors:
    def test_rows_at_or_after_the_time_are_returned(self, session: Session) -> None:
        seed_registry(session)
        build.embed_all(session, HashingEmbedder())
        day, next_day = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 2, tzinfo=UTC)
        session.execute(update(SearchVector).values(updated_at=day))
        last = session.scalar(select(func.max(SearchVector.id)).where(SearchVector.entity == "achievement"))
        session.execute(update(SearchVector).where(SearchVector.id == last).values(updated_at=next_day))
        changed = queries.changed_vectors(session, "achievement", MODEL, next_day)
        assert [(row.key, row.passage_no) for row in changed] == [
            (key, number)
            for key, number in session.execute(
                select(SearchVector.entity_key, SearchVector.passage_no).where(SearchVector.id == last)
            )
        ]
        assert queries.changed_vectors(session, "achievement", MODEL, next_day + timedelta(seconds=1)) == []
        assert len(queries.changed_vectors(session, "achievement", MODEL, day, limit=2)) == 2
        assert queries.stored_passages(session, "achievement", MODEL) == {
            (row.key, row.passage_no) for row in queries.load_vectors(session, "achievement", MODEL)
        }


class TestVectorVersion:
    def test_every_write_to_the_vectors_bumps_it(self, session: Session) -> None:
        seed_registry(session)
        session.commit()  # on PostgreSQL the version moves when the writing transaction commits
        before = queries.vector_version(session)
        build.embed_all(session, HashingEmbedder())
        session.commit()
        inserted = queries.vector_version(session)
        session.execute(update(SearchVector).values(updated_at=datetime.now(UTC)))
        session.commit()
        updated = queries.vector_version(session)
        session.execute(delete(SearchVector))
        session.commit()
        deleted = queries.vector_version(session)
        versions = [before, inserted, updated, deleted]
        assert None not in versions
        assert versions == sorted(versions)
        assert len(set(versions)) == 4
