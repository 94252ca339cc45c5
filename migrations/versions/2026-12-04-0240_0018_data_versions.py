"""Data versions: a counter of the chain graph's tables, bumped by triggers on every write to them.

Why: each chain page compared a count and a max id over the 7 tables the graph reads (~400k rows on the real data,
~75 % of a /chains request) to know whether its cached graph was stale, and still missed updates in place. Now an
INSERT, UPDATE or DELETE on any of those tables bumps `data_versions['chain_graph']` in the same transaction (row
triggers on SQLite, statement triggers on PostgreSQL, which also fire for COPY and TRUNCATE), and a worker reads
that one row by primary key. Risk: low. Writes to those tables cost one extra single-row update per row on SQLite
(per statement on PostgreSQL); on PostgreSQL concurrent writers of those tables queue on the counter row until
commit (they already queued on SQLite's one write lock). Downgrade drops the triggers and the table.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04 02:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | Sequence[str] | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COUNTER = "chain_graph"
TABLES = (
    "chain_nodes",
    "chain_edges",
    "enterprise_nodes",
    "organizations",
    "achievements",
    "achievement_owners",
    "experts",
)
BUMP = f"UPDATE data_versions SET version = version + 1 WHERE name = '{COUNTER}'"
PG_FUNCTION = "techbridge_bump_chain_graph"


def upgrade() -> None:
    op.create_table(
        "data_versions",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("version", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_data_versions")),
    )
    op.execute(f"INSERT INTO data_versions (name, version) VALUES ('{COUNTER}', 1)")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"CREATE FUNCTION {PG_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {BUMP}; RETURN NULL; END $$"
        )
        for table in TABLES:
            op.execute(
                f"CREATE TRIGGER tg_{table}_chain_graph AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {PG_FUNCTION}()"
            )
        return
    for table in TABLES:
        for event in ("insert", "update", "delete"):
            op.execute(
                f"CREATE TRIGGER tg_{table}_{event}_chain_graph AFTER {event.upper()} ON {table} BEGIN {BUMP}; END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS tg_{table}_chain_graph ON {table}")
        op.execute(f"DROP FUNCTION IF EXISTS {PG_FUNCTION}()")
    else:
        for table in TABLES:
            for event in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS tg_{table}_{event}_chain_graph")
    op.drop_table("data_versions")
