"""Dashboard figures from the rollups agree with the pure metrics on the hand-made contract set."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from sqlalchemy import delete
from sqlalchemy.orm import Session

from techbridge.access import SYSTEM
from techbridge.models import ContractRollup
from techbridge.transfers.contracts import import_contracts_file
from techbridge.transfers.dashboard import build_dashboard
from techbridge.transfers.demo import load_demo

DATA = Path(__file__).resolve().parents[2] / "data" / "contracts"


class TestBuildDashboard:
    def test_headline_and_city_rates_match_hand_computation(self, session: Session) -> None:
        import_contracts_file(session=session, path=DATA / "basic.csv", viewer=SYSTEM)
        data = build_dashboard(session=session, region="21")
        assert not data.is_demo
        assert (data.headline_value.numerator, data.headline_value.denominator) == (210, Decimal("435.5"))
        assert (data.headline_count.numerator, data.headline_count.denominator) == (3, 5)
        cities = {row["code"]: (row["numerator"], row["denominator"]) for row in data.by_city}
        assert cities["2101"] == (160, 360)
        assert cities["2102"] == (0, Decimal("75.5"))
        assert {row["key"]: row["contract_value"] for row in data.by_type}["service"] == 310
        assert {row["key"]: row["count"] for row in data.flows}["absorb.out_of_province"] == 1

    def test_stale_rollups_are_rebuilt(self, session: Session) -> None:
        import_contracts_file(session=session, path=DATA / "basic.csv", viewer=SYSTEM)
        session.execute(delete(ContractRollup))
        assert build_dashboard(session=session, region="21").headline_value.denominator == Decimal("435.5")

    def test_demo_is_shown_only_without_real_contracts(self, session: Session) -> None:
        assert load_demo(session=session, seed=1) > 0
        assert build_dashboard(session=session, region="21").is_demo
        import_contracts_file(session=session, path=DATA / "basic.csv", viewer=SYSTEM)
        data = build_dashboard(session=session, region="21")
        assert not data.is_demo
        assert data.contracts == 8
        assert load_demo(session=session, seed=1) == 0
