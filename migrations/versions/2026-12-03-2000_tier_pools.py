"""Stored tier candidate pools.

Why: the pools page and API evaluated every enterprise × every policy on each request (16 s and 49 MB for the API,
96 s for the page on 24,679 enterprises). Pools are now computed once per fact change or import and stored: one
row per enterprise and policy (verdict, score, closeness, detail, with region and clusters copied for filtering)
and one state per enterprise (pool date, dirty flag) so a refresh re-evaluates only what changed and resumes after
a kill. Risk: none for existing data (two new tables, filled by `techbridge tiers pools refresh` or the bootstrap);
until the first refresh the pools are empty.

Revision ID: 0012
Revises: 0006
Create Date: 2026-12-03 20:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "tier_pool_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("policy", sa.String(length=32), nullable=False),
        sa.Column("version", sa.String(length=16), nullable=True),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("verdict", sa.String(length=16), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("closeness", sa.Float(), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=True),
        sa.Column("clusters", sa.String(length=512), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_tier_pool_entries_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tier_pool_entries")),
        sa.UniqueConstraint("organization_id", "policy", name=op.f("uq_tier_pool_entries_organization_id_policy")),
    )
    with op.batch_alter_table("tier_pool_entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tier_pool_entries_region_code"), ["region_code"], unique=False)
        batch_op.create_index(
            "ix_tier_pool_entries_policy_verdict_closeness",
            ["policy", "verdict", "closeness", "organization_id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_tier_pool_entries_policy_verdict_score", ["policy", "verdict", "score", "organization_id"], unique=False
        )
        batch_op.create_index(
            "ix_tier_pool_entries_policy_closeness", ["policy", "closeness", "organization_id"], unique=False
        )
        batch_op.create_index("ix_tier_pool_entries_closeness", ["closeness", "organization_id"], unique=False)
        batch_op.create_index(
            "ix_tier_pool_entries_counts", ["policy", "verdict", "as_of", "region_code"], unique=False
        )
    op.create_table(
        "tier_pool_states",
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("dirty", sa.Boolean(), nullable=False),
        sa.Column("error", sa.String(length=512), nullable=False),
        sa.Column("evaluated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_tier_pool_states_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("organization_id", name=op.f("pk_tier_pool_states")),
    )
    with op.batch_alter_table("tier_pool_states", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tier_pool_states_as_of"), ["as_of"], unique=False)
        batch_op.create_index(batch_op.f("ix_tier_pool_states_dirty"), ["dirty"], unique=False)


def downgrade() -> None:
    op.drop_table("tier_pool_states")
    op.drop_table("tier_pool_entries")
