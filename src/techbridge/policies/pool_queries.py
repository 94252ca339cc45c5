"""Statements of the stored candidate pools: stale enterprises, replacing entries, filtered counts, pages, streams."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, Table, delete, exists, func, insert, or_, select, update
from sqlalchemy.orm import Session

from techbridge.models import EnterpriseFact, Organization, OrgKind, TierPoolEntry, TierPoolState

ENTRY_TABLE: Table = TierPoolEntry.__table__  # type: ignore[assignment]
STATE_TABLE: Table = TierPoolState.__table__  # type: ignore[assignment]
SORT_COLUMNS = {"closeness": TierPoolEntry.closeness, "score": TierPoolEntry.score}


@dataclass(frozen=True)
class PoolFilter:
    """Which stored entries to read: the pool date, and optionally a policy, verdict, region prefix and cluster."""

    as_of: date
    policy: str | None = None
    verdict: str | None = None
    region_prefix: str | None = None
    cluster: str | None = None


def mark_dirty(session: Session, organization_ids: Sequence[int]) -> None:
    """Flag these enterprises' stored pool entries as stale (an enterprise never evaluated is stale anyway)."""
    if organization_ids:
        stmt = update(TierPoolState).where(TierPoolState.organization_id.in_(list(organization_ids)))
        session.execute(stmt.values(dirty=True))


def pool_date(session: Session) -> date | None:
    """The date the stored pools are evaluated on (the latest, while a refresh to a new date runs)."""
    return session.scalar(select(func.max(TierPoolState.as_of)))


def evaluated_on(session: Session, as_of: date) -> tuple[int, int]:
    """(enterprises whose pool entries are for `as_of`, enterprises in the registry): fewer evaluated than there are
    while a refresh to a new date runs, or before the first one has reached every enterprise."""
    done = session.scalar(select(func.count()).select_from(TierPoolState).where(TierPoolState.as_of == as_of))
    enterprises = select(func.count()).select_from(Organization).where(Organization.kind == OrgKind.ENTERPRISE)
    total = session.scalar(enterprises)
    return int(done or 0), int(total or 0)


def stale_enterprise_ids(session: Session, *, as_of: date, after_id: int, limit: int) -> list[int]:
    """Enterprises (by id, after `after_id`) never evaluated, flagged dirty, of another date or changed since."""
    fact_newer = exists().where(
        EnterpriseFact.organization_id == Organization.id, EnterpriseFact.updated_at > TierPoolState.evaluated_at
    )
    stmt = (
        select(Organization.id)
        .outerjoin(TierPoolState, TierPoolState.organization_id == Organization.id)
        .where(Organization.kind == OrgKind.ENTERPRISE, Organization.id > after_id)
        .where(
            or_(
                TierPoolState.organization_id.is_(None),
                TierPoolState.dirty.is_(True),
                TierPoolState.as_of != as_of,
                Organization.updated_at > TierPoolState.evaluated_at,
                fact_newer,
            )
        )
        .order_by(Organization.id)
        .limit(limit)
    )
    return list(session.scalars(stmt))


def enterprises_by_id(session: Session, organization_ids: Sequence[int]) -> list[Organization]:
    """These enterprises, by id."""
    stmt = select(Organization).where(
        Organization.id.in_(list(organization_ids)), Organization.kind == OrgKind.ENTERPRISE
    )
    return list(session.scalars(stmt.order_by(Organization.id)))


def fact_values(session: Session, organization_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """Stored fact values by enterprise id and fact id (plain rows, no ORM objects: the refresh reads many)."""
    stmt = select(EnterpriseFact.organization_id, EnterpriseFact.fact, EnterpriseFact.value).where(
        EnterpriseFact.organization_id.in_(list(organization_ids))
    )
    grouped: dict[int, dict[str, Any]] = {}
    for org_id, fact, value in session.execute(stmt):
        grouped.setdefault(org_id, {})[fact] = value
    return grouped


def replace_entries(
    session: Session, organization_ids: Sequence[int], entries: list[dict[str, Any]], states: list[dict[str, Any]]
) -> None:
    """Swap these enterprises' stored entries and states for new ones."""
    ids = list(organization_ids)
    session.execute(delete(TierPoolEntry).where(TierPoolEntry.organization_id.in_(ids)))
    session.execute(delete(TierPoolState).where(TierPoolState.organization_id.in_(ids)))
    if entries:  # Core executemany: one statement for the batch (the ORM bulk path splits it by None patterns)
        session.execute(insert(ENTRY_TABLE), entries)
    if states:
        session.execute(insert(STATE_TABLE), states)


def _conditions(flt: PoolFilter, *, with_policy: bool = True, with_verdict: bool = True) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [TierPoolEntry.as_of == flt.as_of]
    if with_policy and flt.policy:
        conditions.append(TierPoolEntry.policy == flt.policy)
    if with_verdict and flt.verdict:
        conditions.append(TierPoolEntry.verdict == flt.verdict)
    if flt.region_prefix:
        conditions.append(TierPoolEntry.region_code.startswith(flt.region_prefix, autoescape=True))
    if flt.cluster:
        conditions.append(TierPoolEntry.clusters.contains(f"|{flt.cluster}|", autoescape=True))
    return conditions


def counts_by_policy_verdict(session: Session, flt: PoolFilter) -> dict[tuple[str, str], int]:
    """(policy, verdict) → entries under the filter's date, region and cluster (every policy and verdict)."""
    stmt = (
        select(TierPoolEntry.policy, TierPoolEntry.verdict, func.count())
        .where(*_conditions(flt, with_policy=False, with_verdict=False))
        .group_by(TierPoolEntry.policy, TierPoolEntry.verdict)
    )
    return {(row[0], row[1]): row[2] for row in session.execute(stmt)}


def eligible_by_city(session: Session, flt: PoolFilter) -> dict[tuple[str, str], int]:
    """(policy, city code = first 4 digits of the region) → eligible entries under the filter's region and cluster."""
    city = func.substr(TierPoolEntry.region_code, 1, 4)
    stmt = (
        select(TierPoolEntry.policy, city, func.count())
        .where(*_conditions(flt, with_policy=False, with_verdict=False), TierPoolEntry.verdict == "eligible")
        .group_by(TierPoolEntry.policy, city)
    )
    return {(row[0], row[1] or ""): row[2] for row in session.execute(stmt)}


def _entries(flt: PoolFilter, sort: str) -> Select[TierPoolEntry, str, str | None]:
    """Entries best first; every key descending so one index serves the order (ties: the later id first)."""
    order = ([TierPoolEntry.score.desc().nulls_last()] if sort == "score" else [TierPoolEntry.closeness.desc()]) + [
        TierPoolEntry.organization_id.desc()
    ]
    return (
        select(TierPoolEntry, Organization.name, Organization.credit_code)
        .join(Organization, Organization.id == TierPoolEntry.organization_id)
        .where(*_conditions(flt))
        .order_by(*order)
    )


def page_entries(
    session: Session, flt: PoolFilter, *, sort: str, offset: int, limit: int
) -> list[tuple[TierPoolEntry, str, str | None]]:
    """One page of entries with the enterprise's name and credit code, best first."""
    rows = session.execute(_entries(flt, sort).offset(offset).limit(limit))
    return [(row[0], row[1], row[2]) for row in rows]


EXPORT_COLUMNS = (
    TierPoolEntry.policy,
    TierPoolEntry.version,
    TierPoolEntry.verdict,
    TierPoolEntry.organization_id,
    Organization.name,
    Organization.credit_code,
    TierPoolEntry.region_code,
    TierPoolEntry.score,
    TierPoolEntry.closeness,
    TierPoolEntry.detail,
)


def stream_rows(session: Session, flt: PoolFilter, *, sort: str) -> Iterator[tuple[Any, ...]]:
    """Every entry under the filter as plain `EXPORT_COLUMNS` tuples (no ORM objects), read 1,000 rows at a time."""
    stmt = _entries(flt, sort).with_only_columns(*EXPORT_COLUMNS)
    for row in session.execute(stmt.execution_options(yield_per=1000)):
        yield tuple(row)
