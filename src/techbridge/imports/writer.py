"""Bulk writes shared by every importer: insert-or-update by provenance key in batches (SQLAlchemy `insert()` /
bulk `update()` executemany on SQLite, COPY on PostgreSQL via bulk.py, never one ORM object per row), for records,
regions, codes, chain nodes and edges."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import bindparam, delete, func, insert, update
from sqlalchemy.orm import Session

from techbridge.imports import bulk, queries
from techbridge.imports.schemas import ImportSummary
from techbridge.models import (
    AchievementOwner,
    ChainEdge,
    ChainNode,
    CodeEntry,
    EnterpriseNode,
    OrganizationAlias,
    Region,
)
from techbridge.models.base import utcnow

BATCH = 5000
ANALYZE_AFTER = 200  # rows inserted into one table in one call before its statistics are refreshed
T = TypeVar("T")


def chunks(items: Sequence[T], size: int = BATCH) -> Iterator[Sequence[T]]:
    """Consecutive slices of at most `size` items."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _insert(session: Session, model: Any, rows: Sequence[dict[str, Any]]) -> None:
    """Core executemany INSERT in batches (no ORM unit of work); COPY on PostgreSQL."""
    table = model.__table__
    connection = session.connection()
    for batch in chunks(rows):
        if bulk.is_postgresql(connection):
            bulk.copy_insert(connection, table, batch)
        else:
            connection.execute(insert(table), list(batch))
    if len(rows) >= ANALYZE_AFTER:
        queries.analyze_table(session, table)


def _update(session: Session, model: Any, rows: Sequence[dict[str, Any]], key: str = "id") -> None:
    """Core executemany UPDATE … WHERE <key> = :b_<key> in batches; every row has the same keys.

    On PostgreSQL: COPY into a temporary table and one UPDATE … FROM per batch."""
    if not rows:
        return
    table = model.__table__
    connection = session.connection()
    if bulk.is_postgresql(connection):
        for batch in chunks(rows):
            bulk.copy_update(connection, table, batch, key)
        return
    columns = [column for column in rows[0] if column != key]
    stmt = update(table).where(table.c[key] == bindparam(f"b_{key}")).values({c: bindparam(f"b_{c}") for c in columns})
    for batch in chunks(rows):
        connection.execute(stmt, [{f"b_{k}": v for k, v in row.items()} for row in batch])


def upsert_records(
    session: Session, model: Any, rows: Iterable[dict[str, Any]], *, dataset: str, summary: ImportSummary, label: str
) -> dict[str, int]:
    """Insert rows whose (dataset, source_key) is new, update the others; returns source_key → id for the dataset.

    Every row carries the same keys, including `source_key` and `source_file`."""
    existing = queries.existing_keys(session, model, dataset)
    now = utcnow()
    fresh: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    for row in rows:
        row = {**row, "source_dataset": dataset, "updated_at": now}
        if row["source_key"] in existing:
            changed.append({**row, "id": existing[row["source_key"]]})
        else:
            fresh.append({**row, "created_at": now})
    _insert(session, model, fresh)
    _update(session, model, changed)
    summary.add(f"{label}.inserted", len(fresh))
    summary.add(f"{label}.updated", len(changed))
    return queries.existing_keys(session, model, dataset) if fresh else existing


def upsert_regions(session: Session, rows: Sequence[dict[str, Any]], *, summary: ImportSummary) -> None:
    """Insert or update regions by code; parents must come before children in `rows`."""
    existing = {code for code, *_ in queries.region_rows(session)}
    fresh = [row for row in rows if row["code"] not in existing]
    changed = [row for row in rows if row["code"] in existing]
    _insert(session, Region, fresh)
    _update(session, Region, changed, key="code")
    summary.add("region.inserted", len(fresh))
    summary.add("region.updated", len(changed))


def upsert_codes(session: Session, scheme: str, rows: Sequence[dict[str, Any]], *, summary: ImportSummary) -> None:
    """Insert or update the entries of one classification scheme by code."""
    existing = queries.code_ids(session, scheme)
    fresh = [{**row, "scheme": scheme} for row in rows if row["code"] not in existing]
    changed = [{**row, "scheme": scheme, "id": existing[row["code"]]} for row in rows if row["code"] in existing]
    _insert(session, CodeEntry, fresh)
    _update(session, CodeEntry, changed)
    summary.add(f"code.{scheme}.inserted", len(fresh))
    summary.add(f"code.{scheme}.updated", len(changed))


def ensure_nodes(
    session: Session,
    kind: str,
    nodes: dict[str, tuple[str | None, int | None]],
    *,
    dataset: str,
    summary: ImportSummary,
) -> dict[str, int]:
    """Make sure a chain node (kind, name) exists for each name; `nodes` maps name → (code, level).

    Nodes are shared between sources (unique by kind and name); code and level are filled when missing."""
    existing = queries.node_ids(session, kind)
    fresh = [
        {"kind": kind, "name": name, "code": code, "level": level, "source_dataset": dataset}
        for name, (code, level) in nodes.items()
        if name not in existing
    ]
    _insert(session, ChainNode, fresh)
    coded = [
        {"id": existing[name], "code": code, "level": level}
        for name, (code, level) in nodes.items()
        if name in existing and code is not None
    ]
    _update(session, ChainNode, coded)
    summary.add(f"chain_node.{kind}.inserted", len(fresh))
    return queries.node_ids(session, kind) if fresh else existing


def upsert_edges(
    session: Session, edges: Iterable[tuple[int, int, str, float, date | None]], *, dataset: str, summary: ImportSummary
) -> None:
    """Insert or update chain edges (src_id, dst_id, relation, weight, observed_on) of one dataset."""
    existing = queries.edge_ids(session, dataset)
    fresh: dict[tuple[int, int, str], dict[str, Any]] = {}
    changed: dict[int, dict[str, Any]] = {}
    for src, dst, relation, weight, observed in edges:
        row = {"weight": weight, "observed_on": observed}
        key = (src, dst, relation)
        if key in existing:
            changed[existing[key]] = {"id": existing[key], **row}
        else:
            fresh[key] = {"src_id": src, "dst_id": dst, "relation": relation, "source_dataset": dataset, **row}
    _insert(session, ChainEdge, list(fresh.values()))
    _update(session, ChainEdge, list(changed.values()))
    summary.add("chain_edge.inserted", len(fresh))
    summary.add("chain_edge.updated", len(changed))


def upsert_enterprise_nodes(
    session: Session,
    links: Iterable[tuple[int, int, str, float | None, str]],
    *,
    dataset: str,
    summary: ImportSummary,
) -> None:
    """Insert or update enterprise → node links (organization_id, node_id, relation, weight, evidence)."""
    existing = queries.enterprise_node_ids(session)
    fresh: dict[tuple[int, int, str], dict[str, Any]] = {}
    changed: dict[int, dict[str, Any]] = {}
    for org, node, relation, weight, evidence in links:
        key = (org, node, relation)
        row = {"weight": weight, "evidence": evidence[:255], "source_dataset": dataset}
        if key in existing:
            changed[existing[key]] = {"id": existing[key], **row}
        else:
            fresh[key] = {"organization_id": org, "node_id": node, "relation": relation, **row}
    _insert(session, EnterpriseNode, list(fresh.values()))
    _update(session, EnterpriseNode, list(changed.values()))
    summary.add("enterprise_node.inserted", len(fresh))
    summary.add("enterprise_node.updated", len(changed))


def add_aliases(session: Session, pairs: Iterable[tuple[int, str, str]], *, summary: ImportSummary) -> None:
    """Store (organization_id, alias, normalized) pairs that are not stored yet."""
    existing = queries.alias_pairs(session)
    fresh: dict[tuple[int, str], dict[str, Any]] = {}
    for org, alias, normalized in pairs:
        if (org, alias) not in existing and alias:
            fresh[(org, alias)] = {"organization_id": org, "alias": alias[:255], "normalized": normalized[:255]}
    _insert(session, OrganizationAlias, list(fresh.values()))
    summary.add("alias.inserted", len(fresh))


def replace_owners(
    session: Session, owners: Iterable[tuple[int, int]], *, achievement_ids: Iterable[int], summary: ImportSummary
) -> None:
    """Replace the organization owners of `achievement_ids` by (achievement_id, organization_id) pairs."""
    ids = sorted(set(achievement_ids))
    for batch in chunks(ids, 500):
        session.connection().execute(delete(AchievementOwner).where(AchievementOwner.achievement_id.in_(batch)))
    rows = [{"achievement_id": a, "organization_id": o, "role": "owner"} for a, o in dict.fromkeys(owners)]
    _insert(session, AchievementOwner, rows)
    summary.add("achievement_owner.written", len(rows))


def update_rows(session: Session, model: Any, rows: Sequence[dict[str, Any]]) -> None:
    """Update rows of `model` by id (every row has the same keys)."""
    _update(session, model, rows)


def upsert_facts(
    session: Session, facts: Sequence[dict[str, Any]], *, source: str, entered_by: str, summary: ImportSummary
) -> None:
    """Write enterprise facts (organization_id, fact, value, year) from one source.

    A fact stored from another source (an officer's or the enterprise's own entry, another import) is kept: the
    import never overwrites what someone else entered; a re-run of the same source updates its own rows."""
    from techbridge.models import EnterpriseFact

    existing = queries.fact_rows(session, sorted({f["fact"] for f in facts}))
    now = utcnow()
    fresh: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    kept = 0
    for fact in facts:
        row = {**fact, "source": source, "entered_by": entered_by, "updated_at": now}
        stored = existing.get((fact["organization_id"], fact["fact"]))
        if stored is None:
            fresh.append({**row, "entered_by_id": None, "created_at": now})
        elif stored[1] == source:
            changed.append({"id": stored[0], **row})
        else:
            kept += 1
    _insert(session, EnterpriseFact, fresh)
    _update(session, EnterpriseFact, changed)
    summary.add("enterprise_fact.inserted", len(fresh))
    summary.add("enterprise_fact.updated", len(changed))
    summary.add("enterprise_fact.kept_other_source", kept)


def fill_achievement_regions(session: Session, *, summary: ImportSummary) -> None:
    """Give achievements without a region the region of their first owning organization that has one, and refine
    a province-only region to the owner's city in that province (a listed company placed in its city later)."""
    from techbridge.models import Achievement

    region = queries.owner_region_of_achievement()
    missing = Achievement.region_code.is_(None) & region.is_not(None)
    coarse = (func.length(Achievement.region_code) == 2) & (func.length(region) > 2)
    refinable = coarse & (func.substr(region, 1, 2) == Achievement.region_code)
    for label, where in (("achievement.region_from_owner", missing), ("achievement.region_refined", refinable)):
        stmt = update(Achievement).where(where).values(region_code=region).execution_options(synchronize_session=False)
        changed = int(session.connection().execute(stmt).rowcount or 0)
        if changed:
            summary.add(label, changed)
