"""The pool refresh job: re-evaluate every stale enterprise in batches, one commit per batch.

Stale = never evaluated, flagged dirty by a fact save, evaluated for another date, or changed (enterprise or one of
its facts) since its evaluation — so facts written by any importer are picked up. A killed run resumes where it
stopped: finished batches are committed and no longer stale.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from techbridge.db import session_scope
from techbridge.policies import pool_queries
from techbridge.policies.pools import Row, refresh_enterprises

BATCH_SIZE = 500


@dataclass
class RefreshReport:
    """What one refresh did."""

    as_of: date
    enterprises: int = 0
    batches: int = 0


def refresh_pools(
    database_url: str,
    *,
    as_of: date | None = None,
    batch_size: int = BATCH_SIZE,
    on_batch: Callable[[RefreshReport], None] | None = None,
) -> RefreshReport:
    """Evaluate every stale enterprise on `as_of` (default the stored pools' date, else today), a commit per batch."""
    if as_of is None:
        with session_scope(database_url) as session:
            as_of = pool_queries.pool_date(session)
    report = RefreshReport(as_of=as_of or date.today())
    cache: dict[str, list[Row] | str] = {}
    after_id = 0
    while True:
        with session_scope(database_url) as session:
            ids = pool_queries.stale_enterprise_ids(session, as_of=report.as_of, after_id=after_id, limit=batch_size)
            if not ids:
                return report
            refresh_enterprises(session=session, organization_ids=ids, as_of=report.as_of, cache=cache)
        after_id = ids[-1]
        report.enterprises += len(ids)
        report.batches += 1
        if on_batch is not None:
            on_batch(report)
