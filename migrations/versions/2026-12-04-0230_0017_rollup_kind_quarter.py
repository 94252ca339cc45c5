"""Empty the dashboard rollup cache and index it by (is_demo, grain, seller_kind, quarter): its `mix` and `flow`
grains now also group by seller kind and quarter (and `flow` by seller city), so the dashboard's seller-type, region
and date-range filters apply to every figure; the grains are ~15 times larger, and the index lets the dashboard read
one grain and sum a filtered one without scanning the others.

Why: rollups are rebuilt only when the newest contract id differs from the one they cover; rows stored by the old
grains would be read as if they had the new keys. Emptying the table makes the next dashboard request rebuild it.
Risk: low (a cache and an index); the first dashboard request after the upgrade pays one rebuild.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04 02:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0017"
down_revision: str | Sequence[str] | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


INDEX = "ix_contract_rollups_grain_kind_quarter"


def upgrade() -> None:
    op.execute("DELETE FROM contract_rollups")
    op.create_index(INDEX, "contract_rollups", ["is_demo", "grain", "seller_kind", "quarter"])


def downgrade() -> None:
    op.drop_index(INDEX, table_name="contract_rollups")
    op.execute("DELETE FROM contract_rollups")
