"""Bottleneck analytics on hand-made cases: funnel, conversion, time in stage, closing reasons, groups."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from techbridge.models import EventKind, Stage
from techbridge.transfers.analytics import CaseFact, EventFact, compute_bottlenecks

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def fact(case_id: int, stage: Stage, furthest: Stage, reason: str | None = None, field: str = "材料") -> CaseFact:
    return CaseFact(case_id, stage, furthest, reason, field, "2101", "university", "alice")


CASES = [
    fact(1, Stage.PRODUCING, Stage.PRODUCING),
    fact(2, Stage.CLOSED, Stage.NEGOTIATING, "price"),
    fact(3, Stage.CLOSED, Stage.CONTACTED, "lost_contact", field="装备"),
    fact(4, Stage.CONTACTED, Stage.CONTACTED, field="装备"),
]
EVENTS = [
    EventFact(1, EventKind.CREATED, Stage.MATCHED, T0),
    EventFact(1, EventKind.SKIPPED, Stage.PRODUCING, T0 + timedelta(days=10)),
    EventFact(2, EventKind.CREATED, Stage.MATCHED, T0),
    EventFact(2, EventKind.ADVANCED, Stage.CONTACTED, T0 + timedelta(days=4)),
    EventFact(2, EventKind.ADVANCED, Stage.NEGOTIATING, T0 + timedelta(days=6)),
    EventFact(2, EventKind.CLOSED, Stage.CLOSED, T0 + timedelta(days=36)),
]


class TestComputeBottlenecks:
    def test_funnel_counts_cases_by_furthest_stage(self) -> None:
        (overall,) = compute_bottlenecks(CASES, EVENTS, now=T0 + timedelta(days=40))
        reached = {s.stage: s.reached for s in overall.stages}
        assert reached[Stage.MATCHED] == 4
        assert reached[Stage.CONTACTED] == 4
        assert reached[Stage.NEGOTIATING] == 2
        assert reached[Stage.CONTRACTED] == 1
        conversion = {s.stage: s.conversion_to_next for s in overall.stages}
        assert conversion[Stage.CONTACTED] == 0.5
        assert overall.worst_stage == Stage.CONTACTED

    def test_time_in_stage_uses_the_events(self) -> None:
        (overall,) = compute_bottlenecks(CASES, EVENTS, now=T0 + timedelta(days=40))
        days = {s.stage: s.median_days for s in overall.stages}
        assert days[Stage.MATCHED] == 7.0  # case 1: 10 days, case 2: 4 days
        assert days[Stage.NEGOTIATING] == 30.0

    def test_closing_reasons_and_where_cases_closed(self) -> None:
        (overall,) = compute_bottlenecks(CASES, EVENTS, now=T0)
        assert dict(overall.closing_reasons) == {"price": 1, "lost_contact": 1}
        closed = {s.stage: s.closed_here for s in overall.stages}
        assert (closed[Stage.NEGOTIATING], closed[Stage.CONTACTED]) == (1, 1)

    def test_grouped_by_field(self) -> None:
        groups = compute_bottlenecks(CASES, EVENTS, now=T0, by="field")
        assert [(g.group, g.cases) for g in groups] == [("材料", 2), ("装备", 2)]
