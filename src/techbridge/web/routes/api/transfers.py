"""JSON API: the local conversion rate and turnover over the registry's contracts, the viewer's cases, and the case
writes the portal and the CLI make (open, advance, close, note) over the same `transfers.pipeline` functions with
the same checks: brokers and officers only, and a case the caller may not see answers as a missing one."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any, TypeVar

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field, JsonValue
from sqlalchemy.orm import Session

from techbridge.access import Viewer
from techbridge.errors import InvalidDataError
from techbridge.models import OPEN_STAGES, TransferEvent
from techbridge.registry.pickers import region_display, resolve_id, resolve_region, visible_title
from techbridge.statistics.service import official_figures
from techbridge.transfers.metrics import (
    TURNOVER_GROUPINGS,
    compute_local_conversion,
    compute_turnover,
    definition_params,
    describe_definition,
    json_number,
    region_key,
    region_prefix,
    turnover_json,
)
from techbridge.transfers.pipeline import (
    CaseCreate,
    add_note,
    advance_case,
    close_case,
    closing_reasons,
    create_case,
    next_action,
    parse_stage,
)
from techbridge.transfers.queries import iter_contract_facts
from techbridge.transfers.schemas import Amount, Basis, ContractType, ConversionDefinition, PartyKind, Scope
from techbridge.transfers.service import case_history, list_case_views
from techbridge.web.deps import MAX_ID, DbDep, IdPath, LangDep, OfficerDep, SettingsDep, SignedInDep
from techbridge.web.routes.api.errors import CONFLICT
from techbridge.web.routes.api.registry import ERRORS, WRITE_DEPS, WRITE_ERRORS

router = APIRouter(tags=["transfers"])
CHANGE_ERRORS = {**WRITE_ERRORS, **CONFLICT}
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
            definition,
            lang,
            region_display(session, region_key(definition), lang),
            unlocated_buyers=result.unlocated_buyers,
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


class CaseEventRead(BaseModel):
    """One change of a case: who, when, from which stage to which, the note, skipped stages, closing reason."""

    model_config = ConfigDict(populate_by_name=True)

    id: int
    kind: str
    from_stage: str | None = Field(serialization_alias="from")
    to_stage: str | None = Field(serialization_alias="to")
    at: datetime
    by: str
    note: str
    reason: str | None
    skipped: list[str]


class CaseRead(BaseModel):
    """A case as its page shows it: stage, counterpart, field, the achievement's title when the caller may read it
    (else only its id), city, closing reason, the next action, and its history."""

    id: int
    title: str
    stage: str
    closing_reason: str | None
    counterpart_name: str
    field: str
    achievement_id: int | None
    achievement_title: str | None = Field(description="null when the caller may not read the achievement")
    city_code: str | None
    broker_id: int | None
    is_demo: bool
    next_action: str
    events: list[CaseEventRead]


class CaseBody(BaseModel):
    """A new case, as the workspace's form takes it (brokers and officers; a broker takes the case)."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(max_length=255)
    counterpart_name: str = Field("", max_length=255)
    achievement_id: int | None = Field(None, ge=1, le=MAX_ID, description="an achievement the caller may read")
    field: str = Field("", max_length=64)
    city: str | None = Field(None, max_length=64, description="a city or province by code or name (大连, 2102)")
    note: str = Field("", max_length=20_000)


TARGET_STAGES: list[JsonValue] = [*(str(stage) for stage in OPEN_STAGES), None]
"""What `to` may name (null: the next stage); anything else is a 422 from `pipeline.parse_stage`."""


class AdvanceBody(BaseModel):
    """Move a case on: to the next stage, or to `to` (jumping over stages only with `skip` and a `reason`)."""

    model_config = ConfigDict(extra="forbid")

    to: str | None = Field(
        None,
        max_length=40,
        description="target stage (default: the next one)",
        json_schema_extra={"enum": TARGET_STAGES},
    )
    skip: bool = False
    reason: str = Field("", max_length=2_000, description="why stages are skipped (needed with skip)")
    note: str = Field("", max_length=20_000)


class CloseBody(BaseModel):
    """Close a case with one of the configured reasons (`data/transfers/stages.yaml`)."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Field(max_length=32, json_schema_extra={"enum": list(closing_reasons())})
    note: str = Field("", max_length=20_000)


class NoteBody(BaseModel):
    """A note on a case (its stage unchanged)."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(max_length=20_000)


def _event_read(event: TransferEvent) -> CaseEventRead:
    return CaseEventRead(
        id=event.id,
        kind=str(event.kind),
        from_stage=event.from_stage,
        to_stage=event.to_stage,
        at=event.at,
        by=event.actor_name,
        note=event.note,
        reason=event.reason,
        skipped=list(event.skipped or []),
    )


def _case_read(session: Session, viewer: Viewer, case_id: int, lang: str) -> CaseRead:
    """The case with its history as `viewer` may see it."""
    item, events = case_history(session=session, case_id=case_id, viewer=viewer)
    return CaseRead(
        id=item.id,
        title=item.title,
        stage=str(item.stage),
        closing_reason=item.closing_reason,
        counterpart_name=item.counterpart_name,
        field=item.field,
        achievement_id=item.achievement_id,
        achievement_title=visible_title(session, viewer, item.achievement_id),
        city_code=item.city_code,
        broker_id=item.broker_id,
        is_demo=item.is_demo,
        next_action=next_action(item, lang),
        events=[_event_read(e) for e in events],
    )


def _actor(request: Request) -> str:
    """The name a change is recorded under (the session's, as the portal records it)."""
    name = request.session.get("username")
    return str(name) if name else ""


@router.get("/transfers/cases/{case_id}", response_model=CaseRead, responses=ERRORS)
def case(case_id: IdPath, session: DbDep, viewer: SignedInDep, lang: LangDep) -> CaseRead:
    """A case with its events (its broker, its parties and officers; anyone else gets the 404 of a missing case)."""
    return _case_read(session, viewer, case_id, lang)


@router.post(
    "/transfers/cases", response_model=CaseRead, status_code=201, responses=WRITE_ERRORS, dependencies=WRITE_DEPS
)
def create(request: Request, session: DbDep, viewer: SignedInDep, lang: LangDep, body: CaseBody) -> CaseRead:
    """Open a case at 「已匹配」 (brokers and officers; signed-in session + `X-CSRF-Token`): an achievement the
    caller may not read (or none) or a city naming no region is a 422 naming the field."""
    data = CaseCreate(
        title=body.title,
        counterpart_name=body.counterpart_name,
        achievement_id=None
        if body.achievement_id is None
        else resolve_id(session, viewer, "achievement", body.achievement_id, "achievement_id"),
        field=body.field.strip(),
        city_code=resolve_region(session, body.city, "city") if body.city and body.city.strip() else None,
        note=body.note,
    )
    made = create_case(session=session, data=data, viewer=viewer, actor_name=_actor(request))
    return _case_read(session, viewer, made.id, lang)


@router.post(
    "/transfers/cases/{case_id}/advance", response_model=CaseRead, responses=CHANGE_ERRORS, dependencies=WRITE_DEPS
)
def advance(
    request: Request, case_id: IdPath, session: DbDep, viewer: SignedInDep, lang: LangDep, body: AdvanceBody
) -> CaseRead:
    """Move the case on (its broker and officers; another broker gets the 404 of a missing case): an unknown stage
    or a skip without a reason is a 422; moving back, jumping ahead without `skip`, or moving a closed or producing
    case is a 409."""
    advance_case(
        session=session,
        case_id=case_id,
        viewer=viewer,
        to=parse_stage(body.to),
        skip=body.skip,
        reason=body.reason,
        note=body.note,
        actor_name=_actor(request),
    )
    return _case_read(session, viewer, case_id, lang)


@router.post(
    "/transfers/cases/{case_id}/close", response_model=CaseRead, responses=CHANGE_ERRORS, dependencies=WRITE_DEPS
)
def close(
    request: Request, case_id: IdPath, session: DbDep, viewer: SignedInDep, lang: LangDep, body: CloseBody
) -> CaseRead:
    """Close the case with a reason (its broker and officers): an unknown reason is a 422, a closed or producing
    case a 409."""
    close_case(
        session=session, case_id=case_id, viewer=viewer, reason=body.reason, note=body.note, actor_name=_actor(request)
    )
    return _case_read(session, viewer, case_id, lang)


@router.post(
    "/transfers/cases/{case_id}/note",
    response_model=CaseEventRead,
    status_code=201,
    responses=WRITE_ERRORS,
    dependencies=WRITE_DEPS,
)
def note(request: Request, case_id: IdPath, session: DbDep, viewer: SignedInDep, body: NoteBody) -> CaseEventRead:
    """Add a note (its broker and officers): an empty one is a 422."""
    event = add_note(session=session, case_id=case_id, viewer=viewer, note=body.text, actor_name=_actor(request))
    return _event_read(event)
