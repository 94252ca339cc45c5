"""The pool refresh job on a real database: equal to a fresh evaluation, incremental, resumable."""

from __future__ import annotations

import json
import random
from collections import Counter
from datetime import date
from typing import Any

import pytest
from bench.tiers_batch import synthetic_enterprise
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from techbridge.access import SYSTEM
from techbridge.config import Settings
from techbridge.db import session_scope
from techbridge.jobs.pools import refresh_pools
from techbridge.models import EnterpriseFact, Organization, TierPoolEntry, TierPoolState
from techbridge.policies.evaluate import count_failing
from techbridge.policies.pool_reads import make_filter, read_pools
from techbridge.policies.service import evaluate_organization, save_fact

AS_OF = date(2026, 6, 30)
COUNT = 30


def seed(settings: Settings) -> list[int]:
    """`COUNT` enterprises with synthetic facts (some unknowns and ranges), written as stored facts."""
    rng = random.Random(7)
    ids = []
    with session_scope(settings.database_url) as session:
        for index in range(COUNT):
            org = Organization(kind="enterprise", name=f"企业{index}", normalized_name=f"企业{index}")
            org.region_code = None
            session.add(org)
            session.flush()
            facts = synthetic_enterprise(rng, index)["facts"]
            for fact, value in facts.items():
                session.add(EnterpriseFact(organization_id=org.id, fact=fact, value=json.loads(json.dumps(value))))
            ids.append(org.id)
    return ids


def fresh_verdict(result: dict[str, Any]) -> str:
    """The pool verdict of a full evaluation, computed independently of the stored path."""
    failing, unknown = count_failing(result)
    if result["verdict"] == "ineligible" and failing == 1 and unknown == 0:
        return "near_miss"
    return str(result["verdict"])


def stored_counts(session: Session) -> Counter[tuple[str, str]]:
    rows = session.execute(select(TierPoolEntry.policy, TierPoolEntry.verdict)).all()
    return Counter((row[0], row[1]) for row in rows)


def evaluated_at(session: Session) -> dict[int, Any]:
    return dict(session.execute(select(TierPoolState.organization_id, TierPoolState.evaluated_at)).all())


class TestRefreshPools:
    def test_stored_counts_equal_a_fresh_evaluation(self, settings: Settings) -> None:
        ids = seed(settings)
        report = refresh_pools(settings.database_url, as_of=AS_OF, batch_size=7)
        assert (report.enterprises, report.batches) == (COUNT, 5)
        with session_scope(settings.database_url) as session:
            fresh: Counter[tuple[str, str]] = Counter()
            for org_id in ids:
                for result in evaluate_organization(session=session, organization_id=org_id, as_of=AS_OF)["results"]:
                    fresh[(result["policy"], fresh_verdict(result))] += 1
            assert stored_counts(session) == fresh
            assert len({verdict for _, verdict in fresh}) == 4
            page = read_pools(session=session, flt=make_filter(session=session, policy="hnte"), per_page=COUNT)
            assert page["by_verdict"] == {v: fresh[("hnte", v)] for v in page["by_verdict"]}

    def test_a_changed_enterprise_alone_is_evaluated_again(self, settings: Settings) -> None:
        ids = seed(settings)
        refresh_pools(settings.database_url, as_of=AS_OF)
        with session_scope(settings.database_url) as session:
            before = evaluated_at(session)
            save_fact(session=session, viewer=SYSTEM, organization_id=ids[3], fact="ip_class1", value=9)
        assert refresh_pools(settings.database_url).enterprises == 1
        with session_scope(settings.database_url) as session:
            after = evaluated_at(session)
        assert [i for i in ids if after[i] != before[i]] == [ids[3]]

    def test_facts_written_by_any_importer_are_picked_up(self, settings: Settings) -> None:
        ids = seed(settings)
        refresh_pools(settings.database_url, as_of=AS_OF)
        with session_scope(settings.database_url) as session:
            row = session.scalars(select(EnterpriseFact).where(EnterpriseFact.organization_id == ids[5])).first()
            assert row is not None
            row.source = "another importer"
        assert refresh_pools(settings.database_url).enterprises == 1

    def test_a_new_date_re_evaluates_everyone(self, settings: Settings) -> None:
        seed(settings)
        refresh_pools(settings.database_url, as_of=AS_OF)
        assert refresh_pools(settings.database_url, as_of=date(2026, 7, 1)).enterprises == COUNT

    def test_a_killed_run_resumes_with_what_is_left(self, settings: Settings) -> None:
        seed(settings)

        def kill(report: Any) -> None:
            if report.batches == 2:
                raise KeyboardInterrupt

        with pytest.raises(KeyboardInterrupt):
            refresh_pools(settings.database_url, as_of=AS_OF, batch_size=10, on_batch=kill)
        with session_scope(settings.database_url) as session:
            assert session.scalar(select(func.count()).select_from(TierPoolState)) == 20
        assert refresh_pools(settings.database_url, as_of=AS_OF).enterprises == COUNT - 20
