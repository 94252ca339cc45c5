"""Search state: stored passage embeddings (float32 BLOBs keyed by entity and content hash) and index versions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from techbridge.db import Base
from techbridge.models.base import utcnow


class SearchVector(Base):
    """One embedded passage of a searchable record; recomputed only when the passage text's hash changes."""

    __tablename__ = "search_vectors"
    __table_args__ = (UniqueConstraint("entity_key", "passage_no", "model"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entity_key: Mapped[str] = mapped_column(String(48), index=True)  # "achievement:12"
    entity: Mapped[str] = mapped_column(String(16), index=True)
    passage_no: Mapped[int] = mapped_column(Integer, default=0)
    model: Mapped[str] = mapped_column(String(64))
    content_hash: Mapped[str] = mapped_column(String(40))
    dim: Mapped[int] = mapped_column(Integer)
    vector: Mapped[bytes] = mapped_column(LargeBinary)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class SearchIndexState(Base):
    """The active version of a named index artifact (e.g. "lexical") and what it holds."""

    __tablename__ = "search_index_states"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    version: Mapped[str] = mapped_column(String(32))
    doc_count: Mapped[int] = mapped_column(Integer, default=0)
    built_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
