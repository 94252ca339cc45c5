"""Pydantic shapes of the notifications API, the saved-search form as typed, and the alert job's report."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from techbridge.db import MAX_INT
from techbridge.errors import InvalidDataError
from techbridge.matching.schemas import OWNER_TYPES, OwnerType
from techbridge.models import AchievementKind, DigestFrequency, SubscriptionKind


class SubscriptionCreate(BaseModel):
    """A new subscription: a saved search (query), or a saved demand / owned achievement (by id)."""

    model_config = ConfigDict(extra="forbid")

    kind: SubscriptionKind = SubscriptionKind.SEARCH
    query: str = Field("", max_length=2000)
    region: str | None = Field(None, max_length=12, description="region code filter of a saved search")
    field: str | None = Field(None, max_length=100, description="field tag filter of a saved search")
    trl_min: int | None = Field(None, ge=1, le=9, description="lowest TRL of the achievements a saved search shows")
    trl_max: int | None = Field(None, ge=1, le=9, description="highest TRL of the achievements a saved search shows")
    achievement_kind: AchievementKind | None = Field(None, description="achievement kind filter of a saved search")
    owner_type: OwnerType | None = Field(None, description="owner type filter of a saved search (achievements)")
    demand_id: int | None = Field(None, ge=1, le=MAX_INT)
    achievement_id: int | None = Field(None, ge=1, le=MAX_INT)
    threshold: float = Field(0.5, ge=0.05, le=1.0, description="share of the query's concepts a record must cover")


class SearchForm(BaseModel):
    """A saved search as typed (the need page's form, or any caller with the same text): the need and every filter
    the page offers, kept as typed so a form in error shows them again."""

    q: str = ""
    region: str = ""
    field: str = ""
    trl_min: str = ""
    trl_max: str = ""
    kind: str = ""
    owner_type: str = ""

    def subscription(self, region_code: str | None) -> SubscriptionCreate:
        """The subscription this search asks for, its region already resolved to `region_code`; an unknown kind or
        owner type or a TRL outside 1–9 is an error naming its field."""
        kinds, owners = {k.value for k in AchievementKind}, set(OWNER_TYPES)
        for name, value, allowed in (("kind", self.kind[:32], kinds), ("owner_type", self.owner_type[:32], owners)):
            if value and value not in allowed:
                raise InvalidDataError(
                    f"unknown value {value!r}", location=(name,), message_zh=f"未知的选项「{value}」"
                )
        return SubscriptionCreate.model_validate(
            {
                "kind": SubscriptionKind.SEARCH,
                "query": self.q[:2000],
                "region": region_code,
                "field": self.field.strip()[:100] or None,
                "trl_min": _trl(self.trl_min, "trl_min"),
                "trl_max": _trl(self.trl_max, "trl_max"),
                "achievement_kind": self.kind or None,
                "owner_type": self.owner_type or None,
            }
        )


def _trl(value: str, name: str) -> int | None:
    """A TRL typed into field `name` (blank: none); anything but a whole number from 1 to 9 is an error on it."""
    text = value.strip()[:8]
    if not text:
        return None
    if text.isascii() and text.isdigit() and 1 <= int(text) <= 9:
        return int(text)
    raise InvalidDataError("a TRL from 1 to 9", location=(name,), message_zh="技术成熟度应为 1 到 9 的整数")


class SubscriptionRead(BaseModel):
    """A subscription as listed to its owner."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: SubscriptionKind
    title: str
    query: str
    filters: dict[str, Any]
    targets: list[str]
    demand_id: int | None
    achievement_id: int | None
    threshold: float
    active: bool
    created_at: datetime


class NotificationRead(BaseModel):
    """One notification (the acceptance checks read these fields)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    subscription_id: int
    entity: str
    record_id: int
    title: str
    score: float
    reasons: list[dict[str, str]]
    read: bool


class AlertSettingUpdate(BaseModel):
    """A user's e-mail address and digest frequency."""

    model_config = ConfigDict(extra="forbid")

    email: str = Field("", max_length=255, pattern=r"^$|^[^@\s]+@[^@\s]+\.[^@\s]+$")
    frequency: DigestFrequency = DigestFrequency.DAILY


@dataclass
class AlertRunReport:
    """What one `alerts run` did."""

    processed: int = 0
    notifications: int = 0
    emails_sent: int = 0
    emails_failed: int = 0

    def as_dict(self) -> dict[str, int]:
        """The JSON the CLI prints."""
        return {
            "processed": self.processed,
            "notifications": self.notifications,
            "emails_sent": self.emails_sent,
            "emails_failed": self.emails_failed,
        }
