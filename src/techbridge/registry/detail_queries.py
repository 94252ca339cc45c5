"""Detail reads of the registry: what an organization, achievement, expert or demand page shows, and the API's
(and the CLI's) JSON of one demand or achievement (`demand_reads`, `achievement_read`).

Related rows (owners, affiliation, issuing enterprise, achievements) are filtered by the viewer's visibility, and
an expert's contact details follow `contact_visibility` (`is_contact_visible`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import literal, select
from sqlalchemy.orm import Session

from techbridge.access import Viewer, visibility_clause
from techbridge.models import (
    Achievement,
    AchievementOwner,
    ChainNode,
    Demand,
    EnterpriseNode,
    Expert,
    Organization,
    Region,
    ResearchProject,
    Visibility,
)
from techbridge.registry.count_queries import count_capped
from techbridge.registry.queries import code_titles, get_organization, get_visible
from techbridge.registry.schemas import AchievementRead, DemandRead, OwnerRead

RELATED_LIMIT = 50


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
    projects: list[ResearchProject] = field(default_factory=list)
    affiliation_name: str = ""
    """The affiliation as the viewer may see it (`shown_affiliations`)."""
    project_institutions: dict[int, str] = field(default_factory=dict)
    """Project id → its institution as the viewer may see it (`shown_institutions`)."""


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


def visible_organization(session: Session, viewer: Viewer, org_id: int | None) -> Organization | None:
    """The organization `org_id` when it exists and the viewer may see it, else None (no error: a linked record)."""
    if org_id is None:
        return None
    stmt = select(Organization).where(Organization.id == org_id, visibility_clause(Organization, viewer))
    return session.scalars(stmt).first()


def readable_organization_ids(session: Session, viewer: Viewer, ids: set[int | None]) -> set[int]:
    """Which of these organizations the viewer may read."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return set()
    stmt = select(Organization.id).where(Organization.id.in_(wanted), visibility_clause(Organization, viewer))
    return {int(i) for i in session.scalars(stmt)}


def demand_reads(session: Session, viewer: Viewer, demands: list[Demand]) -> list[DemandRead]:
    """Demands as the viewer may see them: the issuing enterprise's id only when the viewer may read that
    organization (as an expert's affiliation), so a private enterprise is never named, not even by its id."""
    readable = readable_organization_ids(session, viewer, {d.enterprise_id for d in demands})
    return [
        DemandRead.model_validate(d).model_copy(
            update={"enterprise_id": d.enterprise_id if d.enterprise_id in readable else None}
        )
        for d in demands
    ]


def achievement_read(session: Session, viewer: Viewer, achievement: Achievement) -> AchievementRead:
    """An achievement with its visible owners."""
    owners = [OwnerRead.model_validate(o) for o in owners_of(session, viewer, achievement.id)]
    return AchievementRead.model_validate(achievement).model_copy(update={"owners": owners})


def shown_institutions(session: Session, viewer: Viewer, projects: list[ResearchProject]) -> dict[int, str]:
    """Project id → its institution's name as stored, or "" when it names an organization the viewer may not read
    (as `shown_affiliations` for experts)."""
    readable = readable_organization_ids(session, viewer, {p.institution_id for p in projects})
    return {
        p.id: p.institution_name if p.institution_id is None or p.institution_id in readable else "" for p in projects
    }


@dataclass(frozen=True)
class Affiliation:
    """An expert's affiliation as a viewer may see it: the organization's id and the stored name (copied from the
    organization at import, or typed), both empty when the organization is one the viewer may not read."""

    id: int | None
    name: str


def shown_affiliations(session: Session, viewer: Viewer, experts: Iterable[Expert]) -> dict[int, Affiliation]:
    """Expert id → the affiliation the viewer may see (`Affiliation`)."""
    experts = list(experts)
    readable = readable_organization_ids(session, viewer, {e.affiliation_id for e in experts})
    hidden = Affiliation(None, "")
    return {
        e.id: Affiliation(e.affiliation_id, e.affiliation_name)
        if e.affiliation_id is None or e.affiliation_id in readable
        else hidden
        for e in experts
    }


def expert_detail(session: Session, viewer: Viewer, expert_id: int) -> ExpertDetail:
    """An expert with visible affiliation, contact details per `contact_visibility`, and achievements."""
    expert: Expert = get_visible(session, viewer, Expert, expert_id)
    affiliation = visible_organization(session, viewer, expert.affiliation_id)
    achievements, _ = achievements_of(session, viewer, AchievementOwner.expert_id, expert.id)
    projects = projects_of(session, viewer, expert.id)
    affiliation_name = shown_affiliations(session, viewer, [expert])[expert.id].name
    institutions = shown_institutions(session, viewer, projects)
    contact = contact_of(expert, viewer)
    return ExpertDetail(expert, affiliation, contact, achievements, projects, affiliation_name, institutions)


def projects_of(session: Session, viewer: Viewer, expert_id: int) -> list[ResearchProject]:
    """The funded projects (科研项目) an expert led that the viewer may read, newest first."""
    stmt = (
        select(ResearchProject)
        .where(ResearchProject.expert_id == expert_id, visibility_clause(ResearchProject, viewer))
        .order_by(ResearchProject.start_year.desc(), ResearchProject.id.desc())
        .limit(RELATED_LIMIT)
    )
    return list(session.scalars(stmt))


def demand_detail(session: Session, viewer: Viewer, demand_id: int) -> DemandDetail:
    """A demand with its (visible) issuing enterprise and region."""
    demand: Demand = get_visible(session, viewer, Demand, demand_id)
    enterprise = visible_organization(session, viewer, demand.enterprise_id)
    region = session.get(Region, demand.region_code) if demand.region_code else None
    return DemandDetail(demand, enterprise, region)
