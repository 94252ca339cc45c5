"""Version counters of groups of tables, bumped by database triggers in the same transaction as any write to them.

A process caching something derived from those tables (the chain graph, the vector indexes) compares one counter,
read by primary key, instead of scanning the tables; triggers (migrations 0018, 0019) also catch bulk Core writes,
COPY and raw SQL, and every process and host sees the same counter.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

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
