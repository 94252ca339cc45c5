"""Reads of contracts, cases and pilot capacities; the only module of the package that builds select()."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any

from sqlalchemy import Row, extract, func, select
from sqlalchemy.orm import Session

from techbridge.models import (
    Achievement,
    Contract,
    Organization,
    OrganizationAlias,
    OrgKind,
    PilotCapacity,
    Stage,
    TransferCase,
    TransferEvent,
)
from techbridge.transfers.schemas import ContractFact, ContractType, PartyKind


def has_real_contracts(session: Session) -> bool:
    """Whether any contract not flagged as demonstration data exists."""
    return session.scalar(select(Contract.id).where(Contract.is_demo.is_(False)).limit(1)) is not None


def has_demo_contracts(session: Session) -> bool:
    """Whether the demonstration set is loaded."""
    return session.scalar(select(Contract.id).where(Contract.is_demo.is_(True)).limit(1)) is not None


def _fact(contract: Contract) -> ContractFact:
    return ContractFact(
        contract_id=contract.contract_no,
        type=ContractType(contract.type),
        seller_region_code=contract.seller_region_code,
        seller_kind=PartyKind(contract.seller_kind),
        buyer_region_code=contract.buyer_region_code,
        contract_value=contract.contract_value,
        technology_income=contract.technology_income,
        registered_on=contract.registered_on,
        field=contract.field,
        seller_name=contract.seller_name,
        buyer_name=contract.buyer_name,
        signed_on=contract.signed_on,
    )


def iter_contract_facts(session: Session, *, demo: bool = False) -> Iterator[ContractFact]:
    """Every stored contract as a ContractFact: the real ones, or only the demonstration set when `demo`."""
    stmt = select(Contract).where(Contract.is_demo.is_(demo)).order_by(Contract.id)
    for contract in session.scalars(stmt).yield_per(5000):
        yield _fact(contract)


def get_contract_by_no(session: Session, contract_no: str) -> Contract | None:
    """The contract with this contract id."""
    return session.scalar(select(Contract).where(Contract.contract_no == contract_no))


def contract_cube(session: Session, *, demo: bool) -> Sequence[Row[Any]]:
    """One SQL GROUP BY pass: per (seller city, buyer city, seller kind, type, field, quarter) the count and the
    sums (万元). Every dashboard figure is computed from these few thousand rows instead of the contracts."""
    seller_city = func.substr(Contract.seller_region_code, 1, 4).label("seller_city")
    buyer_city = func.substr(Contract.buyer_region_code, 1, 4).label("buyer_city")
    year = extract("year", Contract.registered_on)
    month = extract("month", Contract.registered_on)
    quarter = (year * 10 + (month + 2) // 3).label("quarter")
    value = func.sum(Contract.contract_value).label("value")
    income = func.sum(Contract.technology_income).label("income")
    keys = (seller_city, buyer_city, Contract.seller_kind, Contract.type, Contract.field, quarter)
    stmt = select(*keys, func.count().label("n"), value, income).where(Contract.is_demo.is_(demo)).group_by(*keys)
    return session.execute(stmt).all()


def list_cases(
    session: Session,
    *,
    broker_id: int | None = None,
    stage: Stage | None = None,
    demo: bool | None = None,
) -> Sequence[TransferCase]:
    """Cases, newest first; restricted to one broker and/or stage when given."""
    stmt = select(TransferCase).order_by(TransferCase.id.desc())
    if broker_id is not None:
        stmt = stmt.where(TransferCase.broker_id == broker_id)
    if stage is not None:
        stmt = stmt.where(TransferCase.stage == stage)
    if demo is not None:
        stmt = stmt.where(TransferCase.is_demo.is_(demo))
    return session.scalars(stmt).all()


def list_events(session: Session, case_ids: Sequence[int] | None = None) -> Sequence[TransferEvent]:
    """Events in time order (of some cases, or all)."""
    stmt = select(TransferEvent).order_by(TransferEvent.case_id, TransferEvent.at, TransferEvent.id)
    if case_ids is not None:
        stmt = stmt.where(TransferEvent.case_id.in_(case_ids))
    return session.scalars(stmt).all()


def list_pilot_capacities(session: Session, *, trl: int) -> list[tuple[PilotCapacity, Organization]]:
    """(capacity, organization) pairs of pilot bases whose TRL range covers `trl`."""
    stmt = (
        select(PilotCapacity, Organization)
        .join(Organization, Organization.id == PilotCapacity.organization_id)
        .where(PilotCapacity.trl_min <= trl, PilotCapacity.trl_max >= trl)
        .order_by(Organization.id)
    )
    return [(row[0], row[1]) for row in session.execute(stmt)]


def get_achievement(session: Session, achievement_id: int) -> Achievement | None:
    """One achievement by id."""
    return session.get(Achievement, achievement_id)


def list_organizations_of_kind(session: Session, kinds: Sequence[OrgKind], limit: int) -> Sequence[Organization]:
    """Organizations of the given kinds with a region, by id (used to build the demonstration set)."""
    stmt = (
        select(Organization)
        .where(Organization.kind.in_(kinds), Organization.region_code.is_not(None))
        .order_by(Organization.id)
        .limit(limit)
    )
    return session.scalars(stmt).all()


def count_contracts(session: Session, *, demo: bool, since: date | None = None) -> int:
    """Number of contracts (real or demo), optionally registered on or after `since`."""
    stmt = select(func.count()).select_from(Contract).where(Contract.is_demo.is_(demo))
    if since is not None:
        stmt = stmt.where(Contract.registered_on >= since)
    return int(session.scalar(stmt) or 0)


def organization_rows(session: Session) -> list[tuple[int, str, str | None, str | None]]:
    """(id, name, credit_code, listing_code) of every organization, for entity resolution."""
    stmt = select(Organization.id, Organization.name, Organization.credit_code, Organization.listing_code)
    return [(row[0], row[1], row[2], row[3]) for row in session.execute(stmt)]


def organization_aliases(session: Session) -> list[tuple[int, str]]:
    """(organization_id, alias) pairs, for entity resolution."""
    stmt = select(OrganizationAlias.organization_id, OrganizationAlias.alias)
    return [(row[0], row[1]) for row in session.execute(stmt)]


def contract_ids_by_no(session: Session, numbers: Sequence[str]) -> dict[str, int]:
    """contract_no → id of the stored contracts among `numbers`."""
    found: dict[str, int] = {}
    for start in range(0, len(numbers), 500):
        chunk = numbers[start : start + 500]
        for number, contract_id in session.execute(
            select(Contract.contract_no, Contract.id).where(Contract.contract_no.in_(chunk))
        ):
            found[number] = contract_id
    return found
