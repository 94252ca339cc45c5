"""Jinja filters: the only place template formatting logic lives."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from markupsafe import Markup, escape

from techbridge.registry.regions import region_name


def format_money(value: Decimal | float | int | None) -> str:
    """Amount in 万元 with thousands separators; blank when unknown."""
    if value is None:
        return "—"
    return f"{float(value):,.2f}"


def format_percent(value: float | Decimal | None, digits: int = 1) -> str:
    """A ratio as a percentage."""
    if value is None:
        return "—"
    return f"{float(value) * 100:.{digits}f}%"


def format_date(value: date | datetime | None) -> str:
    """ISO date, or a dash."""
    if value is None:
        return "—"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


def format_list(values: list[Any] | None, sep: str = "、") -> str:
    """A list joined with the Chinese enumeration comma."""
    return sep.join(str(v) for v in values or [])


def format_number(value: int | float | None) -> str:
    """An integer with thousands separators."""
    if value is None:
        return "—"
    return f"{value:,}"


def format_marked(segments: Iterable[Any]) -> Markup:
    """Highlighted pieces (`matching.schemas.Segment`: text, hit) as escaped HTML, the hits in <mark>."""
    pieces = (f"<mark>{escape(s.text)}</mark>" if s.hit else str(escape(s.text)) for s in segments)
    return Markup("".join(pieces))  # every piece escaped above


def format_region(region: Any, lang: str) -> str:
    """A region record's name as a page in `lang` shows it (`{{ d.region | region_name(lang) }}`: 大连市 or Dalian)."""
    return region_name(str(region.code), str(region.name), lang)


FILTERS: dict[str, Callable[..., str]] = {
    "money": format_money,
    "percent": format_percent,
    "date": format_date,
    "join_cn": format_list,
    "number": format_number,
    "marked": format_marked,
    "region_name": format_region,
}
