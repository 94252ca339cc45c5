"""The one pagination helper of the portal's lists: a `Page` (the registry's dataclass, which `_pagination.html`
renders) from a total or from an in-memory list, and the query string a page link keeps (every filter, no page)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar
from urllib.parse import urlencode

from starlette.requests import Request

from techbridge.registry.list_queries import Page

T = TypeVar("T")
MAX_PAGE = 100_000
DROPPED = frozenset({"page", "done"})  # not filters: the page itself and the flash message after an action


def read_page_number(raw: str) -> int:
    """A page number from a query string value (anything but a positive number: 1; at most MAX_PAGE), for pages
    whose handler does not declare `page` itself."""
    return min(int(raw), MAX_PAGE) if raw.isdigit() and int(raw) > 0 else 1


def count_pages(total: int, size: int) -> int:
    """How many pages `total` rows fill at `size` a page (at least one, so an empty list has page 1 of 1)."""
    return max(1, -(-total // size))


def clamp_page(number: int, total: int, size: int) -> int:
    """The asked page number, moved into 1 … last page (a page past the end shows the last one)."""
    return min(max(number, 1), count_pages(total, size))


def page_of_list(items: Sequence[T], number: int, size: int) -> Page[T]:
    """Page `number` of a list already filtered and sorted in memory."""
    current = clamp_page(number, len(items), size)
    start = (current - 1) * size
    rows = list(items[start : start + size])
    return Page(number=current, pages=count_pages(len(items), size), total=len(items), items=rows, size=size)


def page_of_total(items: Sequence[T], number: int, size: int, total: int) -> Page[T]:
    """A page whose rows were read with OFFSET/LIMIT and whose total was counted apart."""
    return Page(number=number, pages=count_pages(total, size), total=total, items=list(items), size=size)


def query_without_page(request: Request) -> str:
    """The request's query string with every non-empty filter (repeated keys kept), without `page` and without the
    one-off `done` confirmation, for the page links: a link to page 2 keeps what was filtered."""
    pairs = [(key, value) for key, value in request.query_params.multi_items() if key not in DROPPED and value != ""]
    return urlencode(pairs)
