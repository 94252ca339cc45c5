"""Reference classifications: GB/T 4754-2017, SEI-2018, IPC, Shenwan industries."""

from __future__ import annotations

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from techbridge.db import Base


class CodeEntry(Base):
    """One code of a classification scheme with its Chinese title and parent."""

    __tablename__ = "code_entries"
    __table_args__ = (UniqueConstraint("scheme", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme: Mapped[str] = mapped_column(String(16), index=True)  # gbt4754 | sei2018 | ipc | shenwan
    code: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(512))
    parent_code: Mapped[str | None] = mapped_column(String(32), index=True)
    level: Mapped[int] = mapped_column(default=1)
