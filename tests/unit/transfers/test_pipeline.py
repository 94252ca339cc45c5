"""The pipeline state machine on a real database: legal moves, recorded skips, closings, refusals, overdue rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from techbridge.access import SYSTEM
from techbridge.accounts.service import create_user, viewer_for
from techbridge.errors import ConflictError, InvalidDataError, NotFoundError, PermissionDeniedError
from techbridge.models import EventKind, Role, Stage, TransferEvent
from techbridge.transfers.pipeline import (
    CaseCreate,
    add_note,
    advance_case,
    close_case,
    create_case,
    is_overdue,
    next_action,
)
from techbridge.transfers.service import list_case_views

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def new_case(session: Session, **kwargs: object) -> int:
    case = create_case(session=session, data=CaseCreate(title="高镍正极材料中试转化", **kwargs), viewer=SYSTEM, at=T0)  # type: ignore[arg-type]
    return case.id


def events(session: Session, case_id: int) -> list[TransferEvent]:
    stmt = select(TransferEvent).where(TransferEvent.case_id == case_id).order_by(TransferEvent.id)
    return list(session.scalars(stmt))


class TestAdvanceCase:
    def test_walks_every_stage_to_production_with_an_event_each(self, session: Session) -> None:
        case_id = new_case(session)
        for day, stage in enumerate(
            [Stage.CONTACTED, Stage.NEGOTIATING, Stage.CONTRACTED, Stage.PILOTING, Stage.PRODUCING], start=1
        ):
            case = advance_case(session=session, case_id=case_id, viewer=SYSTEM, at=T0 + timedelta(days=day))
            assert case.stage == stage
        kinds = [(e.kind, e.from_stage, e.to_stage) for e in events(session, case_id)]
        assert kinds[0] == (EventKind.CREATED, None, Stage.MATCHED)
        assert kinds[-1] == (EventKind.ADVANCED, Stage.PILOTING, Stage.PRODUCING)
        assert len(kinds) == 6

    def test_jumping_ahead_without_skip_is_a_conflict(self, session: Session) -> None:
        case_id = new_case(session)
        with pytest.raises(ConflictError) as raised:
            advance_case(session=session, case_id=case_id, viewer=SYSTEM, to=Stage.CONTRACTED)
        assert "skips contacted, negotiating" in raised.value.message
        assert raised.value.message_zh is not None
        assert "跳过" in raised.value.message_zh

    def test_a_skip_needs_a_reason(self, session: Session) -> None:
        case_id = new_case(session)
        with pytest.raises(InvalidDataError):
            advance_case(session=session, case_id=case_id, viewer=SYSTEM, to=Stage.CONTRACTED, skip=True)

    def test_a_recorded_skip_keeps_the_skipped_stages_and_reason(self, session: Session) -> None:
        case_id = new_case(session)
        advance_case(
            session=session, case_id=case_id, viewer=SYSTEM, to=Stage.CONTRACTED, skip=True, reason="双方已线下签约"
        )
        last = events(session, case_id)[-1]
        assert (last.kind, last.skipped) == (EventKind.SKIPPED, ["contacted", "negotiating"])
        assert "双方已线下签约" in last.note

    def test_moving_backwards_is_a_conflict(self, session: Session) -> None:
        case_id = new_case(session)
        advance_case(session=session, case_id=case_id, viewer=SYSTEM)
        with pytest.raises(ConflictError, match="back"):
            advance_case(session=session, case_id=case_id, viewer=SYSTEM, to=Stage.MATCHED)

    def test_production_is_terminal(self, session: Session) -> None:
        case_id = new_case(session)
        advance_case(session=session, case_id=case_id, viewer=SYSTEM, to=Stage.PRODUCING, skip=True, reason="r")
        with pytest.raises(ConflictError):
            advance_case(session=session, case_id=case_id, viewer=SYSTEM)


class TestCloseCase:
    def test_records_the_reason(self, session: Session) -> None:
        case_id = new_case(session)
        case = close_case(session=session, case_id=case_id, viewer=SYSTEM, reason="price", note="报价过高")
        assert (case.stage, case.closing_reason) == (Stage.CLOSED, "price")
        assert events(session, case_id)[-1].reason == "price"

    def test_unknown_reason_is_refused(self, session: Session) -> None:
        case_id = new_case(session)
        with pytest.raises(InvalidDataError):
            close_case(session=session, case_id=case_id, viewer=SYSTEM, reason="weather")

    def test_a_closed_case_cannot_advance(self, session: Session) -> None:
        case_id = new_case(session)
        close_case(session=session, case_id=case_id, viewer=SYSTEM, reason="ip")
        with pytest.raises(ConflictError) as raised:
            advance_case(session=session, case_id=case_id, viewer=SYSTEM)
        assert raised.value.message_zh is not None
        assert "已关闭" in raised.value.message_zh


class TestAccess:
    def test_brokers_see_only_their_cases(self, session: Session) -> None:
        alice = create_user(session=session, username="alice", password="password1", role=Role.BROKER)
        bob = create_user(session=session, username="bob", password="password1", role=Role.BROKER)
        mine = create_case(session=session, data=CaseCreate(title="A"), viewer=viewer_for(alice), at=T0)
        create_case(session=session, data=CaseCreate(title="B"), viewer=viewer_for(bob), at=T0)
        assert [v.case.id for v in list_case_views(session=session, viewer=viewer_for(alice))] == [mine.id]
        assert len(list_case_views(session=session, viewer=SYSTEM)) == 2
        with pytest.raises(NotFoundError):
            advance_case(session=session, case_id=mine.id, viewer=viewer_for(bob))

    def test_enterprises_cannot_manage_cases(self, session: Session) -> None:
        user = create_user(session=session, username="ent", password="password1", role=Role.ENTERPRISE)
        with pytest.raises(PermissionDeniedError):
            create_case(session=session, data=CaseCreate(title="X"), viewer=viewer_for(user))

    def test_notes_are_events_without_a_stage_change(self, session: Session) -> None:
        case_id = new_case(session)
        add_note(session=session, case_id=case_id, viewer=SYSTEM, note="已电话联系")
        last = events(session, case_id)[-1]
        assert (last.kind, last.from_stage, last.to_stage) == (EventKind.NOTE, Stage.MATCHED, Stage.MATCHED)


class TestOverdue:
    def test_a_case_is_overdue_after_the_stage_limit(self, session: Session) -> None:
        case_id = new_case(session)
        views = list_case_views(session=session, viewer=SYSTEM, at=T0 + timedelta(days=8))
        assert views[0].case.id == case_id
        assert views[0].overdue  # matched allows 7 days (stages.yaml)
        assert not is_overdue(views[0].case, T0 + timedelta(days=6))
        assert next_action(views[0].case, "en").startswith("Contact")
