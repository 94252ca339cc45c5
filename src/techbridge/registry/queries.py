"""Reads of the registry; every list honours the viewer's visibility."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from techbridge.models import (
    Achievement,
    ChainEdge,
    ChainNode,
    Demand,
    Expert,
    Organization,
    OrgKind,
    Region,
)


def count_entities(session: Session) -> dict[str, int]:
    """Counts per entity type, as `techbridge stats --json` prints them."""

    def count(stmt: object) -> int:
        return int(session.scalar(stmt) or 0)  # type: ignore[call-overload]

    org_count = select(func.count()).select_from(Organization)
    return {
        "enterprise": count(org_count.where(Organization.kind == OrgKind.ENTERPRISE)),
        "institution": count(org_count.where(Organization.kind.in_([OrgKind.UNIVERSITY, OrgKind.INSTITUTE]))),
        "carrier": count(org_count.where(Organization.kind == OrgKind.CARRIER)),
        "expert": count(select(func.count()).select_from(Expert)),
        "achievement": count(select(func.count()).select_from(Achievement)),
        "demand": count(select(func.count()).select_from(Demand)),
        "chain_node": count(select(func.count()).select_from(ChainNode)),
        "chain_edge": count(select(func.count()).select_from(ChainEdge)),
        "region": count(select(func.count()).select_from(Region)),
    }
