"""Selects the matching engine needs: records to index, rows behind hits."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Engine, Select, and_, delete, func, or_, select
from sqlalchemy.orm import Session

from techbridge.access import Viewer, visibility_clause
from techbridge.models import (
    Achievement,
    AchievementOwner,
    ChainEdge,
    ChainNode,
    EnterpriseNode,
    Expert,
    Organization,
    OrgKind,
    ResearchProject,
    SearchVector,
    Visibility,
)
from techbridge.models.data_version import SEARCH_VECTORS, data_version

BATCH = 2000
PATENTS_PER_ENTERPRISE = 40
ACHIEVEMENTS_PER_EXPERT = 30
PROJECTS_PER_EXPERT = 30


@dataclass
class AchievementRow:
    """An achievement with what its public owners add: organization kinds (or expert), names and regions."""

    achievement: Achievement
    owner_kinds: set[str] = field(default_factory=set)
    owner_names: list[str] = field(default_factory=list)
    owner_regions: set[str] = field(default_factory=set)


@dataclass
class EnterpriseRow:
    """An enterprise with its chain products/industries and the titles of its patents."""

    organization: Organization
    products: list[str] = field(default_factory=list)
    patents: list[str] = field(default_factory=list)


@dataclass
class ExpertRow:
    """An expert with the titles and keywords of their achievements and the affiliation's region (a public one's)."""

    expert: Expert
    achievements: list[str] = field(default_factory=list)
    region_code: str | None = None
    projects: list[str] = field(default_factory=list)
    affiliation_name: str = ""
    """The affiliation's name as indexed: the stored one unless it names an organization that is not public (the
    index serves every viewer, so it borrows text from public records only)."""


def iter_achievement_rows(session: Session, ids: Sequence[int] | None = None) -> Iterator[list[AchievementRow]]:
    """Achievements with owner facts, in batches of BATCH (all of them, or the given ids)."""
    stmt = select(Achievement).order_by(Achievement.id)
    if ids is not None:
        stmt = stmt.where(Achievement.id.in_(list(ids)))
    batch: list[Achievement] = []
    for achievement in session.scalars(stmt.execution_options(yield_per=BATCH)):
        batch.append(achievement)
        if len(batch) >= BATCH:
            yield _with_owners(session, batch)
            batch = []
    if batch:
        yield _with_owners(session, batch)


def _with_owners(session: Session, achievements: list[Achievement]) -> list[AchievementRow]:
    rows = {a.id: AchievementRow(a) for a in achievements}
    stmt = (
        select(
            AchievementOwner.achievement_id,
            AchievementOwner.expert_id,
            Organization.kind,
            Organization.name,
            Organization.region_code,
            Organization.visibility,
            Expert.visibility,
        )
        .outerjoin(Organization, Organization.id == AchievementOwner.organization_id)
        .outerjoin(Expert, Expert.id == AchievementOwner.expert_id)
        .where(AchievementOwner.achievement_id.in_(list(rows)))
    )
    for achievement_id, expert_id, kind, name, region, visibility, expert_visibility in session.execute(stmt):
        # the document is shared by every viewer: what an owner adds (its name, and the kind and region the owner
        # filters match) comes from public owners only, or a filter would tell that a hidden owner of that kind or
        # region holds the achievement
        row = rows[achievement_id]
        if expert_id is not None:
            if expert_visibility == Visibility.PUBLIC:
                row.owner_kinds.add("expert")
            continue
        if visibility != Visibility.PUBLIC:
            continue
        row.owner_kinds.add(str(kind))
        if name:
            row.owner_names.append(str(name))
        if region:
            row.owner_regions.add(str(region))
    return list(rows.values())


def iter_enterprise_rows(session: Session, ids: Sequence[int] | None = None) -> Iterator[list[EnterpriseRow]]:
    """Enterprises with products/industries (chain links) and patent titles, in batches."""
    stmt = select(Organization).where(Organization.kind == OrgKind.ENTERPRISE).order_by(Organization.id)
    if ids is not None:
        stmt = stmt.where(Organization.id.in_(list(ids)))
    batch: list[Organization] = []
    for org in session.scalars(stmt.execution_options(yield_per=BATCH)):
        batch.append(org)
        if len(batch) >= BATCH:
            yield _with_products(session, batch)
            batch = []
    if batch:
        yield _with_products(session, batch)


def _with_products(session: Session, orgs: list[Organization]) -> list[EnterpriseRow]:
    rows = {o.id: EnterpriseRow(o) for o in orgs}
    nodes = (
        select(EnterpriseNode.organization_id, ChainNode.name)
        .join(ChainNode, ChainNode.id == EnterpriseNode.node_id)
        .where(EnterpriseNode.organization_id.in_(list(rows)))
        .order_by(EnterpriseNode.organization_id, EnterpriseNode.weight.desc(), ChainNode.name)
    )
    for org_key, name in session.execute(nodes):
        rows[int(org_key)].products.append(str(name))
    patents = (
        select(AchievementOwner.organization_id, Achievement.title)
        .join(Achievement, Achievement.id == AchievementOwner.achievement_id)
        .where(AchievementOwner.organization_id.in_(list(rows)), Achievement.visibility == Visibility.PUBLIC)
        .order_by(AchievementOwner.organization_id, Achievement.year.desc(), Achievement.id)
    )
    for owner_key, title in session.execute(patents):
        row = rows[int(owner_key or 0)]
        if len(row.patents) < PATENTS_PER_ENTERPRISE:
            row.patents.append(str(title))
    return list(rows.values())


def iter_expert_rows(session: Session, ids: Sequence[int] | None = None) -> Iterator[list[ExpertRow]]:
    """Experts with their achievements' titles and their affiliation's region, in batches."""
    stmt = select(Expert).order_by(Expert.id)
    if ids is not None:
        stmt = stmt.where(Expert.id.in_(list(ids)))
    batch: list[Expert] = []
    for expert in session.scalars(stmt.execution_options(yield_per=BATCH)):
        batch.append(expert)
        if len(batch) >= BATCH:
            yield _with_achievements(session, batch)
            batch = []
    if batch:
        yield _with_achievements(session, batch)


def _with_achievements(session: Session, experts: list[Expert]) -> list[ExpertRow]:
    rows = {e.id: ExpertRow(e) for e in experts}
    titles = (
        select(AchievementOwner.expert_id, Achievement.title)
        .join(Achievement, Achievement.id == AchievementOwner.achievement_id)
        .where(AchievementOwner.expert_id.in_(list(rows)), Achievement.visibility == Visibility.PUBLIC)
        .order_by(AchievementOwner.expert_id, Achievement.year.desc(), Achievement.id)
    )
    for expert_key, title in session.execute(titles):
        row = rows[int(expert_key or 0)]
        if len(row.achievements) < ACHIEVEMENTS_PER_EXPERT:
            row.achievements.append(str(title))
    affiliations = {e.affiliation_id for e in experts if e.affiliation_id}
    regions: dict[int, str | None] = {}
    public: set[int] = set()
    if affiliations:
        columns = (Organization.id, Organization.region_code, Organization.visibility)
        for org_id, region, visibility in session.execute(select(*columns).where(Organization.id.in_(affiliations))):
            if visibility == Visibility.PUBLIC:  # a hidden affiliation's region would be told by the region filter
                regions[int(org_id)] = region
                public.add(int(org_id))
    for row in rows.values():
        linked = row.expert.affiliation_id
        row.region_code = regions.get(linked) if linked else None
        row.affiliation_name = row.expert.affiliation_name if linked is None or linked in public else ""
    _add_project_titles(session, rows)
    return list(rows.values())


def searchable_ids(session: Session, entity: str) -> list[int]:
    """Ids of every record of one searchable entity type (achievement, enterprise, expert), ascending."""
    stmt: Select[int]
    if entity == "achievement":
        stmt = select(Achievement.id).order_by(Achievement.id)
    elif entity == "enterprise":
        stmt = select(Organization.id).where(Organization.kind == OrgKind.ENTERPRISE).order_by(Organization.id)
    else:
        stmt = select(Expert.id).order_by(Expert.id)
    return [int(record_id) for record_id in session.scalars(stmt)]


def _add_project_titles(session: Session, rows: dict[int, ExpertRow]) -> None:
    """The titles of the public funded projects each expert led, newest first (their expertise text)."""
    stmt = (
        select(ResearchProject.expert_id, ResearchProject.title)
        .where(ResearchProject.expert_id.in_(list(rows)), ResearchProject.visibility == Visibility.PUBLIC)
        .order_by(ResearchProject.expert_id, ResearchProject.start_year.desc(), ResearchProject.id)
    )
    for expert_key, title in session.execute(stmt):
        row = rows[int(expert_key or 0)]
        if len(row.projects) < PROJECTS_PER_EXPERT:
            row.projects.append(str(title))


class VectorRow(NamedTuple):
    """One stored passage vector: record key, passage number, float32 bytes, and when it was written."""

    key: str
    passage_no: int
    vector: bytes
    updated_at: datetime


def _vector_rows(stmt: Select[str, int, bytes, datetime], session: Session) -> Iterator[VectorRow]:
    for key, passage_no, blob, updated_at in session.execute(stmt.execution_options(yield_per=BATCH)):
        yield VectorRow(str(key), int(passage_no), bytes(blob), updated_at)


def _vector_columns(entity: str, model: str) -> Select[str, int, bytes, datetime]:
    return select(SearchVector.entity_key, SearchVector.passage_no, SearchVector.vector, SearchVector.updated_at).where(
        SearchVector.entity == entity, SearchVector.model == model
    )


def load_vectors(session: Session, entity: str, model: str) -> Iterator[VectorRow]:
    """Every stored passage vector of one entity type under one model, streamed in key and passage order."""
    stmt = _vector_columns(entity, model).order_by(SearchVector.entity_key, SearchVector.passage_no)
    return _vector_rows(stmt, session)


def changed_vectors(
    session: Session, entity: str, model: str, since: datetime, limit: int | None = None
) -> list[VectorRow]:
    """Vectors written at or after `since` (inclusive: rows can share a timestamp), at most `limit` of them."""
    stmt = _vector_columns(entity, model).where(SearchVector.updated_at >= since).order_by(SearchVector.id)
    return list(_vector_rows(stmt if limit is None else stmt.limit(limit), session))


def stored_passages(session: Session, entity: str, model: str) -> set[tuple[str, int]]:
    """(key, passage number) of every stored vector of one entity type under one model (no vectors read)."""
    stmt = select(SearchVector.entity_key, SearchVector.passage_no).where(
        SearchVector.entity == entity, SearchVector.model == model
    )
    return {(str(key), int(number)) for key, number in session.execute(stmt.execution_options(yield_per=BATCH))}


def delete_vectors(session: Session, keys: Sequence[str]) -> int:
    """Remove every stored passage vector (all models) of the records `keys`; returns how many rows went."""
    result = session.execute(delete(SearchVector).where(SearchVector.entity_key.in_(list(keys))))
    return int(getattr(result, "rowcount", 0) or 0)


def stored_vector(session: Session, key: str, passage_no: int, model: str) -> SearchVector | None:
    """The stored vector of one passage of one record under one model, if any."""
    stmt = select(SearchVector).where(
        SearchVector.entity_key == key, SearchVector.passage_no == passage_no, SearchVector.model == model
    )
    return session.scalar(stmt)


def delete_passages(session: Session, key: str, numbers: Sequence[int], model: str) -> None:
    """Remove the stored vectors of some passages of one record under one model."""
    session.execute(
        delete(SearchVector).where(
            SearchVector.entity_key == key, SearchVector.passage_no.in_(list(numbers)), SearchVector.model == model
        )
    )


def vector_signature(session: Session, entity: str, model: str) -> tuple[int, str]:
    """(count, latest update) of an entity's vectors: changes whenever vectors are written."""
    stmt = select(func.count(SearchVector.id), func.max(SearchVector.updated_at)).where(
        SearchVector.entity == entity, SearchVector.model == model
    )
    count, latest = session.execute(stmt).one()
    return int(count or 0), str(latest)


def vector_version(session: Session) -> int | None:
    """The stored vectors' data version (bumped by triggers on every write); None when its row is missing or this
    transaction wrote vectors on PostgreSQL, where the counter moves only at commit."""
    version, written_here = data_version(session, SEARCH_VECTORS)
    return None if version is None or written_here else int(version)


def stored_hashes(session: Session, keys: Iterable[str], model: str) -> dict[tuple[str, int], str]:
    """Content hash of each stored (key, passage) under the model."""
    key_list = list(keys)
    out: dict[tuple[str, int], str] = {}
    for start in range(0, len(key_list), 500):
        stmt = select(SearchVector.entity_key, SearchVector.passage_no, SearchVector.content_hash).where(
            SearchVector.entity_key.in_(key_list[start : start + 500]), SearchVector.model == model
        )
        for key, passage_no, content_hash in session.execute(stmt):
            out[(str(key), int(passage_no))] = str(content_hash)
    return out


def visible_ids(session: Session, viewer: Viewer, model: Any, ids: Sequence[int]) -> dict[int, Any]:
    """The records among `ids` the viewer may read, by id (`model` is a RecordMixin ORM class)."""
    if not ids:
        return {}
    stmt = select(model).where(model.id.in_(list(ids)), visibility_clause(model, viewer))
    return {int(r.id): r for r in session.scalars(stmt)}


def count_searchable(session: Session) -> int:
    """Achievements + enterprises + experts in the registry."""
    return sum(searchable_counts(session).values())


def searchable_counts(session: Session) -> dict[str, int]:
    """How many records of each searchable entity type the registry holds."""
    achievements = session.scalar(select(func.count(Achievement.id))) or 0
    enterprises = (
        session.scalar(select(func.count(Organization.id)).where(Organization.kind == OrgKind.ENTERPRISE)) or 0
    )
    experts = session.scalar(select(func.count(Expert.id))) or 0
    return {"achievement": int(achievements), "enterprise": int(enterprises), "expert": int(experts)}


def count_records_with_vectors(session: Session, entity: str, model: str) -> int:
    """How many records of one entity type have at least one stored passage vector under the model."""
    stmt = select(func.count(func.distinct(SearchVector.entity_key))).where(
        SearchVector.entity == entity, SearchVector.model == model
    )
    return int(session.scalar(stmt) or 0)


def owner_organization_ids(session: Session, achievement_id: int) -> list[int]:
    """Organizations owning an achievement."""
    stmt = select(AchievementOwner.organization_id).where(
        AchievementOwner.achievement_id == achievement_id, AchievementOwner.organization_id.is_not(None)
    )
    return [int(i) for i in session.scalars(stmt) if i is not None]


def holders_of_achievements(session: Session, ids: Sequence[int]) -> tuple[list[int], list[int]]:
    """(organization ids, expert ids) holding any of the achievements: their documents list the titles."""
    stmt = select(AchievementOwner.organization_id, AchievementOwner.expert_id).where(
        AchievementOwner.achievement_id.in_(list(ids))
    )
    orgs: set[int] = set()
    experts: set[int] = set()
    for org_id, expert_id in session.execute(stmt):
        if org_id is not None:
            orgs.add(int(org_id))
        if expert_id is not None:
            experts.add(int(expert_id))
    return sorted(orgs), sorted(experts)


def achievement_ids_of_organization(session: Session, organization_id: int) -> list[int]:
    """Achievements an organization owns."""
    stmt = select(AchievementOwner.achievement_id).where(AchievementOwner.organization_id == organization_id)
    return [int(i) for i in session.scalars(stmt)]


def ipc_of_organization(session: Session, organization_id: int) -> set[str]:
    """IPC codes of an organization's achievements (its technology footprint)."""
    stmt = (
        select(Achievement.ipc_codes)
        .join(AchievementOwner, AchievementOwner.achievement_id == Achievement.id)
        .where(AchievementOwner.organization_id == organization_id)
        .limit(500)
    )
    return {c for (codes,) in session.execute(stmt) for c in codes or [] if isinstance(c, str)}


ChainRow = tuple[int, str, int | None, int | None, str | None, float | None, str | None]
"""(node id, node name, edge src, edge dst, relation, weight, source dataset); the edge columns are None for a node
without any of the asked relations."""


def chain_neighbourhood_rows(
    session: Session, viewer: Viewer, organization_ids: Sequence[int], relations: Sequence[str]
) -> list[ChainRow]:
    """The chain nodes of those organizations `viewer` may read (an owner-only one's nodes say what it makes), each
    with every edge of the given relations touching it (one statement)."""
    if not organization_ids or not relations:
        return []
    touches = or_(ChainEdge.src_id == EnterpriseNode.node_id, ChainEdge.dst_id == EnterpriseNode.node_id)
    # coalesce() keeps the relation test off ix_chain_edges_relation: without planner statistics SQLite would scan
    # every edge of the relation instead of using the src_id / dst_id indexes (MULTI-INDEX OR)
    of_relations = func.coalesce(ChainEdge.relation, "").in_(list(relations))
    stmt = (
        select(
            EnterpriseNode.node_id,
            ChainNode.name,
            ChainEdge.src_id,
            ChainEdge.dst_id,
            ChainEdge.relation,
            ChainEdge.weight,
            ChainEdge.source_dataset,
        )
        .select_from(EnterpriseNode)
        .join(ChainNode, ChainNode.id == EnterpriseNode.node_id)
        .join(Organization, Organization.id == EnterpriseNode.organization_id)
        .outerjoin(ChainEdge, and_(touches, of_relations))
        .where(EnterpriseNode.organization_id.in_(list(organization_ids)), visibility_clause(Organization, viewer))
        .distinct()
    )
    return [
        (int(node), str(name), src, dst, relation, weight, dataset)
        for node, name, src, dst, relation, weight, dataset in session.execute(stmt)
    ]


def chain_nodes_of(session: Session, viewer: Viewer, entity: str, ids: Sequence[int]) -> dict[int, dict[int, str]]:
    """Chain nodes (id → name) of enterprises, or of achievements through their owner organizations, of the
    organizations `viewer` may read only; {} for other entities."""
    if not ids or entity not in ("enterprise", "achievement"):
        return {}
    if entity == "enterprise":
        stmt = (
            select(EnterpriseNode.organization_id, ChainNode.id, ChainNode.name)
            .select_from(EnterpriseNode)
            .join(ChainNode, ChainNode.id == EnterpriseNode.node_id)
            .join(Organization, Organization.id == EnterpriseNode.organization_id)
            .where(EnterpriseNode.organization_id.in_(list(ids)), visibility_clause(Organization, viewer))
        )
    else:
        stmt = (
            select(AchievementOwner.achievement_id, ChainNode.id, ChainNode.name)
            .select_from(AchievementOwner)
            .join(EnterpriseNode, EnterpriseNode.organization_id == AchievementOwner.organization_id)
            .join(ChainNode, ChainNode.id == EnterpriseNode.node_id)
            .join(Organization, Organization.id == EnterpriseNode.organization_id)
            .where(AchievementOwner.achievement_id.in_(list(ids)), visibility_clause(Organization, viewer))
        )
    out: dict[int, dict[int, str]] = defaultdict(dict)
    for record_id, node_id, name in session.execute(stmt):
        out[int(record_id)][int(node_id)] = str(name)
    return dict(out)


def database_url_of(session: Session) -> str:
    """The URL the session is bound to (with password), to tell databases apart."""
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    return engine.url.render_as_string(hide_password=False)
