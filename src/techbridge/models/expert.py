"""Experts and talents with fields, programme tags and separately-visible contact details."""

from __future__ import annotations

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from techbridge.db import Base
from techbridge.models.base import RecordMixin, Visibility


class Expert(RecordMixin, Base):
    """A person with fields, achievements, an affiliation and programme tags (兴辽英才 …)."""

    __tablename__ = "experts"
    __table_args__ = (UniqueConstraint("source_dataset", "source_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), index=True)
    affiliation_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id", ondelete="SET NULL"), index=True)
    affiliation_name: Mapped[str] = mapped_column(String(255), default="")
    title: Mapped[str] = mapped_column(String(64), default="")
    fields: Mapped[list[str]] = mapped_column(JSON, default=list)
    programme_tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    bio: Mapped[str] = mapped_column(Text, default="")
    email: Mapped[str | None] = mapped_column(String(255))
    phone: Mapped[str | None] = mapped_column(String(32))
    contact_visibility: Mapped[Visibility] = mapped_column(String(16), default=Visibility.OWNER)
