"""Enterprise facts for the tier engine.

Why: the tier engine evaluates enterprises on facts (revenue series, IP counts, titles…) that the registry's
organization columns do not hold; officers and the enterprise's own users enter or import them with provenance
(as-of year, source, who). Risk: none (a new table); values are JSON so a new fact id needs no migration.

Revision ID: 0003
Revises: 0001
Create Date: 2026-11-25 23:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "enterprise_facts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("fact", sa.String(length=64), nullable=False),
        sa.Column("value", sa.JSON(), nullable=True),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=255), nullable=False),
        sa.Column("entered_by", sa.String(length=128), nullable=False),
        sa.Column("entered_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_enterprise_facts_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["entered_by_id"], ["users.id"], name=op.f("fk_enterprise_facts_entered_by_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enterprise_facts")),
        sa.UniqueConstraint("organization_id", "fact", name=op.f("uq_enterprise_facts_organization_id_fact")),
    )
    with op.batch_alter_table("enterprise_facts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_enterprise_facts_organization_id"), ["organization_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_enterprise_facts_fact"), ["fact"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("enterprise_facts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_enterprise_facts_fact"))
        batch_op.drop_index(batch_op.f("ix_enterprise_facts_organization_id"))
    op.drop_table("enterprise_facts")
