"""List reads of the registry: every list applies the viewer's visibility here, never in templates.

Lists are driven by `ListSpec` data (filters, searchable and sortable columns, all whitelisted) and return a
`Page`. Totals are counted with a cap (`COUNT_CAP`): past it the page shows "10,000+" instead of scanning a
million rows on every request.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, and_, or_, select, true
from sqlalchemy.orm import Session

from techbridge.access import Viewer, visibility_clause
from techbridge.db import MAX_INT
from techbridge.models import (
    Achievement,
    AchievementKind,
    Demand,
    DemandStatus,
    Expert,
    Organization,
    OrgKind,
    Region,
)
from techbridge.registry.count_queries import count_capped, viewer_key
from techbridge.registry.queries import INSTITUTION_KINDS, database_key

T = TypeVar("T")
COUNT_CAP: int | None = 10_000
KEYWORD_COUNT_CAP = 1_000  # a LIKE scan cannot use an index: stop counting matches sooner
MAX_PAGE_SIZE = 100
CAPPED_TTL_SECONDS = 30.0
CAPPED_CACHE_SIZE = 4096
_capped: dict[tuple[str, ...], float] = {}

FilterFn = Callable[[str], ColumnElement[bool] | None]


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list: its number, the page count, the (possibly capped) total and the rows."""

    number: int
    pages: int
    total: int
    items: list[T]
    size: int = 20
    capped: bool = False


@dataclass(frozen=True)
class ListParams:
    """What a list request asks for; unknown filters and sorts are ignored, never passed to SQL."""

    q: str = ""
    sort: str = ""
    page: int = 1
    size: int = 20
    filters: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ListSpec:
    """How one entity type is listed: fixed conditions, keyword columns, whitelisted sorts and filters."""

    entity: str
    model: Any
    base: tuple[ColumnElement[bool], ...]
    search: tuple[Any, ...]
    sorts: Mapping[str, Any]
    default_sort: str
    filters: Mapping[str, FilterFn]
    has_visibility: bool = True
    # variants used when the filter matches many rows: no index on the filter, so the sort index is walked
    late_filters: Mapping[str, FilterFn] = field(default_factory=dict)
    # filters naming an organization by id (filter → the column holding it): they match only when the viewer may
    # read that organization, so a private one filters like a missing one (no existence or link oracle)
    organization_filters: Mapping[str, Any] = field(default_factory=dict)

    @property
    def filter_names(self) -> tuple[str, ...]:
        """Every filter a list request may name."""
        return (*self.filters, *self.organization_filters)


def _prefix_range(column: Any, prefix: str) -> ColumnElement[bool]:
    """`column LIKE 'prefix%'` as an index-friendly range."""
    upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return and_(column >= prefix, column < upper)


def _region_filter(model: Any, *, late: bool = False) -> FilterFn:
    """Region code prefix; `late` tests `region_code || ''`, which no index serves (see `list_entities`)."""

    def build(code: str) -> ColumnElement[bool] | None:
        if not code.isdigit():
            return None
        column = model.region_code.concat("") if late else model.region_code
        clause = _prefix_range(column, code)
        if model is Organization and len(code) == 2:
            # organizations known only by province: a UNION of two index lookups instead of an OR over rows
            by_region = select(Organization.id).where(clause)
            by_province = select(Organization.id).where(Organization.province_code == code)
            return Organization.id.in_(by_region.union_all(by_province))
        return clause

    return build


def _choice_filter(column: Any, choices: Iterable[str]) -> FilterFn:
    allowed = frozenset(choices)
    return lambda value: column == value if value in allowed else None


def _int_filter(build: Callable[[int], ColumnElement[bool]]) -> FilterFn:
    return lambda value: build(int(value)) if _is_bigint(value) else None


def _is_bigint(value: str) -> bool:
    """Whether `value` is a whole number an INTEGER column can hold on every store (others are ignored like any
    malformed filter)."""
    digits = value.strip().lstrip("-")
    return digits.isascii() and digits.isdigit() and -MAX_INT <= int(value) <= MAX_INT


def _org_spec(entity: str, base: ColumnElement[bool], extra: Mapping[str, FilterFn]) -> ListSpec:
    sorts = {"name": Organization.name, "founded": Organization.founded_on, "id": Organization.id}
    filters = {"region": _region_filter(Organization), **extra}
    return ListSpec(entity, Organization, (base,), (Organization.name,), sorts, "name", filters)


SPECS: dict[str, ListSpec] = {
    "enterprise": _org_spec(
        "enterprise",
        Organization.kind == OrgKind.ENTERPRISE,
        {"listed": lambda v: Organization.listing_code.is_not(None) if v == "1" else None},
    ),
    "institution": _org_spec(
        "institution",
        Organization.kind.in_(INSTITUTION_KINDS),
        {"kind": _choice_filter(Organization.kind, INSTITUTION_KINDS)},
    ),
    "carrier": _org_spec(
        "carrier",
        Organization.kind == OrgKind.CARRIER,
        {"carrier_type": lambda v: Organization.carrier_type == v if v else None},
    ),
    "expert": ListSpec(
        "expert",
        Expert,
        (),
        (Expert.name, Expert.affiliation_name),
        {"name": Expert.name, "id": Expert.id},
        "name",
        {},
        organization_filters={"affiliation": Expert.affiliation_id},
    ),
    "achievement": ListSpec(
        "achievement",
        Achievement,
        (),
        (Achievement.title,),
        {"year": Achievement.year, "title": Achievement.title, "trl": Achievement.trl, "id": Achievement.id},
        "-id",
        {
            "kind": _choice_filter(Achievement.kind, AchievementKind),
            "year": _int_filter(lambda v: Achievement.year == v),
            "trl_min": _int_filter(lambda v: Achievement.trl >= v),
            "region": _region_filter(Achievement),
        },
        late_filters={"region": _region_filter(Achievement, late=True)},
    ),
    "demand": ListSpec(
        "demand",
        Demand,
        (),
        (Demand.title,),
        {"deadline": Demand.deadline, "budget": Demand.budget, "title": Demand.title, "id": Demand.id},
        "-id",
        {
            "status": _choice_filter(Demand.status, DemandStatus),
            "region": _region_filter(Demand),
        },
        late_filters={"region": _region_filter(Demand, late=True)},
        organization_filters={"enterprise": Demand.enterprise_id},
    ),
    "region": ListSpec(
        "region",
        Region,
        (),
        (Region.name,),
        {"code": Region.code, "name": Region.name},
        "code",
        {"level": lambda v: Region.level == v if v else None, "parent": lambda v: Region.parent_code == v},
        has_visibility=False,
    ),
}


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _where(spec: ListSpec, viewer: Viewer, params: ListParams, *, late: bool = False) -> list[ColumnElement[bool]]:
    clauses = list(spec.base)
    if spec.has_visibility:
        clauses.append(visibility_clause(spec.model, viewer))
    query = params.q.strip()
    if query and spec.search:
        pattern = _like_pattern(query)
        clauses.append(or_(*(column.like(pattern, escape="\\") for column in spec.search)))
    for name, value in params.filters.items():
        if name in spec.organization_filters:
            clause = _organization_filter(spec.organization_filters[name], value, viewer)
        else:
            build = (spec.late_filters.get(name) if late else None) or spec.filters.get(name)
            clause = build(value) if build is not None and value else None
        if clause is not None:
            clauses.append(clause)
    return clauses or [true()]


def _organization_filter(column: Any, value: str, viewer: Viewer) -> ColumnElement[bool] | None:
    """`column` = the organization `value` names, when the viewer may read it; one it may not read matches nothing,
    as a missing id does (ignored, like any malformed filter, when `value` is no id)."""
    if not value or not _is_bigint(value):
        return None
    readable = select(Organization.id).where(Organization.id == int(value), visibility_clause(Organization, viewer))
    return and_(column == int(value), column.in_(readable))


def _order_by(spec: ListSpec, sort: str) -> list[Any]:
    key = sort if sort.lstrip("-") in spec.sorts else spec.default_sort
    column = spec.sorts[key.lstrip("-")]
    tie = spec.model.__mapper__.primary_key[0]
    if key.startswith("-"):
        return [column.desc(), tie.desc()] if column is not tie else [tie.desc()]
    return [column.asc(), tie.asc()] if column is not tie else [tie.asc()]


def resolve_sort(entity: str, sort: str) -> str:
    """The sort key a list will actually use (the default when `sort` is not whitelisted)."""
    spec = SPECS[entity]
    return sort if sort.lstrip("-") in spec.sorts else spec.default_sort


def list_entities(session: Session, viewer: Viewer, entity: str, params: ListParams) -> Page[Any]:
    """One page of `entity` rows the viewer may read, filtered, searched and sorted as whitelisted.

    The capped count picks the plan: a filter matching more than COUNT_CAP rows is tested row by row while the
    sort index is walked (20 hits come quickly); a selective one uses its own index and sorts the few matches.
    """
    spec = SPECS[entity]
    size = min(max(params.size, 1), MAX_PAGE_SIZE)
    clauses = _where(spec, viewer, params)
    cap = min(COUNT_CAP, KEYWORD_COUNT_CAP) if COUNT_CAP is not None and params.q.strip() else COUNT_CAP
    total, capped = _count(session, viewer, entity, params, clauses, cap)
    if capped and spec.late_filters:
        clauses = _where(spec, viewer, params, late=True)
    stmt = select(spec.model).where(*clauses)
    pages = max(1, math.ceil(total / size))
    number = min(max(params.page, 1), pages)
    rows = session.scalars(stmt.order_by(*_order_by(spec, params.sort)).offset((number - 1) * size).limit(size))
    return Page(number=number, pages=pages, total=total, items=list(rows), size=size, capped=capped)


def _count(
    session: Session,
    viewer: Viewer,
    entity: str,
    params: ListParams,
    clauses: list[ColumnElement[bool]],
    cap: int | None,
) -> tuple[int, bool]:
    """`count_capped`, remembering for CAPPED_TTL_SECONDS that a list exceeds its cap.

    Counting to the cap walks up to 10,000 index entries (most of an unfiltered list page's database time), and a
    list that long stays past its cap: its page shows 共 10,000+ 条 either way. Shorter lists are counted afresh."""
    if cap is None:
        return count_capped(session, SPECS[entity].model, clauses, cap)
    filters = tuple(sorted(params.filters.items()))
    key = (database_key(session), entity, viewer_key(viewer), params.q.strip(), repr(filters), str(cap))
    now = time.monotonic()
    seen = _capped.get(key)
    if seen is not None and now - seen < CAPPED_TTL_SECONDS:
        return cap, True
    total, capped = count_capped(session, SPECS[entity].model, clauses, cap)
    if capped:
        if len(_capped) >= CAPPED_CACHE_SIZE:
            _capped.clear()
        _capped[key] = now
    return total, capped


def list_recent(session: Session, viewer: Viewer, model: Any, limit: int = 5) -> list[Any]:
    """The newest visible achievements or demands (by id, the primary-key index)."""
    stmt = select(model).where(visibility_clause(model, viewer)).order_by(model.id.desc()).limit(limit)
    return list(session.scalars(stmt))
