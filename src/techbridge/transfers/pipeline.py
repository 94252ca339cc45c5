"""The transfer pipeline state machine: matched → contacted → negotiating → contracted → piloting → producing, or
closed with a reason. Every change writes a TransferEvent (who, when, note); skipping stages needs an explicit
decision (skip flag + reason) that is recorded; anything else raises ConflictError in Chinese and English.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from techbridge.access import Viewer
from techbridge.errors import ConflictError, InvalidDataError, NotFoundError, PermissionDeniedError
from techbridge.models import OPEN_STAGES, EventKind, Role, Stage, TransferCase, TransferEvent
from techbridge.transfers.loader import load_stage_config
from techbridge.transfers.metrics import city_of

STAGE_ZH = {
    "matched": "已匹配",
    "contacted": "已联系",
    "negotiating": "洽谈中",
    "contracted": "已签约",
    "piloting": "中试中",
    "producing": "已投产",
    "closed": "已关闭",
}


@dataclass(frozen=True)
class StageRule:
    """One open stage: its position, overdue limit and next action."""

    stage: Stage
    index: int
    overdue_days: int | None
    next_action_zh: str
    next_action_en: str


def stage_rules() -> list[StageRule]:
    """The ordered open stages from data/transfers/stages.yaml, checked against the Stage enum."""
    rules = []
    for index, item in enumerate(load_stage_config()["stages"]):
        try:
            stage = Stage(item["id"])
        except ValueError as exc:
            raise InvalidDataError(f"unknown stage {item['id']!r}", location=("stages.yaml", index)) from exc
        days = item.get("overdue_days")
        action = item.get("next_action", {})
        rules.append(StageRule(stage, index, int(days) if days else None, action.get("zh", ""), action.get("en", "")))
    if tuple(rule.stage for rule in rules) != OPEN_STAGES:
        raise InvalidDataError("stages must list every open stage in order", location=("stages.yaml",))
    return rules


def closing_reasons() -> dict[str, dict[str, str]]:
    """Closing reason id → {zh, en} label."""
    reasons: dict[str, dict[str, str]] = load_stage_config()["closing_reasons"]
    return reasons


def _rule(stage: Stage) -> StageRule:
    return next(rule for rule in stage_rules() if rule.stage == stage)


def now_utc() -> datetime:
    """The current time (tests pass their own `at`)."""
    return datetime.now(UTC)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def is_overdue(case: TransferCase, at: datetime | None = None) -> bool:
    """An open case that has stayed in its stage longer than the stage's overdue days."""
    if case.stage in (Stage.CLOSED, Stage.PRODUCING):
        return False
    days = _rule(Stage(case.stage)).overdue_days
    return days is not None and (at or now_utc()) - _aware(case.stage_entered_at) > timedelta(days=days)


def days_in_stage(case: TransferCase, at: datetime | None = None) -> int:
    """Whole days since the case entered its current stage."""
    return ((at or now_utc()) - _aware(case.stage_entered_at)).days


def next_action(case: TransferCase, lang: str = "zh") -> str:
    """What the broker should do next in the case's stage (empty for closed cases)."""
    if case.stage == Stage.CLOSED:
        return ""
    rule = _rule(Stage(case.stage))
    return rule.next_action_zh if lang == "zh" else rule.next_action_en


def can_see_case(case: TransferCase, viewer: Viewer) -> bool:
    """Officers and admins see every case; a broker sees the cases assigned to them; the parties of a case opened
    from a 对接 request see that case."""
    if viewer.is_privileged:
        return True
    return viewer.user_id is not None and (case.broker_id == viewer.user_id or viewer.user_id in (case.party_ids or []))


def _require_manager(viewer: Viewer) -> None:
    if not (viewer.is_privileged or viewer.role == Role.BROKER):
        raise PermissionDeniedError(
            "only brokers and officers manage cases", message_zh="仅技术经理人和主管部门可操作转化案例"
        )


def get_case(*, session: Session, case_id: int, viewer: Viewer) -> TransferCase:
    """A case the viewer may see, else NotFoundError."""
    case = session.get(TransferCase, case_id)
    if case is None or not can_see_case(case, viewer):
        raise NotFoundError(f"transfer case {case_id} not found", message_zh=f"未找到转化案例 {case_id}")
    return case


def _event(session: Session, case: TransferCase, viewer: Viewer, at: datetime, **values: object) -> TransferEvent:
    event = TransferEvent(case_id=case.id, actor_id=viewer.user_id or None, at=at, **values)
    session.add(event)
    return event


@dataclass(frozen=True)
class CaseCreate:
    """What a new case needs; field, city and owner kind feed the bottleneck analytics."""

    title: str
    achievement_id: int | None = None
    demand_id: int | None = None
    counterpart_id: int | None = None
    counterpart_name: str = ""
    broker_id: int | None = None
    field: str = ""
    city_code: str | None = None
    owner_kind: str | None = None
    note: str = ""
    is_demo: bool = False


def case_city(code: str | None) -> str | None:
    """The city a case is filed under: the city key of a region code (`metrics.city_of`, as the rate's city scope
    and the dashboard's city filter name it: 2101 for 和平区, 11 for 海淀区, 429004 for 仙桃), or the code cut to 4
    digits when it lies in no one city (a province, 湖北's 省直辖县级行政区划 4290); None for no code."""
    if not code:
        return None
    return city_of(code) or code[:4]


def create_case(
    *, session: Session, data: CaseCreate, viewer: Viewer, actor_name: str = "", at: datetime | None = None
) -> TransferCase:
    """Open a case at `matched`; a broker who creates a case without naming a broker takes it."""
    _require_manager(viewer)
    return _open_case(session=session, data=data, viewer=viewer, actor_name=actor_name, at=at)


def _open_case(
    *, session: Session, data: CaseCreate, viewer: Viewer, actor_name: str = "", at: datetime | None = None
) -> TransferCase:
    if not data.title.strip():
        raise InvalidDataError("a case needs a title", location=("title",), message_zh="案例需要标题")
    moment = at or now_utc()
    broker_id = data.broker_id
    if broker_id is None and viewer.role == Role.BROKER:
        broker_id = viewer.user_id
    case = TransferCase(
        title=data.title.strip(),
        achievement_id=data.achievement_id,
        demand_id=data.demand_id,
        counterpart_id=data.counterpart_id,
        counterpart_name=data.counterpart_name,
        broker_id=broker_id,
        field=data.field,
        city_code=case_city(data.city_code),
        owner_kind=data.owner_kind,
        stage=Stage.MATCHED,
        last_open_stage=Stage.MATCHED,
        stage_entered_at=moment,
        is_demo=data.is_demo,
        created_at=moment,
    )
    session.add(case)
    session.flush()
    _event(
        session,
        case,
        viewer,
        moment,
        kind=EventKind.CREATED,
        to_stage=Stage.MATCHED,
        note=data.note,
        actor_name=actor_name,
    )
    session.flush()
    return case


def open_contacted_case(
    *, session: Session, data: CaseCreate, party_ids: list[int], viewer: Viewer, actor_name: str = ""
) -> TransferCase:
    """A case opened by an accepted 对接 request (the owner accepting needs no broker role): created with the
    request as its first event, then at 「已联系」, visible to both parties."""
    moment = now_utc()
    case = _open_case(session=session, data=data, viewer=viewer, actor_name=actor_name, at=moment)
    case.party_ids = sorted(set(party_ids))
    _event(session, case, viewer, moment, kind=EventKind.ADVANCED, from_stage=Stage.MATCHED,
           to_stage=Stage.CONTACTED, note="", actor_name=actor_name)  # fmt: skip
    case.stage = case.last_open_stage = Stage.CONTACTED
    session.flush()
    return case


def _refuse_terminal(case: TransferCase, action_en: str, action_zh: str) -> None:
    if case.stage in (Stage.CLOSED, Stage.PRODUCING):
        stage = Stage(case.stage)
        raise ConflictError(
            f"case {case.id} is {stage}; it cannot be {action_en}",
            message_zh=f"案例 {case.id} 处于“{STAGE_ZH[stage]}”状态，不能{action_zh}",
        )


def parse_stage(value: str | None, field: str = "to") -> Stage | None:
    """The target stage a form or an API body names (blank: the next one); an unknown one is an error on `field`
    naming the open stages."""
    if not value:
        return None
    if value not in Stage.__members__.values():
        allowed = ", ".join(OPEN_STAGES)
        raise InvalidDataError(
            f"unknown stage {value[:40]!r}; use one of {allowed}",
            location=(field,),
            message_zh=f"未知的目标阶段“{value[:40]}”，可选：{allowed}",
        )
    return Stage(value)


def _check_target(case: TransferCase, target: Stage, skip: bool, reason: str) -> list[Stage]:
    """The stages jumped over on the way to `target`; raises when the move is illegal."""
    order = [rule.stage for rule in stage_rules()]
    current = order.index(Stage(case.stage))
    wanted = order.index(target)
    if wanted <= current:
        raise ConflictError(
            f"cannot move case {case.id} from {case.stage} back or sideways to {target}",
            message_zh=f"案例 {case.id} 不能从“{STAGE_ZH[case.stage]}”退回或停留到“{STAGE_ZH[target]}”",
        )
    skipped = order[current + 1 : wanted]
    if skipped and not skip:
        names = ", ".join(skipped)
        raise ConflictError(
            f"moving case {case.id} from {case.stage} to {target} skips {names}; record it as a skip with a reason",
            message_zh=f"从“{STAGE_ZH[case.stage]}”到“{STAGE_ZH[target]}”将跳过"
            f"{'、'.join(STAGE_ZH[s] for s in skipped)}，须作为跳过决定记录并说明理由",
        )
    if skipped and not reason.strip():
        raise InvalidDataError("a skip needs a reason", location=("reason",), message_zh="跳过阶段必须说明理由")
    return skipped


def advance_case(
    *,
    session: Session,
    case_id: int,
    viewer: Viewer,
    to: Stage | None = None,
    skip: bool = False,
    reason: str = "",
    note: str = "",
    actor_name: str = "",
    at: datetime | None = None,
) -> TransferCase:
    """Move a case to the next stage (or to `to`, skipping stages only with `skip` and a `reason`)."""
    _require_manager(viewer)
    case = get_case(session=session, case_id=case_id, viewer=viewer)
    _refuse_terminal(case, "advanced", "推进")
    order = [rule.stage for rule in stage_rules()]
    target = to or order[order.index(Stage(case.stage)) + 1]
    if target == Stage.CLOSED:
        raise ConflictError("use close to close a case", message_zh="关闭案例请使用“关闭”操作并选择原因")
    skipped = _check_target(case, target, skip, reason)
    moment = at or now_utc()
    _event(
        session,
        case,
        viewer,
        moment,
        kind=EventKind.SKIPPED if skipped else EventKind.ADVANCED,
        from_stage=case.stage,
        to_stage=target,
        note=(reason.strip() + ("\n" + note if note else "")) if skipped else note,
        skipped=[str(stage) for stage in skipped],
        actor_name=actor_name,
    )
    case.stage = target
    case.last_open_stage = target
    case.stage_entered_at = moment
    session.flush()
    return case


def close_case(
    *,
    session: Session,
    case_id: int,
    viewer: Viewer,
    reason: str,
    note: str = "",
    actor_name: str = "",
    at: datetime | None = None,
) -> TransferCase:
    """Close an open case with one of the configured closing reasons."""
    _require_manager(viewer)
    case = get_case(session=session, case_id=case_id, viewer=viewer)
    _refuse_terminal(case, "closed", "关闭")
    reasons = closing_reasons()
    if reason not in reasons:
        allowed = ", ".join(reasons)
        raise InvalidDataError(
            f"unknown closing reason {reason!r}; use one of {allowed}",
            location=("reason",),
            message_zh=f"未知的关闭原因“{reason}”，可选：{allowed}",
        )
    moment = at or now_utc()
    _event(
        session,
        case,
        viewer,
        moment,
        kind=EventKind.CLOSED,
        from_stage=case.stage,
        to_stage=Stage.CLOSED,
        reason=reason,
        note=note,
        actor_name=actor_name,
    )
    case.stage = Stage.CLOSED
    case.closing_reason = reason
    case.stage_entered_at = moment
    session.flush()
    return case


def add_note(
    *, session: Session, case_id: int, viewer: Viewer, note: str, actor_name: str = "", at: datetime | None = None
) -> TransferEvent:
    """Record a note on a case without changing its stage."""
    _require_manager(viewer)
    case = get_case(session=session, case_id=case_id, viewer=viewer)
    if not note.strip():
        raise InvalidDataError("empty note", location=("note",), message_zh="备注不能为空")
    event = _event(
        session,
        case,
        viewer,
        at or now_utc(),
        kind=EventKind.NOTE,
        from_stage=case.stage,
        to_stage=case.stage,
        note=note.strip(),
        actor_name=actor_name,
    )
    session.flush()
    return event
