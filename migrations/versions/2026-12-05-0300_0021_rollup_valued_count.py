"""Count the contracts with a verified technology income in each dashboard rollup (`n_income`), and empty the cache.

Why: the dashboard's 技术交易额 rate leaves contracts without a verified income out of both sums (as the CLI and API
do), yet its definition text counted every contract of a foreign (unlocated) buyer, so it named more such
contracts than its denominator held and disagreed with `metrics local-conversion --amount technology_income`. The
flow rollups now say how many of their contracts carry an income, so the count can be the rate's own.
Risk: low (a cache): existing rows are deleted and the next dashboard request rebuilds them with the new column.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-05 03:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | Sequence[str] | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("DELETE FROM contract_rollups")
    with op.batch_alter_table("contract_rollups", schema=None) as batch_op:
        batch_op.add_column(sa.Column("n_income", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    op.execute("DELETE FROM contract_rollups")
    with op.batch_alter_table("contract_rollups", schema=None) as batch_op:
        batch_op.drop_column("n_income")
