"""Reads for the tier engine: enterprises with their stored facts, one fact (region names: `registry.queries`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from techbridge.errors import NotFoundError
from techbridge.models import EnterpriseFact, Organization, OrgKind


def get_enterprise(session: Session, organization_id: int) -> Organization:
    """One enterprise by id; NotFoundError for another kind or a missing id."""
    org = session.get(Organization, organization_id)
    if org is None or org.kind != OrgKind.ENTERPRISE:
        raise NotFoundError(f"enterprise {organization_id} not found", message_zh=f"未找到企业 {organization_id}")
    return org


def find_enterprise(session: Session, key: str) -> Organization | None:
    """An enterprise by credit code, or by numeric id."""
    org = session.scalars(select(Organization).where(Organization.credit_code == key)).first()
    if org is None and key.isdigit():
        org = session.get(Organization, int(key))
    return org if org is not None and org.kind == OrgKind.ENTERPRISE else None


def list_enterprises(session: Session, *, region_prefix: str | None = None) -> list[Organization]:
    """Every enterprise, optionally under a region code prefix, by id."""
    query = select(Organization).where(Organization.kind == OrgKind.ENTERPRISE).order_by(Organization.id)
    if region_prefix:
        query = query.where(Organization.region_code.startswith(region_prefix))
    return list(session.scalars(query))


def facts_by_enterprise(
    session: Session, organization_ids: Iterable[int] | None = None
) -> dict[int, list[EnterpriseFact]]:
    """Stored facts grouped by enterprise id."""
    query = select(EnterpriseFact).order_by(EnterpriseFact.organization_id, EnterpriseFact.fact)
    if organization_ids is not None:
        query = query.where(EnterpriseFact.organization_id.in_(list(organization_ids)))
    grouped: dict[int, list[EnterpriseFact]] = defaultdict(list)
    for row in session.scalars(query):
        grouped[row.organization_id].append(row)
    return grouped


def get_fact(session: Session, organization_id: int, fact: str) -> EnterpriseFact | None:
    """One stored fact."""
    query = select(EnterpriseFact).where(EnterpriseFact.organization_id == organization_id, EnterpriseFact.fact == fact)
    return session.scalars(query).first()
