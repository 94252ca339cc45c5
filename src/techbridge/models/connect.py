"""对接 requests: a signed-in user asks a record's owner to talk about a license, transfer, co-development or
consulting; the thread of messages that follows; accepting opens a transfer case."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from techbridge.db import Base
from techbridge.models.base import utcnow


class ConnectMode(StrEnum):
    """What the requester wants."""

    LICENSE = "license"
    TRANSFER = "transfer"
    CO_DEVELOPMENT = "co_development"
    CONSULTING = "consulting"


class ConnectStatus(StrEnum):
    """Life of a request: open until the owner accepts or declines it."""

    OPEN = "open"
    ACCEPTED = "accepted"
    DECLINED = "declined"


class ConnectRequest(Base):
    """One requester → one record's owner, about an achievement, expert or demand."""

    __tablename__ = "connect_requests"
    __table_args__ = (
        Index("ix_connect_requests_requester_created", "requester_id", "created_at"),
        Index("ix_connect_requests_owner_status", "owner_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    requester_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))  # None: officers answer
    broker_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    entity: Mapped[str] = mapped_column(String(16))
    record_id: Mapped[int] = mapped_column(Integer)
    record_title: Mapped[str] = mapped_column(String(512))
    mode: Mapped[ConnectMode] = mapped_column(String(16))
    message: Mapped[str] = mapped_column(Text)
    status: Mapped[ConnectStatus] = mapped_column(String(16), default=ConnectStatus.OPEN)
    decline_reason: Mapped[str] = mapped_column(Text, default="")
    case_id: Mapped[int | None] = mapped_column(ForeignKey("transfer_cases.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    first_answer_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ConnectMessage(Base):
    """One message of a request's thread (the request's own message is the first)."""

    __tablename__ = "connect_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("connect_requests.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
