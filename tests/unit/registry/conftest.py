"""Fixtures shared by the registry unit tests: the seeded registry (visibility variants of every entity)."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from tests.registry_seed import Seed, seed_registry


@pytest.fixture
def seed(session: Session) -> Seed:
    return seed_registry(session)
