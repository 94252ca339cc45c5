"""Counts over the registry: capped row counts for lists, and the per-entity totals of the home page and stats.

`count_entities_cached` keeps the home page's exact counts for a few seconds per database and kind of viewer.
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import ColumnElement, func, literal, select
from sqlalchemy.orm import Session

from techbridge.access import Viewer, visibility_clause
from techbridge.models import (
    Achievement,
    ChainEdge,
    ChainNode,
    Demand,
    EnterpriseFact,
    Expert,
    OfficialStatistic,
    Organization,
    OrgKind,
    Region,
    ResearchProject,
)
from techbridge.registry.queries import INSTITUTION_KINDS, database_key


def count_capped(session: Session, model: Any, clauses: list[ColumnElement[bool]], cap: int | None) -> tuple[int, bool]:
    """Rows of `model` matching `clauses`, counting at most `cap + 1`; the flag says the total exceeds `cap`."""
    inner = select(literal(1)).select_from(model).where(*clauses)
    if cap is not None:
        inner = inner.limit(cap + 1)
    total = int(session.scalar(select(func.count()).select_from(inner.subquery())) or 0)
    if cap is not None and total > cap:
        return cap, True
    return total, False


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
        "project": count(ResearchProject),
        "enterprise_fact": count(EnterpriseFact),
        "official_statistic": count(OfficialStatistic),
    }


COUNTS_TTL_SECONDS = 30.0
COUNTS_CACHE_SIZE = 1024
_counts_cache: dict[tuple[str, str], tuple[float, dict[str, int]]] = {}


def viewer_key(viewer: Viewer) -> str:
    """Whom a cached count is for: every anonymous visitor alike, each signed-in user, the privileged roles."""
    if viewer.is_privileged:
        return "privileged"
    return f"user:{viewer.user_id}" if viewer.is_authenticated else "anonymous"


def count_entities_cached(session: Session, viewer: Viewer, ttl: float | None = None) -> dict[str, int]:
    """`count_entities` for the home page, reused for `ttl` seconds per database and kind of viewer.

    Exact counts over a million rows cost tens of milliseconds; the home page may be 30 s behind instead.
    """
    ttl = COUNTS_TTL_SECONDS if ttl is None else ttl
    key = (database_key(session), viewer_key(viewer))
    now = time.monotonic()
    hit = _counts_cache.get(key)
    if hit is not None and now - hit[0] < ttl:
        return hit[1]
    if len(_counts_cache) >= COUNTS_CACHE_SIZE:
        _counts_cache.clear()
    counts = count_entities(session, viewer)
    _counts_cache[key] = (now, counts)
    return counts
