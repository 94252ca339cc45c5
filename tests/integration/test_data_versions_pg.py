"""On PostgreSQL the data versions move at commit, once per transaction, and a long writer of the chain graph's
tables does not hold back other writers of them (the counter row is locked only while a transaction commits)."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session

from techbridge.chains.build import graph_version
from techbridge.models import Achievement, ChainNode
from tests.conftest import PG_URL
from tests.registry_seed import make_achievement

pytestmark = pytest.mark.skipif(not PG_URL, reason="PostgreSQL only: SQLite has one writer at a time")
INSERT_NODE = "INSERT INTO chain_nodes (kind, name, source_dataset) VALUES ('product', '甲', 't')"


def _version(url: str) -> int:
    engine = create_engine(url)
    try:
        with Session(engine) as session:
            version = graph_version(session)
    finally:
        engine.dispose()
    assert version is not None
    return version


def test_a_long_writer_does_not_hold_back_another(database_url: str) -> None:
    long_engine, other_engine = create_engine(database_url), create_engine(database_url)
    try:
        with long_engine.connect() as long_writer:
            long_writer.begin()
            long_writer.execute(
                text("INSERT INTO chain_nodes (kind, name, source_dataset) VALUES ('product', '甲', 't')")
            )
            with other_engine.connect() as other:
                other.execute(text("SET lock_timeout = '3s'"))
                with Session(other) as session:
                    session.add(ChainNode(kind="product", name="乙", source_dataset="t"))
                    session.commit()  # used to wait on the counter row until the long writer ended
            long_writer.commit()
    finally:
        long_engine.dispose()
        other_engine.dispose()


def test_the_version_moves_once_per_transaction_when_it_commits(database_url: str, session: Session) -> None:
    before = _version(database_url)
    for n in range(3):
        make_achievement(session, f"成果 {n}")
    assert _version(database_url) == before  # not before the rows are visible
    session.commit()
    assert _version(database_url) == before + 1
    assert session.scalar(select(Achievement.id).limit(1)) is not None
