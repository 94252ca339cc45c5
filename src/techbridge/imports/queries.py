"""Reads the importers need: existing provenance keys, regions, organizations, chain nodes and edges."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Table, false, func, or_, select, text, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.sql import Executable

from techbridge.access import Viewer, visibility_clause
from techbridge.errors import ConflictError
from techbridge.imports.convert import References, add_organization_name, region_names
from techbridge.imports.schemas import WrittenRecord
from techbridge.models import (
    Achievement,
    ChainEdge,
    ChainNode,
    CodeEntry,
    Demand,
    EnterpriseNode,
    Expert,
    ImportRun,
    Organization,
    OrganizationAlias,
    PilotCapacity,
    Region,
)

FILE_SOURCE_PREFIX = "file:"
"""ImportRun.source of a user's file (`file:<entity>`), as against a built-in source's name (csl, ickg …)."""


def _run(session: Session, stmt: Any) -> Any:
    """Execute on the session's connection: plain rows, no ORM loading overhead on large reads."""
    return session.connection().execute(stmt)


def existing_keys(session: Session, model: Any, dataset: str) -> dict[str, int]:
    """source_key → id of every `model` record from `dataset`."""
    stmt = select(model.source_key, model.id).where(model.source_dataset == dataset)
    return {str(key): int(id_) for key, id_ in _run(session, stmt)}


def lock_for_import(session: Session, dataset: str) -> None:
    """Make concurrent imports write one after the other from here to their commit, so each reads the keys the
    other wrote (an upsert, not a duplicate-key crash): a transaction-scoped advisory lock per dataset on
    PostgreSQL, the database's write lock on SQLite (taken by a write that changes nothing). ConflictError when
    the lock is not granted within the busy timeout."""
    stmt: Executable
    if session.get_bind().dialect.name == "postgresql":
        stmt = text("SELECT pg_advisory_xact_lock(hashtext(:dataset))").bindparams(dataset=dataset)
    else:
        stmt = update(ImportRun).where(false()).values(id=ImportRun.id)
    try:
        _run(session, stmt)
    except OperationalError:
        raise ConflictError(
            "another import is writing to the registry; try again when it has finished",
            message_zh="另一个导入正在写入登记库，请在其完成后重试",
        ) from None


def credit_code_holders(session: Session, codes: Iterable[str]) -> dict[str, tuple[int, str]]:
    """credit code → (id, name) of the stored organizations holding any of `codes`."""
    wanted = sorted(set(codes))
    holders: dict[str, tuple[int, str]] = {}
    for start in range(0, len(wanted), 500):
        stmt = select(Organization.credit_code, Organization.id, Organization.name).where(
            Organization.credit_code.in_(wanted[start : start + 500])
        )
        holders.update({str(code): (int(id_), str(name)) for code, id_, name in _run(session, stmt)})
    return holders


def key_owners(session: Session, model: Any, dataset: str) -> dict[str, int | None]:
    """source_key → owner_id of every `model` record from `dataset` (None: a shared record without owner)."""
    stmt = select(model.source_key, model.owner_id).where(model.source_dataset == dataset)
    return {str(key): owner for key, owner in _run(session, stmt)}


def region_rows(session: Session) -> list[tuple[str, str, str, str | None]]:
    """(code, name, level, parent_code) of every region."""
    stmt = select(Region.code, Region.name, Region.level, Region.parent_code)
    return [(c, n, str(lv), p) for c, n, lv, p in _run(session, stmt)]


def count_regions(session: Session) -> int:
    """How many regions are stored."""
    return int(session.scalar(select(func.count()).select_from(Region)) or 0)


def organization_rows(
    session: Session,
) -> list[tuple[int, str, str | None, str | None, str | None, str | None, str]]:
    """(id, name, credit_code, listing_code, source_dataset, source_key, kind) of every organization."""
    stmt = select(
        Organization.id,
        Organization.name,
        Organization.credit_code,
        Organization.listing_code,
        Organization.source_dataset,
        Organization.source_key,
        Organization.kind,
    )
    return [tuple(row) for row in _run(session, stmt)]


def alias_rows(session: Session) -> list[tuple[int, str]]:
    """(organization_id, alias) of every alias."""
    return [
        (int(o), str(a)) for o, a in _run(session, select(OrganizationAlias.organization_id, OrganizationAlias.alias))
    ]


def node_ids(session: Session, kind: str) -> dict[str, int]:
    """name → id of every chain node of `kind`."""
    stmt = select(ChainNode.name, ChainNode.id).where(ChainNode.kind == kind)
    return {str(name): int(id_) for name, id_ in _run(session, stmt)}


def edge_ids(session: Session, dataset: str) -> dict[tuple[int, int, str], int]:
    """(src_id, dst_id, relation) → id of every edge from `dataset`."""
    stmt = select(ChainEdge.src_id, ChainEdge.dst_id, ChainEdge.relation, ChainEdge.id).where(
        ChainEdge.source_dataset == dataset
    )
    return {(int(s), int(d), str(r)): int(i) for s, d, r, i in _run(session, stmt)}


def enterprise_node_ids(session: Session) -> dict[tuple[int, int, str], int]:
    """(organization_id, node_id, relation) → id of every enterprise → node link."""
    stmt = select(EnterpriseNode.organization_id, EnterpriseNode.node_id, EnterpriseNode.relation, EnterpriseNode.id)
    return {(int(o), int(n), str(r)): int(i) for o, n, r, i in _run(session, stmt)}


def code_ids(session: Session, scheme: str) -> dict[str, int]:
    """code → id of every entry of `scheme`."""
    stmt = select(CodeEntry.code, CodeEntry.id).where(CodeEntry.scheme == scheme)
    return {str(code): int(id_) for code, id_ in _run(session, stmt)}


def alias_pairs(session: Session) -> set[tuple[int, str]]:
    """(organization_id, alias) pairs already stored."""
    return set(alias_rows(session))


def load_references(session: Session, viewer: Viewer | None = None) -> References:
    """Region and GB/T 4754 codes and organizations (by credit code and by name) cells may refer to: those the
    uploading `viewer` may read and its own (an organization it may not read is as unknown to its file as one that
    does not exist, so a row error never confirms it); every one for a trusted import (None)."""
    connection = session.connection()
    refs = References(
        regions={c for (c,) in connection.execute(select(Region.code))},
        gbt4754={c for (c,) in connection.execute(select(CodeEntry.code).where(CodeEntry.scheme == "gbt4754"))},
    )
    refs.region_by_name = region_names(region_rows(session))
    orgs = select(Organization.id, Organization.name, Organization.credit_code)
    if viewer is not None:
        orgs = orgs.where(or_(visibility_clause(Organization, viewer), Organization.id == viewer.organization_id))
    for org_id, name, credit in connection.execute(orgs):
        add_organization_name(refs, name, org_id)
        if credit:
            refs.org_by_credit[credit] = org_id
    return refs


WRITTEN_COLUMNS: dict[str, tuple[Any, Any, Any]] = {
    "achievement": (Achievement, Achievement.title, None),
    "demand": (Demand, Demand.title, None),
    "expert": (Expert, Expert.name, None),
    "organization": (Organization, Organization.name, Organization.kind),
}
"""Entity → (model, title column, kind column or None: the entity is the kind) of the records an import shows."""


def written_records(session: Session, entity: str, dataset: str, keys: list[str]) -> list[WrittenRecord]:
    """The records of `dataset` with these keys, in the keys' order, with their titles (to link to them)."""
    if entity not in WRITTEN_COLUMNS or not keys:
        return []
    model, title, kind = WRITTEN_COLUMNS[entity]
    stmt = select(model.source_key, model.id, title, kind if kind is not None else title).where(
        model.source_dataset == dataset, model.source_key.in_(keys)
    )
    found = {
        str(key): WrittenRecord(str(kind_value) if kind is not None else entity, int(id_), str(text))
        for key, id_, text, kind_value in _run(session, stmt)
    }
    return [found[key] for key in keys if key in found]


def import_run_paths(session: Session) -> list[str]:
    """The distinct paths that built-in source imports read, as recorded in each ImportRun; users' files (source
    `file:<entity>`, path only a file name) are not built-in sources."""
    stmt = select(ImportRun.path).where(ImportRun.source.not_like(f"{FILE_SOURCE_PREFIX}%")).distinct()
    return [str(path) for (path,) in _run(session, stmt)]


def organization_profiles(session: Session, ids: list[int]) -> dict[int, tuple[str | None, str, Any, int | None]]:
    """id → (region_code, description, extra, employees) of the organizations `ids`."""
    from techbridge.imports.writer import chunks

    found: dict[int, tuple[str | None, str, Any, int | None]] = {}
    columns = (Organization.id, Organization.region_code, Organization.description, Organization.extra)
    for batch in chunks(sorted(set(ids)), 500):
        stmt = select(*columns, Organization.employees).where(Organization.id.in_(batch))
        for org_id, region, description, extra, employees in _run(session, stmt):
            found[int(org_id)] = (region, description or "", extra or {}, employees)
    return found


def fact_rows(session: Session, facts: list[str]) -> dict[tuple[int, str], tuple[int, str]]:
    """(organization_id, fact) → (id, source) of every stored enterprise fact among `facts`."""
    from techbridge.models import EnterpriseFact

    stmt = select(EnterpriseFact.organization_id, EnterpriseFact.fact, EnterpriseFact.id, EnterpriseFact.source)
    stmt = stmt.where(EnterpriseFact.fact.in_(facts))
    return {(int(org), str(fact)): (int(id_), str(source)) for org, fact, id_, source in _run(session, stmt)}


def owner_region_of_achievement() -> Any:
    """Correlated scalar subquery: the region of an achievement's first owning organization that has one."""
    from techbridge.models import Achievement, AchievementOwner

    return (
        select(Organization.region_code)
        .join(AchievementOwner, AchievementOwner.organization_id == Organization.id)
        .where(AchievementOwner.achievement_id == Achievement.id, Organization.region_code.is_not(None))
        .order_by(AchievementOwner.id)
        .limit(1)
        .scalar_subquery()
    )


def analyze_table(session: Session, table: Table) -> None:
    """Refresh one table's planner statistics inside the running transaction (PostgreSQL only).

    PostgreSQL plans a foreign-key check once per connection and keeps the plan: planned while the parent table was
    nearly empty it is a sequential scan, run again for every child row (chain_kg's 110 k product edges against
    100 k product nodes took 889 s). ANALYZE counts the transaction's own new rows and invalidates those plans."""
    if session.connection().dialect.name == "postgresql":
        session.connection().execute(text(f'ANALYZE "{table.name}"'))


def first_capacities(session: Session, organization_ids: list[int]) -> dict[int, PilotCapacity]:
    """organization id → its first (lowest id) pilot capacity, for those of `organization_ids` that have one."""
    stmt = (
        select(PilotCapacity)
        .where(PilotCapacity.organization_id.in_(organization_ids))
        .order_by(PilotCapacity.id.desc())
    )
    return {capacity.organization_id: capacity for capacity in session.scalars(stmt)}
