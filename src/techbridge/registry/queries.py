"""Core reads of the registry: single records by id or code (visibility applied), name and code-title lookups.

These are the small reads shared by the list, detail and count queries, by `registry/service.py` and by the
portal routes. Lists live in `list_queries.py`, detail pages in `detail_queries.py`, counts in `count_queries.py`.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from techbridge.access import Viewer, visibility_clause
from techbridge.errors import NotFoundError
from techbridge.models import AchievementOwner, CodeEntry, Organization, OrgKind, Region

INSTITUTION_KINDS = (OrgKind.UNIVERSITY, OrgKind.INSTITUTE)


def database_key(session: Session) -> str:
    """The session's database, as the key of a per-process cache (password hidden)."""
    return session.get_bind().engine.url.render_as_string(hide_password=True)


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


class RegionOption(NamedTuple):
    """A region as a menu offers it."""

    code: str
    name: str
    parent_code: str | None


CHILD_REGIONS_TTL_SECONDS = 30.0
_child_regions: dict[tuple[str, str], tuple[float, list[RegionOption]]] = {}


def list_child_regions(session: Session, parent_code: str) -> list[RegionOption]:
    """Regions directly under `parent_code` (the home province's cities for filter menus).

    Every list page and form shows this menu, and regions change only when the division codes are imported:
    it is read again after CHILD_REGIONS_TTL_SECONDS per database."""
    key = (database_key(session), parent_code)
    now = time.monotonic()
    hit = _child_regions.get(key)
    if hit is not None and now - hit[0] < CHILD_REGIONS_TTL_SECONDS:
        return hit[1]
    stmt = select(Region.code, Region.name, Region.parent_code).where(Region.parent_code == parent_code)
    options = [RegionOption(*row) for row in session.execute(stmt.order_by(Region.code))]
    if len(_child_regions) >= 256:
        _child_regions.clear()
    _child_regions[key] = (now, options)
    return options


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
