"""Empty the dashboard rollup cache: its `mix` and `flow` grains now also group by seller kind and quarter (and
`flow` by seller city), so the dashboard's seller-type, region and date-range filters apply to every figure.

Why: rollups are rebuilt only when the newest contract id differs from the one they cover; rows stored by the old
grains would be read as if they had the new keys. Emptying the table makes the next dashboard request rebuild it.
Risk: none (a cache; no schema change); the first dashboard request after the upgrade pays one rebuild.

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


def upgrade() -> None:
    op.execute("DELETE FROM contract_rollups")


def downgrade() -> None:
    op.execute("DELETE FROM contract_rollups")
