"""The SQLite engine runs in WAL mode with foreign keys enforced; session_scope commits or rolls back."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from techbridge.config import Settings
from techbridge.db import get_engine, is_sqlite, session_scope
from techbridge.models import Achievement, Region, RegionLevel


class TestEngine:
    def test_sqlite_uses_wal_and_foreign_keys(self, settings: Settings) -> None:
        engine = get_engine(settings.database_url)
        if not is_sqlite(engine):
            pytest.skip("SQLite pragmas")
        with engine.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1

    def test_foreign_keys_are_enforced(self, settings: Settings) -> None:
        with pytest.raises(IntegrityError), session_scope(settings.database_url) as session:
            session.add(Region(code="210101", name="x", level=RegionLevel.COUNTY, parent_code="9999"))


class TestSessionScope:
    def test_an_error_rolls_everything_back(self, settings: Settings) -> None:
        def add_then_fail() -> None:
            with session_scope(settings.database_url) as session:
                session.add(Region(code="21", name="辽宁省", level=RegionLevel.PROVINCE))
                session.flush()
                raise RuntimeError("boom")

        with pytest.raises(RuntimeError):
            add_then_fail()
        with session_scope(settings.database_url) as session:
            assert session.scalar(select(func.count()).select_from(Region)) == 0

    def test_success_commits(self, settings: Settings) -> None:
        with session_scope(settings.database_url) as session:
            session.add(Region(code="21", name="辽宁省", level=RegionLevel.PROVINCE))
        with session_scope(settings.database_url) as session:
            assert session.get(Region, "21") is not None


class TestNulInText:
    def test_a_search_with_a_nul_character_is_an_ordinary_query_on_every_store(self, session: Session) -> None:
        found = session.scalars(select(Achievement).where(Achievement.title.contains("a\x00b"))).all()
        assert found == []
