"""Shared fixtures of the benchmark tests."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from techbridge.config import Settings
from techbridge.matching import build
from tests.unit.matching.seed import Seeded, seed_registry


@pytest.fixture
def seeded(session: Session, settings: Settings) -> Seeded:
    """The matching test registry with its lexical index, committed (the benchmarks open their own sessions)."""
    ids = seed_registry(session)
    build.rebuild_lexical(session, settings)
    session.commit()
    return ids
