"""The outbox: registry changes as generic events for the search indexer (and later the alerts).

Why: web workers used to write the tantivy index and the passage vectors inside the request, so several workers
(or hosts) fought over the index files and a request waited for the embedder. Now a change inserts one row here
in the same transaction as the record; one indexer process per host reads the rows in id order with its own
cursor (kept beside the index it feeds). Risk: low (a new table only; an empty outbox means "nothing changed",
and `techbridge search build` rebuilds everything regardless). Rows are never updated; old rows may be deleted
once every consumer has passed them.

Revision ID: 0010
Revises: 0006
Create Date: 2026-12-03 19:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "outbox_events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("record_id", sa.BigInteger(), nullable=True),
        sa.Column("op", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_events")),
    )
    op.create_index(op.f("ix_outbox_events_created_at"), "outbox_events", ["created_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_outbox_events_created_at"), table_name="outbox_events")
    op.drop_table("outbox_events")
