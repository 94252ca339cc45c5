"""Reads for checking a backup: the rows of every table of the database."""

from __future__ import annotations

from sqlalchemy import func, inspect, select, table
from sqlalchemy.orm import Session


def table_counts(session: Session) -> dict[str, int]:
    """Rows per table (every table the database holds, the migration stamp included), by table name."""
    names = sorted(inspect(session.get_bind()).get_table_names())
    return {name: int(session.scalar(select(func.count()).select_from(table(name))) or 0) for name in names}
