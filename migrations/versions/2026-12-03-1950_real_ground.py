"""Funded research projects and official statistics, each in a table of its own.

Why: the NSFC projects describe what an expert knows and are shown on the expert page and used in matching, but
they are grants, not transferable results, so they are not achievements (no kind of Achievement fits them, and as
achievements they would inflate achievement counts and chain coverage). Yearbook statistics (technology-market
contracts and turnover per province and year) are published figures with their own unit and source; the dashboard
shows them beside, never mixed with, figures computed from contracts in the registry. Risk: none (two new tables).

Revision ID: 0011
Revises: 0006
Create Date: 2026-12-03 19:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "official_statistics",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("topic", sa.String(length=64), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=True),
        sa.Column("region_name", sa.String(length=64), nullable=False),
        sa.Column("region_level", sa.String(length=16), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("flow", sa.String(length=16), nullable=False),
        sa.Column("measure", sa.String(length=16), nullable=False),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("value", sa.Numeric(precision=20, scale=4), nullable=False),
        sa.Column("source", sa.String(length=512), nullable=False),
        sa.Column("visibility", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source_dataset", sa.String(length=64), nullable=True),
        sa.Column("source_file", sa.String(length=255), nullable=True),
        sa.Column("source_key", sa.String(length=255), nullable=True),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_official_statistics_owner_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["region_code"], ["regions.code"], name=op.f("fk_official_statistics_region_code_regions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_official_statistics")),
        sa.UniqueConstraint(
            "source_dataset", "source_key", name=op.f("uq_official_statistics_source_dataset_source_key")
        ),
    )
    with op.batch_alter_table("official_statistics", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_official_statistics_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_official_statistics_region_code"), ["region_code"], unique=False)
        batch_op.create_index("ix_official_statistics_region_year", ["region_name", "year"], unique=False)
        batch_op.create_index(batch_op.f("ix_official_statistics_source_dataset"), ["source_dataset"], unique=False)
        batch_op.create_index(batch_op.f("ix_official_statistics_topic"), ["topic"], unique=False)
        batch_op.create_index(batch_op.f("ix_official_statistics_visibility"), ["visibility"], unique=False)

    op.create_table(
        "research_projects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("approval_no", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=512), nullable=False),
        sa.Column("funder", sa.String(length=64), nullable=False),
        sa.Column("project_type", sa.String(length=64), nullable=False),
        sa.Column("amount_wan", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("start_year", sa.Integer(), nullable=True),
        sa.Column("end_year", sa.Integer(), nullable=True),
        sa.Column("evaluation", sa.String(length=32), nullable=False),
        sa.Column("expert_id", sa.Integer(), nullable=True),
        sa.Column("institution_id", sa.Integer(), nullable=True),
        sa.Column("institution_name", sa.String(length=255), nullable=False),
        sa.Column("visibility", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source_dataset", sa.String(length=64), nullable=True),
        sa.Column("source_file", sa.String(length=255), nullable=True),
        sa.Column("source_key", sa.String(length=255), nullable=True),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["expert_id"], ["experts.id"], name=op.f("fk_research_projects_expert_id_experts"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["organizations.id"],
            name=op.f("fk_research_projects_institution_id_organizations"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_research_projects_owner_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_research_projects")),
        sa.UniqueConstraint(
            "source_dataset", "source_key", name=op.f("uq_research_projects_source_dataset_source_key")
        ),
    )
    with op.batch_alter_table("research_projects", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_research_projects_approval_no"), ["approval_no"], unique=False)
        batch_op.create_index(batch_op.f("ix_research_projects_expert_id"), ["expert_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_research_projects_institution_id"), ["institution_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_research_projects_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_research_projects_source_dataset"), ["source_dataset"], unique=False)
        batch_op.create_index(batch_op.f("ix_research_projects_start_year"), ["start_year"], unique=False)
        batch_op.create_index(batch_op.f("ix_research_projects_visibility"), ["visibility"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("research_projects", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_research_projects_visibility"))
        batch_op.drop_index(batch_op.f("ix_research_projects_start_year"))
        batch_op.drop_index(batch_op.f("ix_research_projects_source_dataset"))
        batch_op.drop_index(batch_op.f("ix_research_projects_owner_id"))
        batch_op.drop_index(batch_op.f("ix_research_projects_institution_id"))
        batch_op.drop_index(batch_op.f("ix_research_projects_expert_id"))
        batch_op.drop_index(batch_op.f("ix_research_projects_approval_no"))

    op.drop_table("research_projects")
    with op.batch_alter_table("official_statistics", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_official_statistics_visibility"))
        batch_op.drop_index(batch_op.f("ix_official_statistics_topic"))
        batch_op.drop_index(batch_op.f("ix_official_statistics_source_dataset"))
        batch_op.drop_index("ix_official_statistics_region_year")
        batch_op.drop_index(batch_op.f("ix_official_statistics_region_code"))
        batch_op.drop_index(batch_op.f("ix_official_statistics_owner_id"))

    op.drop_table("official_statistics")
