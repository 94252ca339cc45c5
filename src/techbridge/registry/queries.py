"""Reads of the registry; every list and detail read applies the viewer's visibility here, never in templates.

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

from sqlalchemy import ColumnElement, and_, func, literal, or_, select, true
from sqlalchemy.orm import Session

from techbridge.access import Viewer, visibility_clause
from techbridge.errors import NotFoundError
from techbridge.models import (
    Achievement,
    AchievementKind,
    AchievementOwner,
    ChainEdge,
    ChainNode,
    CodeEntry,
    Demand,
    DemandStatus,
    EnterpriseNode,
    Expert,
    Organization,
    OrgKind,
    Region,
    Visibility,
)

T = TypeVar("T")
COUNT_CAP: int | None = 10_000
KEYWORD_COUNT_CAP = 1_000  # a LIKE scan cannot use an index: stop counting matches sooner
MAX_PAGE_SIZE = 100
RELATED_LIMIT = 50
INSTITUTION_KINDS = (OrgKind.UNIVERSITY, OrgKind.INSTITUTE)

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
    return lambda value: build(int(value)) if value.strip().lstrip("-").isdigit() else None


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
        {"affiliation": _int_filter(lambda v: Expert.affiliation_id == v)},
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
            "enterprise": _int_filter(lambda v: Demand.enterprise_id == v),
        },
        late_filters={"region": _region_filter(Demand, late=True)},
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
        build = (spec.late_filters.get(name) if late else None) or spec.filters.get(name)
        clause = build(value) if build is not None and value else None
        if clause is not None:
            clauses.append(clause)
    return clauses or [true()]


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


def count_capped(session: Session, model: Any, clauses: list[ColumnElement[bool]], cap: int | None) -> tuple[int, bool]:
    """Rows of `model` matching `clauses`, counting at most `cap + 1`; the flag says the total exceeds `cap`."""
    inner = select(literal(1)).select_from(model).where(*clauses)
    if cap is not None:
        inner = inner.limit(cap + 1)
    total = int(session.scalar(select(func.count()).select_from(inner.subquery())) or 0)
    if cap is not None and total > cap:
        return cap, True
    return total, False


def list_entities(session: Session, viewer: Viewer, entity: str, params: ListParams) -> Page[Any]:
    """One page of `entity` rows the viewer may read, filtered, searched and sorted as whitelisted.

    The capped count picks the plan: a filter matching more than COUNT_CAP rows is tested row by row while the
    sort index is walked (20 hits come quickly); a selective one uses its own index and sorts the few matches.
    """
    spec = SPECS[entity]
    size = min(max(params.size, 1), MAX_PAGE_SIZE)
    clauses = _where(spec, viewer, params)
    cap = min(COUNT_CAP, KEYWORD_COUNT_CAP) if COUNT_CAP is not None and params.q.strip() else COUNT_CAP
    total, capped = count_capped(session, spec.model, clauses, cap)
    if capped and spec.late_filters:
        clauses = _where(spec, viewer, params, late=True)
    stmt = select(spec.model).where(*clauses)
    pages = max(1, math.ceil(total / size))
    number = min(max(params.page, 1), pages)
    rows = session.scalars(stmt.order_by(*_order_by(spec, params.sort)).offset((number - 1) * size).limit(size))
    return Page(number=number, pages=pages, total=total, items=list(rows), size=size, capped=capped)


def count_entities(session: Session, viewer: Viewer | None = None) -> dict[str, int]:
    """Counts per entity type, as `techbridge stats --json` prints them; with a viewer, only what they may read."""

    def count(model: Any, *where: ColumnElement[bool]) -> int:
        clauses = list(where)
        if viewer is not None and model is not Region and hasattr(model, "visibility"):
            clauses.append(visibility_clause(model, viewer))
        return int(session.scalar(select(func.count()).select_from(model).where(*clauses)) or 0)

    return {
        "enterprise": count(Organization, Organization.kind == OrgKind.ENTERPRISE),
        "institution": count(Organization, Organization.kind.in_(INSTITUTION_KINDS)),
        "carrier": count(Organization, Organization.kind == OrgKind.CARRIER),
        "expert": count(Expert),
        "achievement": count(Achievement),
        "demand": count(Demand),
        "chain_node": count(ChainNode),
        "chain_edge": count(ChainEdge),
        "region": count(Region),
    }


COUNTS_TTL_SECONDS = 30.0
COUNTS_CACHE_SIZE = 1024
_counts_cache: dict[tuple[str, str], tuple[float, dict[str, int]]] = {}


def _viewer_key(viewer: Viewer) -> str:
    if viewer.is_privileged:
        return "privileged"
    return f"user:{viewer.user_id}" if viewer.is_authenticated else "anonymous"


def count_entities_cached(session: Session, viewer: Viewer, ttl: float | None = None) -> dict[str, int]:
    """`count_entities` for the home page, reused for `ttl` seconds per database and kind of viewer.

    Exact counts over a million rows cost tens of milliseconds; the home page may be 30 s behind instead.
    """
    ttl = COUNTS_TTL_SECONDS if ttl is None else ttl
    key = (session.get_bind().engine.url.render_as_string(hide_password=True), _viewer_key(viewer))
    now = time.monotonic()
    hit = _counts_cache.get(key)
    if hit is not None and now - hit[0] < ttl:
        return hit[1]
    if len(_counts_cache) >= COUNTS_CACHE_SIZE:
        _counts_cache.clear()
    counts = count_entities(session, viewer)
    _counts_cache[key] = (now, counts)
    return counts


def list_recent(session: Session, viewer: Viewer, model: Any, limit: int = 5) -> list[Any]:
    """The newest visible achievements or demands (by id, the primary-key index)."""
    stmt = select(model).where(visibility_clause(model, viewer)).order_by(model.id.desc()).limit(limit)
    return list(session.scalars(stmt))


def region_names(session: Session, codes: Iterable[str | None]) -> dict[str, str]:
    """Names of the given region codes."""
    wanted = {code for code in codes if code}
    if not wanted:
        return {}
    rows = session.execute(select(Region.code, Region.name).where(Region.code.in_(wanted)))
    return dict(rows.all())


def organization_names(session: Session, viewer: Viewer, ids: Iterable[int | None]) -> dict[int, str]:
    """Names of the given organizations the viewer may read."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    stmt = select(Organization.id, Organization.name).where(
        Organization.id.in_(wanted), visibility_clause(Organization, viewer)
    )
    return dict(session.execute(stmt).all())


def list_child_regions(session: Session, parent_code: str) -> list[Region]:
    """Regions directly under `parent_code` (the home province's cities for filter menus)."""
    return list(session.scalars(select(Region).where(Region.parent_code == parent_code).order_by(Region.code)))


def get_region(session: Session, code: str) -> Region:
    """One region by code, or NotFoundError."""
    region = session.get(Region, code)
    if region is None:
        raise NotFoundError(f"region {code} not found", message_zh=f"未找到行政区划 {code}")
    return region


def get_visible(session: Session, viewer: Viewer, model: Any, record_id: int) -> Any:
    """A record the viewer may read; otherwise NotFoundError (owner-only records do not reveal they exist)."""
    stmt = select(model).where(model.id == record_id, visibility_clause(model, viewer))
    record = session.scalars(stmt).first()
    if record is None:
        raise NotFoundError(f"{model.__tablename__} {record_id} not found", message_zh="未找到该记录或无权查看")
    return record


def get_organization(session: Session, viewer: Viewer, org_id: int, kinds: Iterable[str]) -> Organization:
    """A visible organization of one of `kinds`, or NotFoundError."""
    org: Organization = get_visible(session, viewer, Organization, org_id)
    if org.kind not in set(kinds):
        raise NotFoundError(f"organization {org_id} not found", message_zh="未找到该记录或无权查看")
    return org


def code_titles(session: Session, scheme: str, codes: Iterable[str]) -> list[tuple[str, str]]:
    """(code, title) for each code in order; a code missing from the table keeps an empty title."""
    wanted = [c for c in codes if c]
    if not wanted:
        return []
    stmt = select(CodeEntry.code, CodeEntry.title).where(CodeEntry.scheme == scheme, CodeEntry.code.in_(wanted))
    titles = dict(session.execute(stmt).all())
    return [(code, titles.get(code, "")) for code in wanted]


@dataclass(frozen=True)
class ChainLink:
    """An enterprise's link to a chain node (主营产品 with its revenue weight …)."""

    node_id: int
    name: str
    kind: str
    relation: str
    weight: float | None


@dataclass(frozen=True)
class OwnerRef:
    """An owner of an achievement: an organization or an expert the viewer may read."""

    kind: str  # organization kind (enterprise, university …) or "expert"
    id: int
    name: str
    role: str


@dataclass(frozen=True)
class Contact:
    """An expert's contact details, present only when the viewer may see them."""

    email: str | None
    phone: str | None


@dataclass
class OrganizationDetail:
    """What an organization page shows."""

    organization: Organization
    region: Region | None
    industries: list[tuple[str, str]]
    chain_links: list[ChainLink]
    achievements: list[Achievement]
    achievement_total: int
    experts: list[Expert]


@dataclass
class AchievementDetail:
    """What an achievement page shows."""

    achievement: Achievement
    region: Region | None
    owners: list[OwnerRef]
    ipc: list[tuple[str, str]]


@dataclass
class ExpertDetail:
    """What an expert page shows; `contact` is None unless `contact_visibility` lets the viewer see it."""

    expert: Expert
    affiliation: Organization | None
    contact: Contact | None
    achievements: list[Achievement]


@dataclass
class DemandDetail:
    """What a demand page shows."""

    demand: Demand
    enterprise: Organization | None
    region: Region | None


def chain_links_of(session: Session, org_id: int) -> list[ChainLink]:
    """The chain nodes an enterprise is linked to, heaviest first."""
    stmt = (
        select(ChainNode.id, ChainNode.name, ChainNode.kind, EnterpriseNode.relation, EnterpriseNode.weight)
        .join(ChainNode, ChainNode.id == EnterpriseNode.node_id)
        .where(EnterpriseNode.organization_id == org_id)
        .order_by(EnterpriseNode.weight.desc().nulls_last(), ChainNode.name)
    )
    return [ChainLink(*row) for row in session.execute(stmt)]


def achievements_of(session: Session, viewer: Viewer, owner_column: Any, owner_id: int) -> tuple[list[Any], int]:
    """The newest visible achievements held by one owner, and how many there are in all."""
    owned = select(AchievementOwner.achievement_id).where(owner_column == owner_id)
    clauses = [Achievement.id.in_(owned), visibility_clause(Achievement, viewer)]
    total, _ = count_capped(session, Achievement, clauses, None)
    stmt = select(Achievement).where(*clauses).order_by(Achievement.id.desc()).limit(RELATED_LIMIT)
    return list(session.scalars(stmt)), total


def organization_detail(session: Session, viewer: Viewer, org_id: int, kinds: Iterable[str]) -> OrganizationDetail:
    """An organization with its region, industries, chain links, achievements and (institutions) experts."""
    org = get_organization(session, viewer, org_id, kinds)
    achievements, total = achievements_of(session, viewer, AchievementOwner.organization_id, org.id)
    experts_stmt = (
        select(Expert)
        .where(Expert.affiliation_id == org.id, visibility_clause(Expert, viewer))
        .order_by(Expert.name)
        .limit(RELATED_LIMIT)
    )
    return OrganizationDetail(
        organization=org,
        region=session.get(Region, org.region_code) if org.region_code else None,
        industries=code_titles(session, "gbt4754", org.industry_codes or []),
        chain_links=chain_links_of(session, org.id),
        achievements=achievements,
        achievement_total=total,
        experts=list(session.scalars(experts_stmt)),
    )


def owners_of(session: Session, viewer: Viewer, achievement_id: int) -> list[OwnerRef]:
    """The organizations and experts holding an achievement, limited to those the viewer may read."""
    orgs = (
        select(Organization.kind, Organization.id, Organization.name, AchievementOwner.role)
        .join(AchievementOwner, AchievementOwner.organization_id == Organization.id)
        .where(AchievementOwner.achievement_id == achievement_id, visibility_clause(Organization, viewer))
    )
    experts = (
        select(literal("expert"), Expert.id, Expert.name, AchievementOwner.role)
        .join(AchievementOwner, AchievementOwner.expert_id == Expert.id)
        .where(AchievementOwner.achievement_id == achievement_id, visibility_clause(Expert, viewer))
    )
    rows = [*session.execute(orgs), *session.execute(experts)]
    return [OwnerRef(kind=str(k), id=i, name=n, role=r) for k, i, n, r in rows]


def achievement_detail(session: Session, viewer: Viewer, achievement_id: int) -> AchievementDetail:
    """An achievement with its region, visible owners and IPC titles."""
    achievement: Achievement = get_visible(session, viewer, Achievement, achievement_id)
    return AchievementDetail(
        achievement=achievement,
        region=session.get(Region, achievement.region_code) if achievement.region_code else None,
        owners=owners_of(session, viewer, achievement.id),
        ipc=code_titles(session, "ipc", achievement.ipc_codes or []),
    )


def is_contact_visible(expert: Expert, viewer: Viewer) -> bool:
    """The visibility rule applied to an expert's contact details (`contact_visibility`)."""
    if viewer.is_privileged or (viewer.is_authenticated and expert.owner_id == viewer.user_id):
        return True
    if expert.contact_visibility == Visibility.PUBLIC:
        return True
    return expert.contact_visibility == Visibility.REGISTERED and viewer.is_authenticated


def contact_of(expert: Expert, viewer: Viewer) -> Contact | None:
    """The expert's contact details, or None when the viewer may not see them."""
    return Contact(email=expert.email, phone=expert.phone) if is_contact_visible(expert, viewer) else None


def expert_detail(session: Session, viewer: Viewer, expert_id: int) -> ExpertDetail:
    """An expert with visible affiliation, contact details per `contact_visibility`, and achievements."""
    expert: Expert = get_visible(session, viewer, Expert, expert_id)
    affiliation = None
    if expert.affiliation_id is not None:
        stmt = select(Organization).where(
            Organization.id == expert.affiliation_id, visibility_clause(Organization, viewer)
        )
        affiliation = session.scalars(stmt).first()
    achievements, _ = achievements_of(session, viewer, AchievementOwner.expert_id, expert.id)
    return ExpertDetail(expert, affiliation, contact_of(expert, viewer), achievements)


def demand_detail(session: Session, viewer: Viewer, demand_id: int) -> DemandDetail:
    """A demand with its (visible) issuing enterprise and region."""
    demand: Demand = get_visible(session, viewer, Demand, demand_id)
    enterprise = None
    if demand.enterprise_id is not None:
        stmt = select(Organization).where(
            Organization.id == demand.enterprise_id, visibility_clause(Organization, viewer)
        )
        enterprise = session.scalars(stmt).first()
    region = session.get(Region, demand.region_code) if demand.region_code else None
    return DemandDetail(demand, enterprise, region)


def region_exists(session: Session, code: str) -> bool:
    """Whether a region code is known."""
    return session.get(Region, code) is not None


def find_organization(session: Session, org_id: int) -> Organization | None:
    """An organization by id regardless of visibility (for permission checks in services)."""
    return session.get(Organization, org_id)


def owner_links(session: Session, achievement_id: int) -> list[AchievementOwner]:
    """The owner rows of one achievement."""
    stmt = select(AchievementOwner).where(AchievementOwner.achievement_id == achievement_id)
    return list(session.scalars(stmt))
