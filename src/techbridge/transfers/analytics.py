"""Bottleneck analytics (卡点、堵点) as pure functions over cases and their events: the funnel (how many cases
reached each stage and the stage-to-stage conversion), time spent in each stage, and closing reasons, overall or
grouped by field, city, owner type or broker.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from statistics import median

from techbridge.models import OPEN_STAGES, EventKind, Stage

DIMENSIONS = ("field", "city", "owner_kind", "broker")


@dataclass(frozen=True, slots=True)
class CaseFact:
    """What the analytics need of a case."""

    case_id: int
    stage: Stage
    furthest: Stage
    closing_reason: str | None
    field: str
    city: str
    owner_kind: str
    broker: str


@dataclass(frozen=True, slots=True)
class EventFact:
    """A stage change of a case (note events are not needed)."""

    case_id: int
    kind: EventKind
    to_stage: Stage | None
    at: datetime


@dataclass(frozen=True, slots=True)
class StageStat:
    """One stage of the funnel: cases that reached it, conversion to the next stage, days spent, closings there."""

    stage: Stage
    reached: int
    conversion_to_next: float | None
    median_days: float | None
    mean_days: float | None
    closed_here: int


@dataclass(frozen=True, slots=True)
class Bottlenecks:
    """The funnel and the closing reasons of one group of cases."""

    group: str
    cases: int
    stages: tuple[StageStat, ...]
    closing_reasons: tuple[tuple[str, int], ...] = field(default=())

    @property
    def worst_stage(self) -> Stage | None:
        """The stage with the lowest conversion to the next (the main 卡点), if any case got that far."""
        rated = [s for s in self.stages if s.conversion_to_next is not None and s.reached]
        if not rated:
            return None
        return min(rated, key=lambda s: (s.conversion_to_next or 0.0, OPEN_STAGES.index(s.stage))).stage


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def stage_durations(events: Iterable[EventFact], now: datetime) -> dict[int, list[tuple[Stage, float]]]:
    """Per case, (stage, days spent) for each stay before production or closing; an open stay counts up to `now`."""
    by_case: dict[int, list[EventFact]] = defaultdict(list)
    for event in events:
        if event.kind is not EventKind.NOTE and event.to_stage is not None:
            by_case[event.case_id].append(event)
    stays: dict[int, list[tuple[Stage, float]]] = {}
    for case_id, items in by_case.items():
        items.sort(key=lambda e: _aware(e.at))
        result: list[tuple[Stage, float]] = []
        for current, following in zip(items, [*items[1:], None], strict=True):
            if current.to_stage in (Stage.CLOSED, Stage.PRODUCING, None):
                continue  # terminal stages are outcomes, not places where a case waits
            end = _aware(following.at) if following else now
            result.append((current.to_stage, (end - _aware(current.at)).total_seconds() / 86400))
        stays[case_id] = result
    return stays


def _funnel(cases: Sequence[CaseFact], stays: dict[int, list[tuple[Stage, float]]]) -> tuple[StageStat, ...]:
    index = {stage: i for i, stage in enumerate(OPEN_STAGES)}
    reached = [sum(1 for c in cases if index[c.furthest] >= i) for i in range(len(OPEN_STAGES))]
    closed_at = Counter(c.furthest for c in cases if c.stage is Stage.CLOSED)
    days: dict[Stage, list[float]] = defaultdict(list)
    for case in cases:
        for stage, stay in stays.get(case.case_id, []):
            days[stage].append(stay)
    stats = []
    for i, stage in enumerate(OPEN_STAGES):
        following = reached[i + 1] if i + 1 < len(OPEN_STAGES) else None
        conversion = following / reached[i] if following is not None and reached[i] else None
        spent = days.get(stage, [])
        stats.append(
            StageStat(
                stage=stage,
                reached=reached[i],
                conversion_to_next=conversion,
                median_days=round(median(spent), 1) if spent else None,
                mean_days=round(sum(spent) / len(spent), 1) if spent else None,
                closed_here=closed_at.get(stage, 0),
            )
        )
    return tuple(stats)


def compute_bottlenecks(
    cases: Sequence[CaseFact], events: Iterable[EventFact], *, now: datetime, by: str | None = None
) -> list[Bottlenecks]:
    """The funnel of all cases (`by` None) or one per group of `by` (field, city, owner_kind, broker), by group."""
    if by is not None and by not in DIMENSIONS:
        raise ValueError(f"unknown dimension {by!r}")
    stays = stage_durations(events, now)
    groups: dict[str, list[CaseFact]] = defaultdict(list)
    for case in cases:
        groups[getattr(case, by) or "—" if by else "all"].append(case)
    result = []
    for name in sorted(groups):
        members = groups[name]
        reasons = Counter(c.closing_reason for c in members if c.closing_reason)
        result.append(
            Bottlenecks(
                group=name,
                cases=len(members),
                stages=_funnel(members, stays),
                closing_reasons=tuple(sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))),
            )
        )
    return result
