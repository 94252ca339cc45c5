"""Changes to the registry: create and update demands and achievements, with owner, visibility and permissions.

Every write names its owner (the signed-in user) and its visibility; updates require `access.can_edit`.
Each write adds an outbox event in the same transaction; the indexer process (`techbridge indexer run`) updates
the search index from those events, so no request ever writes index files or waits for the embedder.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from techbridge.access import Viewer, can_edit, can_read
from techbridge.errors import InvalidDataError, PermissionDeniedError
from techbridge.jobs.outbox import Op, record_change
from techbridge.models import Achievement, AchievementOwner, Demand, Organization, OrgKind
from techbridge.registry import queries
from techbridge.registry.schemas import AchievementCreate, AchievementUpdate, DemandCreate, DemandUpdate


def _require_signed_in(viewer: Viewer) -> int:
    if viewer.user_id is None:
        raise PermissionDeniedError("sign in first", message_zh="请先登录")
    return viewer.user_id


def _owner_of_writes(viewer: Viewer) -> int | None:
    """The owner of what the viewer publishes: their user id, or None for the system administrator (`SYSTEM`, the
    CLI's default actor, whose id 0 names no account): its records are ownerless, like imported ones."""
    return _require_signed_in(viewer) or None


def _check_region(session: Session, code: str | None) -> None:
    if code is not None and not queries.region_exists(session, code):
        raise InvalidDataError(
            f"unknown region code {code}", location=("region_code",), message_zh=f"未知的行政区划代码 {code}"
        )


def _acting_organization(
    session: Session, viewer: Viewer, org_id: int | None, field: str, kinds: tuple[str, ...]
) -> Organization | None:
    """The organization a record is issued by: the requested one (if allowed) or the user's own."""
    if org_id is None:
        org_id = viewer.organization_id
        if org_id is None:
            return None
        own = queries.find_organization(session, org_id)
        return own if own is not None and own.kind in kinds else None
    org = queries.find_organization(session, org_id)
    hidden = org is not None and org_id != viewer.organization_id and not can_read(org, viewer)
    if org is None or org.kind not in kinds or hidden:  # one the viewer may not read is as unknown as a missing one
        raise InvalidDataError(
            f"no organization {org_id} of kind {'/'.join(kinds)}", location=(field,), message_zh="所选机构不存在"
        )
    if not viewer.is_privileged and org_id != viewer.organization_id:
        raise PermissionDeniedError("you may only publish for your own organization", message_zh="只能以本单位名义发布")
    return org


def create_demand(*, session: Session, viewer: Viewer, data: DemandCreate) -> Demand:
    """Publish a demand owned by the viewer, issued by their enterprise (or one an officer names)."""
    owner_id = _owner_of_writes(viewer)
    _check_region(session, data.region_code)
    enterprise = _acting_organization(session, viewer, data.enterprise_id, "enterprise_id", (OrgKind.ENTERPRISE,))
    demand = Demand(
        **data.model_dump(exclude={"enterprise_id"}),
        enterprise_id=enterprise.id if enterprise else None,
        owner_id=owner_id,
        source_dataset="portal",
    )
    if demand.region_code is None and enterprise is not None:
        demand.region_code = enterprise.region_code
    session.add(demand)
    session.flush()
    record_change(session=session, entity="demand", record_id=demand.id, op=Op.CREATE)
    return demand


def create_achievement(*, session: Session, viewer: Viewer, data: AchievementCreate) -> Achievement:
    """Register an achievement owned by the viewer and held by their organization (or one an officer names)."""
    owner_id = _owner_of_writes(viewer)
    _check_region(session, data.region_code)
    org = _acting_organization(session, viewer, data.organization_id, "organization_id", tuple(OrgKind))
    values = data.model_dump(exclude={"organization_id", "transfer_modes"})
    achievement = Achievement(
        **values,
        transfer_modes=[str(mode) for mode in data.transfer_modes],
        owner_id=owner_id,
        source_dataset="portal",
    )
    if achievement.region_code is None and org is not None:
        achievement.region_code = org.region_code
    session.add(achievement)
    session.flush()
    if org is not None:
        session.add(AchievementOwner(achievement_id=achievement.id, organization_id=org.id, role="owner"))
        session.flush()
    record_change(session=session, entity="achievement", record_id=achievement.id, op=Op.CREATE)
    return achievement


NULLABLE_FIELDS = frozenset({"budget", "deadline", "region_code", "trl", "year", "price"})


def _apply(record: Any, changes: dict[str, Any]) -> None:
    """Set the given fields; an explicit null only clears fields that may be empty."""
    for name, value in changes.items():
        if value is not None or name in NULLABLE_FIELDS:
            setattr(record, name, value)


def _editable(session: Session, viewer: Viewer, model: Any, record_id: int) -> Any:
    _require_signed_in(viewer)
    record = queries.get_visible(session, viewer, model, record_id)
    if not can_edit(record, viewer):
        raise PermissionDeniedError("only the owner may change this record", message_zh="只有所有者可以修改此记录")
    return record


def update_demand(*, session: Session, viewer: Viewer, demand_id: int, data: DemandUpdate) -> Demand:
    """Change a demand the viewer owns (or any, for officers and admins)."""
    demand: Demand = _editable(session, viewer, Demand, demand_id)
    changes = data.model_dump(exclude_unset=True)
    _check_region(session, changes.get("region_code"))
    _apply(demand, changes)
    session.flush()
    record_change(session=session, entity="demand", record_id=demand.id, op=Op.UPDATE)
    return demand


def update_achievement(
    *, session: Session, viewer: Viewer, achievement_id: int, data: AchievementUpdate
) -> Achievement:
    """Change an achievement the viewer owns (or any, for officers and admins); the indexer re-indexes it."""
    achievement: Achievement = _editable(session, viewer, Achievement, achievement_id)
    changes = data.model_dump(exclude_unset=True)
    _check_region(session, changes.get("region_code"))
    if changes.get("transfer_modes") is not None:
        changes["transfer_modes"] = [str(mode) for mode in changes["transfer_modes"]]
    _apply(achievement, changes)
    session.flush()
    record_change(session=session, entity="achievement", record_id=achievement.id, op=Op.UPDATE)
    return achievement
