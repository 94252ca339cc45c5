"""Backup and restore round trips on the configured store (SQLite here; PostgreSQL under scripts/with-postgres)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from techbridge.backups import queries, service
from techbridge.chains import build
from techbridge.config import Settings
from techbridge.db import dispose_engines, session_scope
from techbridge.errors import ConflictError, InvalidDataError
from techbridge.models import Achievement, ChainNode
from tests.registry_seed import make_many_achievements, seed_registry


def _counts(url: str) -> dict[str, int]:
    with session_scope(url) as session:
        return queries.table_counts(session)


class TestRoundTrip:
    def test_restore_brings_back_every_tables_rows(self, settings: Settings, tmp_path: Path) -> None:
        url = settings.database_url
        with session_scope(url) as session:
            seed_registry(session)
            make_many_achievements(session, 12)
        before = _counts(url)
        assert before["achievements"] > 12
        assert "alembic_version" in before
        backup = service.backup_database(url=url, path=tmp_path / "backups" / "techbridge.backup")
        with session_scope(url) as session:
            make_many_achievements(session, 5, prefix="备份之后")
            first = session.scalars(select(Achievement).order_by(Achievement.id)).first()
            assert first is not None
            first.title = "改过的标题"
        assert _counts(url) != before
        dispose_engines()
        service.restore_database(url=url, path=backup)
        assert _counts(url) == before
        with session_scope(url) as session:
            titles = set(session.scalars(select(Achievement.title)))
        assert "改过的标题" not in titles
        assert not any(t.startswith("备份之后") for t in titles)

    def test_restore_moves_the_data_versions_past_every_value_seen_before(
        self, settings: Settings, tmp_path: Path
    ) -> None:
        url = settings.database_url
        backup = service.backup_database(url=url, path=tmp_path / "v.backup")
        with session_scope(url) as session:
            seed_registry(session)
        with session_scope(url) as session:
            seen = build.graph_version(session)
        assert seen is not None
        dispose_engines()
        service.restore_database(url=url, path=backup)
        with session_scope(url) as session:
            restored = build.graph_version(session)
            assert restored is not None
            assert restored > seen  # a cache keyed by `seen` is stale, as it should be
            session.add(ChainNode(kind="product", name="恢复之后", source_dataset="t"))
        with session_scope(url) as session:
            after = build.graph_version(session)
        assert after is not None
        assert after > restored

    def test_an_existing_file_is_not_overwritten_unless_asked(self, settings: Settings, tmp_path: Path) -> None:
        path = tmp_path / "b.backup"
        path.write_bytes(b"keep me")
        with pytest.raises(ConflictError):
            service.backup_database(url=settings.database_url, path=path)
        assert path.read_bytes() == b"keep me"
        service.backup_database(url=settings.database_url, path=path, overwrite=True)
        assert path.read_bytes() != b"keep me"

    def test_a_file_that_is_no_backup_is_refused_before_anything_changes(
        self, settings: Settings, tmp_path: Path
    ) -> None:
        before = _counts(settings.database_url)
        junk = tmp_path / "notes.txt"
        junk.write_text("not a database", encoding="utf-8")
        with pytest.raises(InvalidDataError, match="not a backup"):
            service.restore_database(url=settings.database_url, path=junk)
        with pytest.raises(InvalidDataError, match="does not exist"):
            service.restore_database(url=settings.database_url, path=tmp_path / "missing.backup")
        assert _counts(settings.database_url) == before
