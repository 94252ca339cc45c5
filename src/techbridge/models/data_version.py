"""Version counters of groups of tables, bumped by database triggers in the same transaction as any write to them.

A process caching something derived from those tables (the chain graph, the vector indexes) compares one counter,
read by primary key, instead of scanning the tables; triggers (migrations 0018, 0019, 0020) also catch bulk Core
writes, COPY and raw SQL, and every process and host sees the same counter. On PostgreSQL a counter moves when the
writing transaction commits (so a long writer does not lock it meanwhile); see `data_version`.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from sqlalchemy import BigInteger, Integer, Select, String, func, literal, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from techbridge.db import Base

CHAIN_GRAPH = "chain_graph"
"""The counter of the tables the chain graph reads (`chains.build.GRAPH_TABLES`)."""
SEARCH_VECTORS = "search_vectors"
"""The counter of the stored search vectors (migration 0019): the cached vector indexes compare it."""


class DataVersion(Base):
    """One named counter; only ever incremented (by triggers), so a changed value means a changed table."""

    __tablename__ = "data_versions"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"), default=0)


DIRTY_PREFIX = "techbridge.dirty_"
"""PostgreSQL: a transaction that wrote a counter's tables carries the setting DIRTY_PREFIX + name = 'yes'."""


def data_version(session: Session, name: str) -> tuple[int | None, bool]:
    """(the counter's committed value, whether this transaction wrote its tables and the value does not say so yet).

    On PostgreSQL the counter moves when a writing transaction commits (migration 0020), so that a long writer
    does not lock the counter row for its whole length; a cache read inside that transaction must then not trust
    the value. On SQLite the counter moves with each row, inside the transaction: the flag is always False. The
    value is None when the counter row is missing (a database restored without it)."""
    postgresql = session.get_bind().dialect.name == "postgresql"
    row = session.execute(_statement(name, postgresql)).first()
    if row is None:
        return None, False
    return int(row[0]), postgresql and row[1] == "yes"


@lru_cache(maxsize=16)
def _statement(name: str, postgresql: bool) -> Select[Any]:
    """Built once per counter and store: it is read on every chain and match request."""
    flag = func.current_setting(DIRTY_PREFIX + name, True) if postgresql else literal(None)
    return select(DataVersion.version, flag).where(DataVersion.name == name)
