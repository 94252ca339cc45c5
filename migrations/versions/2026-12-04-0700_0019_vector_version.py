"""Data versions: a counter of the stored search vectors, bumped by triggers on every write to them.

Why: every match request asked each entity's vectors for COUNT(*) and MAX(updated_at) to know whether its cached
vector index was stale — a scan of ~100k rows per entity once the registry is embedded, twice per request. Now an
INSERT, UPDATE or DELETE on `search_vectors` bumps `data_versions['search_vectors']` in the same transaction (row
triggers on SQLite, statement triggers on PostgreSQL, which also fire for COPY and TRUNCATE), and a worker reads that
one row by primary key; the count and the latest write are read only when it moved. Risk: low. The embedder's
writes cost one single-row update per row on SQLite (per statement on PostgreSQL), beside a batch that takes
seconds to embed; only the embedder and re-imports write vectors, so nothing queues on the counter row.
Downgrade drops the triggers and the row.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-04 07:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0019"
down_revision: str | Sequence[str] | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COUNTER = "search_vectors"
TABLE = "search_vectors"
BUMP = f"UPDATE data_versions SET version = version + 1 WHERE name = '{COUNTER}'"
PG_FUNCTION = "techbridge_bump_search_vectors"


def upgrade() -> None:
    op.execute(f"INSERT INTO data_versions (name, version) VALUES ('{COUNTER}', 1)")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"CREATE FUNCTION {PG_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {BUMP}; RETURN NULL; END $$"
        )
        op.execute(
            f"CREATE TRIGGER tg_{TABLE}_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {TABLE} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {PG_FUNCTION}()"
        )
        return
    for event in ("insert", "update", "delete"):
        op.execute(f"CREATE TRIGGER tg_{TABLE}_{event}_version AFTER {event.upper()} ON {TABLE} BEGIN {BUMP}; END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS tg_{TABLE}_version ON {TABLE}")
        op.execute(f"DROP FUNCTION IF EXISTS {PG_FUNCTION}()")
    else:
        for event in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS tg_{TABLE}_{event}_version")
    op.execute(f"DELETE FROM data_versions WHERE name = '{COUNTER}'")
