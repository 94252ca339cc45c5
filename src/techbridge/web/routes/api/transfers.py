"""JSON API: the local conversion rate and turnover over the registry's contracts, and the viewer's cases."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any, TypeVar

from fastapi import APIRouter, Query

from techbridge.errors import InvalidDataError
from techbridge.registry.pickers import region_display
from techbridge.statistics.service import official_figures
from techbridge.transfers.metrics import (
    TURNOVER_GROUPINGS,
    compute_local_conversion,
    compute_turnover,
    definition_params,
    describe_definition,
    json_number,
    region_prefix,
    turnover_json,
)
from techbridge.transfers.queries import iter_contract_facts
from techbridge.transfers.schemas import Amount, Basis, ContractType, ConversionDefinition, PartyKind, Scope
from techbridge.transfers.service import case_history, list_case_views
from techbridge.web.deps import DbDep, IdPath, LangDep, OfficerDep, SettingsDep, SignedInDep

router = APIRouter(tags=["transfers"])
E = TypeVar("E", bound=StrEnum)


def _choices(raw: str, kind: type[E], name: str) -> tuple[E, ...]:
    """Comma-separated enum values; an unknown one is a 422 naming the parameter and the allowed values."""
    allowed = [member.value for member in kind]
    chosen = [part for part in raw.split(",") if part]
    for part in chosen:
        if part not in allowed:
            raise InvalidDataError(
                f"unknown value {part!r}; allowed: {', '.join(allowed)}",
                location=("query", name),
                message_zh=f"无法识别的取值“{part}”，可选：{'、'.join(allowed)}",
            )
    return tuple(kind(part) for part in chosen)


@router.get("/metrics/local-conversion")
def local_conversion(
    session: DbDep,
    lang: LangDep,
    _: OfficerDep,
    region: str = Query(..., description="2-, 4- or 6-digit division code"),
    basis: Basis = Basis.VALUE,
    scope: Scope = Scope.PROVINCE,
    amount: Amount = Amount.CONTRACT_VALUE,
    sellers: str = "university,institute",
    type: str = "",
    field: str = "",
    date_from: date | None = Query(None, alias="from"),
    date_to: date | None = Query(None, alias="to"),
    demo: bool = False,
) -> dict[str, Any]:
    """`{rate, numerator, denominator, definition, unvalued_contracts, unlocated_buyers}` as the CLI prints it (real
    contracts unless demo=true)."""
    definition = ConversionDefinition(
        region=region,
        basis=basis,
        scope=scope,
        amount=amount,
        sellers=_choices(sellers, PartyKind, "sellers"),
        types=_choices(type, ContractType, "type"),
        fields=tuple(s for s in field.split(",") if s),
        date_from=date_from,
        date_to=date_to,
    )
    result = compute_local_conversion(iter_contract_facts(session, demo=demo), definition)
    return {
        "rate": None if result.rate is None else round(float(result.rate), 10),
        "numerator": json_number(result.numerator),
        "denominator": json_number(result.denominator),
        "definition": describe_definition(
            definition, lang, region_display(session, definition.prefix), unlocated_buyers=result.unlocated_buyers
        ),
        "definition_params": definition_params(definition),
        "unvalued_contracts": list(result.unvalued),
        "unlocated_buyers": result.unlocated_buyers,
        "demo": demo,
    }


@router.get("/metrics/official")
def official(
    session: DbDep,
    settings: SettingsDep,
    viewer: OfficerDep,
    year: int = Query(..., ge=1949, le=2100, description="yearbook year"),
    region: str | None = Query(None, pattern=r"^\d{2}$", description="province code (default: the home province)"),
) -> dict[str, Any]:
    """Officers: a province's technology-market figures (中国科技统计年鉴) for a year, as `metrics official --json`
    prints them: 输出 and 吸纳 in 万元 and 项, the 输出 rank among provinces, the source."""
    code = region or settings.region_code[:2]
    return official_figures(session=session, viewer=viewer, region_code=code, year=year)


@router.get("/metrics/turnover")
def turnover(
    session: DbDep,
    _: OfficerDep,
    region: str,
    by: str = ",".join(TURNOVER_GROUPINGS),
    sellers: str = Query("", description="seller kinds counted, comma-separated (default: all)"),
    date_from: date | None = Query(None, alias="from"),
    date_to: date | None = Query(None, alias="to"),
    demo: bool = False,
) -> dict[str, Any]:
    """Turnover groups (count, contract_value, technology_income in 万元) by type, field, flow, quarter and party
    type (`output.<seller kind>`, `absorb.<buyer kind>`); type `transfer` includes licences, listed under its
    `of_which`."""
    prefix = region_prefix(region)
    chosen = _choices(sellers, PartyKind, "sellers")
    facts = iter_contract_facts(session, demo=demo)
    tables = compute_turnover(
        facts, region=prefix, by=by.split(","), date_from=date_from, date_to=date_to, sellers=chosen
    )
    return {
        "region": prefix,
        "sellers": [str(kind) for kind in chosen],
        "groups": {name: turnover_json(rows) for name, rows in tables.items()},
        "demo": demo,
    }


@router.get("/transfers/cases")
def cases(session: DbDep, viewer: SignedInDep, lang: LangDep, overdue: bool = False) -> list[dict[str, Any]]:
    """The viewer's cases with overdue flags and next actions."""
    return [
        {
            "id": v.case.id,
            "title": v.case.title,
            "stage": v.case.stage,
            "overdue": v.overdue,
            "days_in_stage": v.days_in_stage,
            "next_action": v.next_action,
            "broker_id": v.case.broker_id,
        }
        for v in list_case_views(session=session, viewer=viewer, lang=lang, only_overdue=overdue)
    ]


@router.get("/transfers/cases/{case_id}")
def case(case_id: IdPath, session: DbDep, viewer: SignedInDep) -> dict[str, Any]:
    """A case with its events."""
    item, events = case_history(session=session, case_id=case_id, viewer=viewer)
    return {
        "id": item.id,
        "title": item.title,
        "stage": item.stage,
        "closing_reason": item.closing_reason,
        "events": [
            {
                "kind": e.kind,
                "from": e.from_stage,
                "to": e.to_stage,
                "at": e.at.isoformat(),
                "by": e.actor_name,
                "note": e.note,
                "skipped": e.skipped,
            }
            for e in events
        ],
    }
