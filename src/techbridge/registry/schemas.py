"""Pydantic shapes of the registry: XCreate / XUpdate (validated input) and XRead (API output)."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from techbridge.errors import InvalidDataError
from techbridge.i18n.validation import describe_error
from techbridge.models import AchievementKind, DemandStatus, TransferMode, Visibility

T = TypeVar("T")
LIST_SEPARATORS = re.compile(r"[,，、;；\n]+")


def split_list(value: Any) -> Any:
    """Accept a list or one string separated by commas, 、 or semicolons (what a form field sends)."""
    if isinstance(value, str):
        return [part.strip() for part in LIST_SEPARATORS.split(value) if part.strip()]
    return value


def invalid_input(exc: ValidationError, names: dict[str, str]) -> InvalidDataError:
    """The first invalid field of an input as one error naming it as the caller knows it (`names`: field → the
    option or column it came from) with the reason in both languages."""
    error = exc.errors()[0]
    field = str(error["loc"][0]) if error["loc"] else "input"
    return InvalidDataError(
        describe_error(error, "en"), location=(names.get(field, field),), message_zh=describe_error(error, "zh")
    )


class _Input(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")


class DemandCreate(_Input):
    """A new technology demand (技术需求)."""

    title: str = Field(min_length=2, max_length=255)
    description: str = Field("", max_length=20_000)
    field_tags: list[str] = Field(default_factory=list, max_length=20)
    budget: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2, description="万元")
    deadline: date | None = None
    region_code: str | None = Field(None, max_length=12)
    enterprise_id: int | None = Field(None, description="issuing enterprise; defaults to the user's organization")
    visibility: Visibility = Visibility.PUBLIC

    @field_validator("field_tags", mode="before")
    @classmethod
    def split_lists(cls, value: Any) -> Any:
        """Form fields send lists as one separated string."""
        return split_list(value)


class DemandUpdate(_Input):
    """Changes to a demand; omitted fields stay as they are."""

    title: str | None = Field(None, min_length=2, max_length=255)
    description: str | None = Field(None, max_length=20_000)
    field_tags: list[str] | None = None
    budget: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    deadline: date | None = None
    region_code: str | None = Field(None, max_length=12)
    status: DemandStatus | None = None
    visibility: Visibility | None = None

    @field_validator("field_tags", mode="before")
    @classmethod
    def split_lists(cls, value: Any) -> Any:
        """Form fields send lists as one separated string."""
        return split_list(value)


class AchievementCreate(_Input):
    """A new technology achievement (科技成果)."""

    kind: AchievementKind = AchievementKind.TECHNOLOGY
    title: str = Field(min_length=2, max_length=512)
    abstract: str = Field("", max_length=20_000)
    keywords: list[str] = Field(default_factory=list, max_length=30)
    ipc_codes: list[str] = Field(default_factory=list, max_length=30)
    field_tags: list[str] = Field(default_factory=list, max_length=20)
    trl: int | None = Field(None, ge=1, le=9, description="技术就绪度 GB/T 22900-2022")
    year: int | None = Field(None, ge=1900, le=2100)
    transfer_modes: list[TransferMode] = Field(default_factory=list)
    price: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2, description="万元")
    region_code: str | None = Field(None, max_length=12)
    organization_id: int | None = Field(None, description="owning organization; defaults to the user's")
    visibility: Visibility = Visibility.PUBLIC

    @field_validator("keywords", "ipc_codes", "field_tags", "transfer_modes", mode="before")
    @classmethod
    def split_lists(cls, value: Any) -> Any:
        """Form fields send lists as one separated string."""
        return split_list(value)


class AchievementUpdate(_Input):
    """Changes to an achievement; omitted fields stay as they are."""

    kind: AchievementKind | None = None
    title: str | None = Field(None, min_length=2, max_length=512)
    abstract: str | None = Field(None, max_length=20_000)
    keywords: list[str] | None = None
    ipc_codes: list[str] | None = None
    field_tags: list[str] | None = None
    trl: int | None = Field(None, ge=1, le=9)
    year: int | None = Field(None, ge=1900, le=2100)
    transfer_modes: list[TransferMode] | None = None
    price: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    region_code: str | None = Field(None, max_length=12)
    visibility: Visibility | None = None

    @field_validator("keywords", "ipc_codes", "field_tags", "transfer_modes", mode="before")
    @classmethod
    def split_lists(cls, value: Any) -> Any:
        """Form fields send lists as one separated string."""
        return split_list(value)


class _Read(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class RecordRead(_Read):
    """Owner, visibility, timestamps and provenance of every registry record."""

    owner_id: int | None
    visibility: Visibility
    created_at: datetime
    updated_at: datetime
    source_dataset: str | None


class OrganizationRead(RecordRead):
    """An enterprise, university, institute or carrier."""

    id: int
    kind: str
    carrier_type: str | None
    name: str
    short_name: str | None
    credit_code: str | None
    region_code: str | None
    province_code: str | None
    industry_codes: list[str]
    shenwan_industries: list[str]
    founded_on: date | None
    listing_code: str | None
    website: str | None
    description: str


class ExpertRead(RecordRead):
    """An expert; `email`/`phone` are null unless the caller may see them (`contact_visibility`)."""

    id: int
    name: str
    affiliation_id: int | None
    affiliation_name: str
    title: str
    fields: list[str]
    programme_tags: list[str]
    bio: str
    email: str | None = None
    phone: str | None = None
    contact_visible: bool = False


class OwnerRead(_Read):
    """An owner of an achievement."""

    kind: str
    id: int
    name: str
    role: str


class AchievementRead(RecordRead):
    """A technology achievement."""

    id: int
    kind: str
    title: str
    abstract: str
    keywords: list[str]
    ipc_codes: list[str]
    field_tags: list[str]
    trl: int | None
    year: int | None
    transfer_modes: list[str]
    price: Decimal | None
    region_code: str | None
    owners: list[OwnerRead] = Field(default_factory=list)


class DemandRead(RecordRead):
    """A technology demand."""

    id: int
    enterprise_id: int | None
    title: str
    description: str
    field_tags: list[str]
    budget: Decimal | None
    deadline: date | None
    status: str
    region_code: str | None


class RegionRead(_Read):
    """An administrative division."""

    code: str
    name: str
    level: str
    parent_code: str | None


class PageRead(BaseModel, Generic[T]):
    """One page of a list; `capped` means `total` is a lower bound (counting stopped there)."""

    number: int
    pages: int
    total: int
    size: int
    capped: bool
    items: list[T]
