"""Use cases over the pipeline for the portal and CLI: a viewer's cases with overdue flags and next actions, case
history, bottlenecks from the stored events, and candidate pilot bases for an achievement (TRL 4–7)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from techbridge.access import Viewer
from techbridge.errors import InvalidDataError, NotFoundError, PermissionDeniedError
from techbridge.models import CarrierType, Organization, PilotCapacity, Stage, TransferCase, TransferEvent, User
from techbridge.transfers import queries
from techbridge.transfers.analytics import Bottlenecks, CaseFact, EventFact, compute_bottlenecks
from techbridge.transfers.metrics import is_in_period
from techbridge.transfers.pipeline import days_in_stage, get_case, is_overdue, next_action, now_utc

PILOT_TRL = range(4, 8)


@dataclass(frozen=True)
class CaseView:
    """A case as the workspace lists it."""

    case: TransferCase
    overdue: bool
    days_in_stage: int
    next_action: str


@dataclass(frozen=True)
class CaseFilter:
    """What the workspace filters on: a text (case title, enterprise or achievement title), a stage, a city code
    prefix, stalled (overdue) or not (None: both), and demo-or-real (None: both)."""

    text: str = ""
    stage: Stage | None = None
    city_prefix: str = ""
    stalled: bool | None = None
    demo: bool | None = None


def list_case_views(
    *,
    session: Session,
    viewer: Viewer,
    lang: str = "zh",
    at: datetime | None = None,
    only_overdue: bool = False,
    flt: CaseFilter | None = None,
) -> list[CaseView]:
    """The viewer's cases (all for officers, their own for brokers) under `flt`, open before closed, overdue first,
    then by days in stage."""
    moment = at or now_utc()
    spec = flt or CaseFilter()
    if not (viewer.is_privileged or viewer.is_authenticated):
        return []
    cases = queries.list_cases(
        session,
        broker_id=None if viewer.is_privileged else viewer.user_id,
        stage=spec.stage,
        demo=spec.demo,
        city_prefix=spec.city_prefix,
        text=spec.text.strip(),
        viewer=viewer,
    )
    views = [CaseView(c, is_overdue(c, moment), days_in_stage(c, moment), next_action(c, lang)) for c in cases]
    stalled = True if only_overdue else spec.stalled
    if stalled is not None:
        views = [view for view in views if view.overdue is stalled]
    return sorted(views, key=lambda v: (v.case.stage == Stage.CLOSED, not v.overdue, -v.days_in_stage))


def case_history(*, session: Session, case_id: int, viewer: Viewer) -> tuple[TransferCase, Sequence[TransferEvent]]:
    """A case the viewer may see with its events in time order."""
    case = get_case(session=session, case_id=case_id, viewer=viewer)
    return case, queries.list_events(session, [case.id])


def _broker_names(session: Session, cases: Sequence[TransferCase]) -> dict[int, str]:
    names: dict[int, str] = {}
    for broker_id in {c.broker_id for c in cases if c.broker_id}:
        user = session.get(User, broker_id)
        names[broker_id] = (user.display_name or user.username) if user else str(broker_id)
    return names


@dataclass(frozen=True)
class FunnelScope:
    """The dashboard's filters as they apply to cases: the case's city (the dashboard's city key, a prefix of the
    case's city code), its owner kind (a case whose owner kind is unknown is kept) and the day it was opened (both
    ends inclusive; None leaves an end open)."""

    city_prefix: str = ""
    owner_kinds: tuple[str, ...] = ()
    opened_from: date | None = None
    opened_to: date | None = None

    def keeps(self, case: TransferCase) -> bool:
        """Whether the case is inside the scope."""
        opened = case.created_at.date()
        return (
            (case.city_code or "").startswith(self.city_prefix)
            and (not self.owner_kinds or not case.owner_kind or case.owner_kind in self.owner_kinds)
            and is_in_period(opened, self.opened_from, self.opened_to)
        )


def load_bottlenecks(
    *,
    session: Session,
    by: str | None = None,
    demo: bool = False,
    at: datetime | None = None,
    scope: FunnelScope | None = None,
) -> list[Bottlenecks]:
    """Funnel, time in stage and closing reasons of the stored cases (real or demo) inside `scope`, overall or per
    group."""
    within = scope or FunnelScope()
    cases = [case for case in queries.list_cases(session, demo=demo) if within.keeps(case)]
    names = _broker_names(session, cases)
    facts = [
        CaseFact(
            case_id=c.id,
            stage=Stage(c.stage),
            furthest=Stage(c.last_open_stage),
            closing_reason=c.closing_reason,
            field=c.field,
            city=c.city_code or "",
            owner_kind=c.owner_kind or "",
            broker=names.get(c.broker_id or 0, ""),
        )
        for c in cases
    ]
    events = [
        EventFact(e.case_id, e.kind, Stage(e.to_stage) if e.to_stage else None, e.at)
        for e in queries.list_events(session, [c.id for c in cases])
    ]
    return compute_bottlenecks(facts, events, now=at or now_utc(), by=by)


@dataclass(frozen=True)
class PilotCandidate:
    """A pilot base that could take an achievement to the next TRL, with why."""

    organization: Organization
    capacity: PilotCapacity
    shared_fields: tuple[str, ...]
    is_local: bool


def pilot_candidates(
    *, session: Session, viewer: Viewer, achievement_id: int, home_region: str = "21"
) -> list[PilotCandidate]:
    """Pilot bases the viewer may see whose TRL range covers the TRL of an achievement the viewer may read (only
    TRL 4–7 need a pilot), best field overlap first, then local ones; empty when the TRL is unknown or outside 4–7."""
    achievement = queries.get_achievement(session, achievement_id, viewer)
    if achievement is None:
        raise NotFoundError(f"achievement {achievement_id} not found", message_zh=f"未找到科技成果 {achievement_id}")
    if achievement.trl is None or achievement.trl not in PILOT_TRL:
        return []
    wanted = {tag.strip() for tag in [*achievement.field_tags, *achievement.keywords] if tag.strip()}
    candidates = []
    for capacity, organization in queries.list_pilot_capacities(session, trl=achievement.trl, viewer=viewer):
        shared = tuple(sorted(wanted & set(capacity.fields)))
        local = bool(organization.region_code and organization.region_code.startswith(home_region[:2]))
        candidates.append(PilotCandidate(organization, capacity, shared, local))
    candidates.sort(key=lambda c: (-len(c.shared_fields), not c.is_local, c.organization.id))
    return candidates


@dataclass(frozen=True)
class PilotProposal:
    """The pilot bases proposed for an achievement, its TRL, and why there are none (empty when there are some):
    `trl_unknown`, `trl_outside` (only TRL 4–7 need a pilot), `no_pilot_bases` (none the viewer may see exists at
    all) or `none_covers` (none covers the achievement's TRL)."""

    trl: int | None
    candidates: list[PilotCandidate]
    gap: str


def propose_pilot_bases(
    *, session: Session, viewer: Viewer, achievement_id: int, home_region: str = "21"
) -> PilotProposal:
    """`pilot_candidates` with the achievement's TRL and, when there are none, the plain reason why."""
    candidates = pilot_candidates(
        session=session, viewer=viewer, achievement_id=achievement_id, home_region=home_region
    )
    achievement = queries.get_achievement(session, achievement_id, viewer)
    trl = achievement.trl if achievement is not None else None
    if candidates:
        gap = ""
    elif trl is None:
        gap = "trl_unknown"
    elif trl not in PILOT_TRL:
        gap = "trl_outside"
    else:
        gap = "none_covers" if queries.count_pilot_capacities(session, viewer=viewer) else "no_pilot_bases"
    return PilotProposal(trl, candidates, gap)


def list_capacities(*, session: Session, viewer: Viewer, organization_id: int) -> list[PilotCapacity]:
    """What a pilot base offers (TRL ranges, fields, equipment), if the viewer may see the base."""
    return list(queries.capacities_of(session, organization_id=organization_id, viewer=viewer))


def publish_capacity(
    *,
    session: Session,
    viewer: Viewer,
    organization_id: int,
    fields: Sequence[str],
    trl_min: int = 4,
    trl_max: int = 7,
    equipment: str = "",
    price: str = "",
) -> PilotCapacity:
    """A pilot base (carrier of type pilot_base) publishes a capacity; officers or the base's own users may."""
    organization = session.get(Organization, organization_id)
    if organization is None or organization.carrier_type != CarrierType.PILOT_BASE:
        raise NotFoundError(f"pilot base {organization_id} not found", message_zh=f"未找到中试基地 {organization_id}")
    if not (viewer.is_privileged or viewer.organization_id == organization_id):
        raise PermissionDeniedError("only the base or an officer", message_zh="仅该中试基地或主管部门可发布能力")
    if not 1 <= trl_min <= trl_max <= 9:
        raise InvalidDataError(
            "TRL range must satisfy 1 ≤ min ≤ max ≤ 9",
            location=("trl",),
            message_zh="TRL 范围须满足 1 ≤ 下限 ≤ 上限 ≤ 9",
        )
    capacity = PilotCapacity(
        organization_id=organization_id,
        fields=[f.strip() for f in fields if f.strip()],
        trl_min=trl_min,
        trl_max=trl_max,
        equipment=equipment,
        price=price,
    )
    session.add(capacity)
    session.flush()
    return capacity
