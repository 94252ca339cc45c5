"""Reads of contracts, cases and pilot capacities; the only module of the package that builds select()."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    and_,
    case,
    cast,
    delete,
    extract,
    func,
    insert,
    literal,
    null,
    or_,
    select,
)
from sqlalchemy.orm import InstrumentedAttribute, Session

from techbridge.access import Viewer, visibility_clause
from techbridge.models import (
    Achievement,
    Contract,
    ContractRollup,
    Organization,
    OrganizationAlias,
    OrgKind,
    PilotCapacity,
    Stage,
    TransferCase,
    TransferEvent,
)
from techbridge.transfers.loader import load_metric_defaults
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
        buyer_kind=PartyKind(contract.buyer_kind) if contract.buyer_kind else None,
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


def city_sql(code: ColumnElement[str] | InstrumentedAttribute[str]) -> ColumnElement[Any]:
    """`metrics.city_of` in SQL, over the same metrics.yaml `cities` lists: a division code's city key (first 4
    digits; a 直辖市's 2; a county-level city directly under a province its 6), NULL when it lies in no city."""
    cities: dict[str, list[str]] = load_metric_defaults().get("cities") or {}
    two, four = func.substr(code, 1, 2), func.substr(code, 1, 4)
    in_group = four.in_(cities.get("county_level_groups", []))
    return case(
        (two.in_(cities.get("municipalities", [])), two),
        (and_(in_group, func.length(code) == 6, func.substr(code, 5, 2) != "00"), code),
        (or_(in_group, func.length(code) < 4, func.substr(code, 3, 2) == "00"), null()),
        else_=four,
    )


def _rollup_select(grain: str, demo: bool, max_id: int) -> Select[Any]:
    # the seller's city key (its province's 2 digits when it lies in no city, so a province prefix still finds it);
    # same_city compares city keys, and NULL (no city, unknown buyer) equals nothing
    seller_city_key = city_sql(Contract.seller_region_code)
    seller_province = func.substr(Contract.seller_region_code, 1, 2)
    seller_city = func.coalesce(seller_city_key, seller_province)
    buyer_province = func.substr(Contract.buyer_region_code, 1, 2)
    # whole numbers before the division: PostgreSQL's EXTRACT is numeric, so (12 + 2) / 3 would be 4.67, stored as 5
    year = cast(extract("year", Contract.registered_on), Integer)
    month = cast(extract("month", Contract.registered_on), Integer)
    quarter = year * 10 + (month + 2) // 3
    grains: dict[str, dict[str, Any]] = {
        "rate": {
            "seller_city": seller_city,
            "seller_kind": Contract.seller_kind,
            "quarter": quarter,
            "same_city": case((seller_city_key == city_sql(Contract.buyer_region_code), True), else_=False),
            "same_province": case((seller_province == buyer_province, True), else_=False),
        },
        "mix": {
            "seller_city": seller_city,
            "seller_kind": Contract.seller_kind,
            "quarter": quarter,
            "type": Contract.type,
            "field": Contract.field,
        },
        "flow": {
            "seller_city": seller_city,
            "seller_kind": Contract.seller_kind,
            "quarter": quarter,
            "seller_province": seller_province,
            "buyer_province": buyer_province,
        },
    }
    keys = grains[grain]
    columns = [expr.label(name) for name, expr in keys.items()]
    return (
        select(
            literal(demo).label("is_demo"),
            literal(grain).label("grain"),
            *columns,
            func.count().label("n"),
            func.sum(Contract.contract_value).label("value"),
            func.sum(Contract.technology_income).label("income"),
            func.count(Contract.technology_income).label("n_income"),
            literal(max_id).label("source_max_id"),
        )
        .where(Contract.is_demo.is_(demo))
        .group_by(*keys.values())
    )


def refresh_rollups(session: Session, *, demo: bool) -> None:
    """Recompute the dashboard rollups of the real (or demo) contracts with three INSERT … SELECT … GROUP BY."""
    session.flush()
    max_id = max_contract_id(session, demo=demo)
    session.execute(delete(ContractRollup).where(ContractRollup.is_demo.is_(demo)))
    for grain in ("rate", "mix", "flow"):
        stmt = _rollup_select(grain, demo, max_id)
        names = [column.name for column in stmt.selected_columns]
        session.execute(insert(ContractRollup).from_select(names, stmt))


ROLLUP_COLUMNS = (
    "grain",
    "seller_city",
    "seller_kind",
    "quarter",
    "same_city",
    "same_province",
    "type",
    "field",
    "seller_province",
    "buyer_province",
    "n",
    "value",
    "income",
)


def list_rollups(session: Session, *, demo: bool, grain: str | None = None) -> list[tuple[Any, ...]]:
    """The stored rollups of the real (or demo) contracts (of one grain when given) as tuples in ROLLUP_COLUMNS
    order (no ORM objects)."""
    columns = [getattr(ContractRollup, name) for name in ROLLUP_COLUMNS]
    stmt = select(*columns).where(ContractRollup.is_demo.is_(demo))
    if grain is not None:
        stmt = stmt.where(ContractRollup.grain == grain)
    return [tuple(row) for row in session.connection().execute(stmt)]


def sum_rollups(
    session: Session,
    *,
    demo: bool,
    grain: str,
    keys: Sequence[str],
    sellers: Sequence[str],
    quarters: tuple[int, int] = (0, 0),
    city_prefix: str = "",
) -> list[tuple[Any, ...]]:
    """(key values…, n, value, income, n_income) of one grain's rollups summed per `keys`, restricted to seller kinds, a
    quarter range (yyyyq, 0 leaves an end open) and a seller region (a province prefix or a city key, `city_of`):
    filtered and summed in SQL, so a filtered
    dashboard reads a few rows however many the rollups hold."""
    group = [getattr(ContractRollup, key) for key in keys]
    sums = (
        func.sum(ContractRollup.n),
        func.sum(ContractRollup.value),
        func.sum(ContractRollup.income),
        func.sum(ContractRollup.n_income),
    )
    stmt = select(*group, *sums).where(
        ContractRollup.is_demo.is_(demo), ContractRollup.grain == grain, ContractRollup.seller_kind.in_(sellers)
    )
    if quarters[0]:
        stmt = stmt.where(ContractRollup.quarter >= quarters[0])
    if quarters[1]:
        stmt = stmt.where(ContractRollup.quarter <= quarters[1])
    if city_prefix:
        stmt = stmt.where(ContractRollup.seller_city.startswith(city_prefix, autoescape=True))
    return [tuple(row) for row in session.connection().execute(stmt.group_by(*group))]


def max_contract_id(session: Session, *, demo: bool) -> int:
    """The newest real (or demo) contract id, 0 when none (an index seek, not a scan)."""
    return int(session.scalar(select(func.max(Contract.id)).where(Contract.is_demo.is_(demo))) or 0)


def rolled_up_max_id(session: Session, *, demo: bool) -> int:
    """The newest contract id the stored rollups cover, 0 when there are none (read from the `rate` grain alone:
    every grain is rebuilt together, and the grain index keeps this to the few thousand rate rows)."""
    stmt = select(func.max(ContractRollup.source_max_id)).where(
        ContractRollup.is_demo.is_(demo), ContractRollup.grain == "rate"
    )
    return int(session.scalar(stmt) or 0)


def list_cases(
    session: Session,
    *,
    broker_id: int | None = None,
    stage: Stage | None = None,
    demo: bool | None = None,
    city_prefix: str = "",
    text: str = "",
    viewer: Viewer | None = None,
) -> Sequence[TransferCase]:
    """Cases, newest first; restricted to one broker, stage, city (code prefix) and/or a text found in the case's
    title, its counterpart (enterprise) name or the title of its achievement (one `viewer` may read) when given."""
    stmt = select(TransferCase).order_by(TransferCase.id.desc())
    if broker_id is not None:
        stmt = stmt.where(TransferCase.broker_id == broker_id)
    if stage is not None:
        stmt = stmt.where(TransferCase.stage == stage)
    if demo is not None:
        stmt = stmt.where(TransferCase.is_demo.is_(demo))
    if city_prefix:
        stmt = stmt.where(TransferCase.city_code.startswith(city_prefix, autoescape=True))
    if text:
        stmt = stmt.where(_case_text_clause(text, viewer))
    return session.scalars(stmt).all()


def _case_text_clause(text: str, viewer: Viewer | None) -> ColumnElement[bool]:
    """Title or counterpart contains `text`, or the case's achievement (readable by `viewer`) does."""
    achievements = select(Achievement.id).where(Achievement.title.contains(text, autoescape=True))
    if viewer is not None:
        achievements = achievements.where(visibility_clause(Achievement, viewer))
    return or_(
        TransferCase.title.contains(text, autoescape=True),
        TransferCase.counterpart_name.contains(text, autoescape=True),
        TransferCase.achievement_id.in_(achievements),
    )


def list_events(session: Session, case_ids: Sequence[int] | None = None) -> Sequence[TransferEvent]:
    """Events in time order (of some cases, or all)."""
    stmt = select(TransferEvent).order_by(TransferEvent.case_id, TransferEvent.at, TransferEvent.id)
    if case_ids is not None:
        stmt = stmt.where(TransferEvent.case_id.in_(case_ids))
    return session.scalars(stmt).all()


def list_pilot_capacities(session: Session, *, trl: int, viewer: Viewer) -> list[tuple[PilotCapacity, Organization]]:
    """(capacity, organization) pairs of the pilot bases `viewer` may see whose TRL range covers `trl`."""
    stmt = (
        select(PilotCapacity, Organization)
        .join(Organization, Organization.id == PilotCapacity.organization_id)
        .where(PilotCapacity.trl_min <= trl, PilotCapacity.trl_max >= trl, visibility_clause(Organization, viewer))
        .order_by(Organization.id)
    )
    return [(row[0], row[1]) for row in session.execute(stmt)]


def capacities_of(session: Session, *, organization_id: int, viewer: Viewer) -> Sequence[PilotCapacity]:
    """The pilot capacities of one base, by id, if `viewer` may see the base."""
    stmt = (
        select(PilotCapacity)
        .join(Organization, Organization.id == PilotCapacity.organization_id)
        .where(PilotCapacity.organization_id == organization_id, visibility_clause(Organization, viewer))
        .order_by(PilotCapacity.id)
    )
    return session.scalars(stmt).all()


def count_pilot_capacities(session: Session, *, viewer: Viewer) -> int:
    """How many pilot capacities of bases `viewer` may see exist, whatever their TRL range."""
    stmt = (
        select(func.count(PilotCapacity.id))
        .join(Organization, Organization.id == PilotCapacity.organization_id)
        .where(visibility_clause(Organization, viewer))
    )
    return int(session.scalar(stmt) or 0)


def get_achievement(session: Session, achievement_id: int, viewer: Viewer) -> Achievement | None:
    """One achievement by id, if `viewer` may read it."""
    stmt = select(Achievement).where(Achievement.id == achievement_id, visibility_clause(Achievement, viewer))
    return session.scalars(stmt).first()


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


def contract_nos_by_registration(session: Session, registrations: Sequence[str]) -> dict[str, str]:
    """registration_no → contract_no of the stored contracts among `registrations`."""
    found: dict[str, str] = {}
    for start in range(0, len(registrations), 500):
        chunk = registrations[start : start + 500]
        stmt = select(Contract.registration_no, Contract.contract_no).where(Contract.registration_no.in_(chunk))
        for registration, number in session.execute(stmt):
            found[str(registration)] = number
    return found
