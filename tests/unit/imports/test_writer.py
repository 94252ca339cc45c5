"""Bulk writes through a real database (SQLite by default, PostgreSQL under scripts/with-postgres): what an
insert or update stores, defaults and JSON included, and the planner statistics a large insert leaves behind."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from techbridge.imports import writer
from techbridge.imports.organizations import ORG_COLUMNS
from techbridge.imports.schemas import ImportSummary
from techbridge.models import ChainNode, Organization
from techbridge.models.base import Visibility


def _org(key: str, **fields: Any) -> dict[str, Any]:
    row = {**ORG_COLUMNS, "name": f"企业{key}", "normalized_name": f"企业{key}", "source_key": key}
    return {**row, "source_file": "t.csv", **fields}


def _summary() -> ImportSummary:
    return ImportSummary(source="test", path="t.csv")


class TestUpsertRecords:
    def test_inserts_store_json_dates_and_defaults(self, session: Session) -> None:
        rows = [_org("A", extra={"area": "沈阳", "n": 1}, industry_codes=["C39"], employees=12)]
        ids = writer.upsert_records(session, Organization, rows, dataset="t", summary=_summary(), label="org")
        stored = session.get_one(Organization, ids["A"])
        assert (stored.extra, stored.industry_codes, stored.employees) == ({"area": "沈阳", "n": 1}, ["C39"], 12)
        assert stored.visibility == Visibility.PUBLIC
        assert stored.created_at is not None
        assert stored.updated_at is not None

    def test_second_run_updates_in_place(self, session: Session) -> None:
        summary = _summary()
        first = writer.upsert_records(session, Organization, [_org("A")], dataset="t", summary=summary, label="org")
        again = [_org("A", name="新名", extra={"k": [1, 2]}, shenwan_industries=["银行"])]
        second = writer.upsert_records(session, Organization, again, dataset="t", summary=summary, label="org")
        session.expire_all()
        stored = session.get_one(Organization, second["A"])
        assert first == second
        assert (stored.name, stored.extra, stored.shenwan_industries) == ("新名", {"k": [1, 2]}, ["银行"])
        assert summary.counts == {"org.inserted": 1, "org.updated": 1}

    def test_none_stays_sql_null(self, session: Session) -> None:
        ids = writer.upsert_records(
            session, Organization, [_org("A", credit_code=None)], dataset="t", summary=_summary(), label="org"
        )
        found = session.scalar(select(Organization.id).where(Organization.credit_code.is_(None)))
        assert found == ids["A"]


class TestEnsureNodes:
    def test_existing_nodes_get_their_code_and_level(self, session: Session) -> None:
        summary = _summary()
        writer.ensure_nodes(session, "industry", {"银行": (None, None)}, dataset="t", summary=summary)
        ids = writer.ensure_nodes(session, "industry", {"银行": ("480000", 1)}, dataset="t", summary=summary)
        node = session.get_one(ChainNode, ids["银行"])
        assert (node.code, node.level) == ("480000", 1)

    def test_large_insert_refreshes_planner_statistics(self, session: Session) -> None:
        """PostgreSQL plans a foreign-key check once per connection: without fresh statistics the plan stays a
        sequential scan of the parent table for every child row (chain_kg took 889 s)."""
        if session.connection().dialect.name != "postgresql":
            pytest.skip("planner statistics of PostgreSQL")
        names: dict[str, tuple[str | None, int | None]] = {
            f"产品{i}": (None, None) for i in range(writer.ANALYZE_AFTER + 50)
        }
        writer.ensure_nodes(session, "product", names, dataset="t", summary=_summary())
        estimate = session.scalar(text("SELECT reltuples FROM pg_class WHERE relname = 'chain_nodes'"))
        assert estimate is not None
        assert estimate >= len(names)
