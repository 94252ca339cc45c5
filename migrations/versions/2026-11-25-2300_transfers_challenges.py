"""Transfers and challenges: pipeline cases and events, technology contracts (parties, payment milestones,
achievements), pilot-base capacities, dashboard rollups of the contracts, 揭榜挂帅 challenges with applications
and milestones.

Why: the transfer pipeline, the local conversion rate and the challenge lists need their own tables. Money columns
are BIGINT 分 (1 万元 = 1,000,000 分) so sums are exact on SQLite and PostgreSQL alike. Risk: none (new tables only,
a branch off 0001 that the integrator merges).

Revision ID: 0004
Revises: 0001
Create Date: 2026-11-25 23:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "challenges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("goal", sa.Text(), nullable=False),
        sa.Column("indicators", sa.JSON(), nullable=False),
        sa.Column("budget", sa.BigInteger(), nullable=True),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("field", sa.String(length=64), nullable=False),
        sa.Column("chain_node_id", sa.Integer(), nullable=True),
        sa.Column("chain_link", sa.String(length=255), nullable=False),
        sa.Column("publisher_id", sa.Integer(), nullable=True),
        sa.Column("publisher_org_id", sa.Integer(), nullable=True),
        sa.Column("publisher_name", sa.String(length=255), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("is_demo", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["chain_node_id"],
            ["chain_nodes.id"],
            name=op.f("fk_challenges_chain_node_id_chain_nodes"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["publisher_id"], ["users.id"], name=op.f("fk_challenges_publisher_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["publisher_org_id"],
            ["organizations.id"],
            name=op.f("fk_challenges_publisher_org_id_organizations"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_challenges")),
    )
    op.create_index(op.f("ix_challenges_field"), "challenges", ["field"], unique=False)
    op.create_index(op.f("ix_challenges_publisher_id"), "challenges", ["publisher_id"], unique=False)
    op.create_index(op.f("ix_challenges_status"), "challenges", ["status"], unique=False)
    op.create_table(
        "pilot_capacities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("trl_min", sa.Integer(), nullable=False),
        sa.Column("trl_max", sa.Integer(), nullable=False),
        sa.Column("equipment", sa.Text(), nullable=False),
        sa.Column("price", sa.String(length=255), nullable=False),
        sa.Column("is_demo", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "trl_min >= 1 AND trl_max <= 9 AND trl_min <= trl_max", name=op.f("ck_pilot_capacities_trl_range")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_pilot_capacities_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pilot_capacities")),
    )
    op.create_index(op.f("ix_pilot_capacities_organization_id"), "pilot_capacities", ["organization_id"], unique=False)
    op.create_table(
        "challenge_applications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("challenge_id", sa.Integer(), nullable=False),
        sa.Column("applicant_org_id", sa.Integer(), nullable=True),
        sa.Column("applicant_user_id", sa.Integer(), nullable=True),
        sa.Column("team_name", sa.String(length=255), nullable=False),
        sa.Column("plan", sa.Text(), nullable=False),
        sa.Column("achievement_ids", sa.JSON(), nullable=False),
        sa.Column("expert_ids", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["applicant_org_id"],
            ["organizations.id"],
            name=op.f("fk_challenge_applications_applicant_org_id_organizations"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["applicant_user_id"],
            ["users.id"],
            name=op.f("fk_challenge_applications_applicant_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["challenge_id"],
            ["challenges.id"],
            name=op.f("fk_challenge_applications_challenge_id_challenges"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_challenge_applications")),
    )
    op.create_index(
        op.f("ix_challenge_applications_challenge_id"), "challenge_applications", ["challenge_id"], unique=False
    )
    op.create_table(
        "transfer_cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("achievement_id", sa.Integer(), nullable=True),
        sa.Column("demand_id", sa.Integer(), nullable=True),
        sa.Column("counterpart_id", sa.Integer(), nullable=True),
        sa.Column("counterpart_name", sa.String(length=255), nullable=False),
        sa.Column("broker_id", sa.Integer(), nullable=True),
        sa.Column("stage", sa.String(length=16), nullable=False),
        sa.Column("stage_entered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_open_stage", sa.String(length=16), nullable=False),
        sa.Column("closing_reason", sa.String(length=32), nullable=True),
        sa.Column("field", sa.String(length=64), nullable=False),
        sa.Column("city_code", sa.String(length=6), nullable=True),
        sa.Column("owner_kind", sa.String(length=16), nullable=True),
        sa.Column("is_demo", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["achievement_id"],
            ["achievements.id"],
            name=op.f("fk_transfer_cases_achievement_id_achievements"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["broker_id"], ["users.id"], name=op.f("fk_transfer_cases_broker_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["counterpart_id"],
            ["organizations.id"],
            name=op.f("fk_transfer_cases_counterpart_id_organizations"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["demand_id"], ["demands.id"], name=op.f("fk_transfer_cases_demand_id_demands"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transfer_cases")),
    )
    op.create_index(op.f("ix_transfer_cases_achievement_id"), "transfer_cases", ["achievement_id"], unique=False)
    op.create_index(op.f("ix_transfer_cases_broker_id"), "transfer_cases", ["broker_id"], unique=False)
    op.create_index(op.f("ix_transfer_cases_city_code"), "transfer_cases", ["city_code"], unique=False)
    op.create_index(op.f("ix_transfer_cases_closing_reason"), "transfer_cases", ["closing_reason"], unique=False)
    op.create_index(op.f("ix_transfer_cases_counterpart_id"), "transfer_cases", ["counterpart_id"], unique=False)
    op.create_index(op.f("ix_transfer_cases_demand_id"), "transfer_cases", ["demand_id"], unique=False)
    op.create_index(op.f("ix_transfer_cases_field"), "transfer_cases", ["field"], unique=False)
    op.create_index(op.f("ix_transfer_cases_is_demo"), "transfer_cases", ["is_demo"], unique=False)
    op.create_index(op.f("ix_transfer_cases_stage"), "transfer_cases", ["stage"], unique=False)
    op.create_table(
        "challenge_milestones",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("challenge_id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["challenge_applications.id"],
            name=op.f("fk_challenge_milestones_application_id_challenge_applications"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["challenge_id"],
            ["challenges.id"],
            name=op.f("fk_challenge_milestones_challenge_id_challenges"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_challenge_milestones")),
    )
    op.create_index(
        op.f("ix_challenge_milestones_challenge_id"), "challenge_milestones", ["challenge_id"], unique=False
    )
    op.create_table(
        "contracts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_no", sa.String(length=64), nullable=False),
        sa.Column("registration_no", sa.String(length=64), nullable=True),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("seller_id", sa.Integer(), nullable=True),
        sa.Column("seller_name", sa.String(length=255), nullable=False),
        sa.Column("seller_credit_code", sa.String(length=18), nullable=True),
        sa.Column("seller_region_code", sa.String(length=6), nullable=False),
        sa.Column("seller_kind", sa.String(length=16), nullable=False),
        sa.Column("buyer_id", sa.Integer(), nullable=True),
        sa.Column("buyer_name", sa.String(length=255), nullable=False),
        sa.Column("buyer_credit_code", sa.String(length=18), nullable=True),
        sa.Column("buyer_region_code", sa.String(length=6), nullable=False),
        sa.Column("buyer_kind", sa.String(length=16), nullable=True),
        sa.Column("contract_value", sa.BigInteger(), nullable=False),
        sa.Column("technology_income", sa.BigInteger(), nullable=True),
        sa.Column("signed_on", sa.Date(), nullable=True),
        sa.Column("registered_on", sa.Date(), nullable=False),
        sa.Column("field", sa.String(length=64), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("is_demo", sa.Boolean(), nullable=False),
        sa.Column("source_file", sa.String(length=255), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("contract_value >= 0", name=op.f("ck_contracts_value_non_negative")),
        sa.ForeignKeyConstraint(
            ["buyer_id"], ["organizations.id"], name=op.f("fk_contracts_buyer_id_organizations"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["transfer_cases.id"], name=op.f("fk_contracts_case_id_transfer_cases"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["seller_id"], ["organizations.id"], name=op.f("fk_contracts_seller_id_organizations"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contracts")),
        sa.UniqueConstraint("contract_no", name=op.f("uq_contracts_contract_no")),
    )
    op.create_index(op.f("ix_contracts_buyer_id"), "contracts", ["buyer_id"], unique=False)
    op.create_index(op.f("ix_contracts_buyer_region_code"), "contracts", ["buyer_region_code"], unique=False)
    op.create_index(op.f("ix_contracts_case_id"), "contracts", ["case_id"], unique=False)
    op.create_index(op.f("ix_contracts_field"), "contracts", ["field"], unique=False)
    op.create_index(op.f("ix_contracts_is_demo"), "contracts", ["is_demo"], unique=False)
    op.create_index(op.f("ix_contracts_registered_on"), "contracts", ["registered_on"], unique=False)
    op.create_index(op.f("ix_contracts_seller_id"), "contracts", ["seller_id"], unique=False)
    op.create_index(op.f("ix_contracts_seller_kind"), "contracts", ["seller_kind"], unique=False)
    op.create_index(op.f("ix_contracts_seller_region_code"), "contracts", ["seller_region_code"], unique=False)
    op.create_index(op.f("ix_contracts_type"), "contracts", ["type"], unique=False)
    op.create_table(
        "transfer_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("from_stage", sa.String(length=16), nullable=True),
        sa.Column("to_stage", sa.String(length=16), nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_name", sa.String(length=128), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=True),
        sa.Column("skipped", sa.JSON(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_transfer_events_actor_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["transfer_cases.id"],
            name=op.f("fk_transfer_events_case_id_transfer_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transfer_events")),
    )
    op.create_index(op.f("ix_transfer_events_at"), "transfer_events", ["at"], unique=False)
    op.create_index(op.f("ix_transfer_events_case_id"), "transfer_events", ["case_id"], unique=False)
    op.create_table(
        "contract_achievements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("achievement_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["achievement_id"],
            ["achievements.id"],
            name=op.f("fk_contract_achievements_achievement_id_achievements"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contracts.id"],
            name=op.f("fk_contract_achievements_contract_id_contracts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contract_achievements")),
        sa.UniqueConstraint(
            "contract_id", "achievement_id", name=op.f("uq_contract_achievements_contract_id_achievement_id")
        ),
    )
    op.create_index(
        op.f("ix_contract_achievements_achievement_id"), "contract_achievements", ["achievement_id"], unique=False
    )
    op.create_index(
        op.f("ix_contract_achievements_contract_id"), "contract_achievements", ["contract_id"], unique=False
    )
    op.create_table(
        "contract_milestones",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("paid_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contracts.id"],
            name=op.f("fk_contract_milestones_contract_id_contracts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contract_milestones")),
    )
    op.create_index(op.f("ix_contract_milestones_contract_id"), "contract_milestones", ["contract_id"], unique=False)

    op.create_table(
        "contract_rollups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("is_demo", sa.Boolean(), nullable=False),
        sa.Column("grain", sa.String(length=8), nullable=False),
        sa.Column("seller_city", sa.String(length=4), nullable=False),
        sa.Column("seller_kind", sa.String(length=16), nullable=False),
        sa.Column("quarter", sa.Integer(), nullable=False),
        sa.Column("same_city", sa.Boolean(), nullable=False),
        sa.Column("same_province", sa.Boolean(), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("field", sa.String(length=64), nullable=False),
        sa.Column("seller_province", sa.String(length=2), nullable=False),
        sa.Column("buyer_province", sa.String(length=2), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.Column("income", sa.BigInteger(), nullable=True),
        sa.Column("source_max_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contract_rollups")),
    )
    op.create_index(op.f("ix_contract_rollups_is_demo"), "contract_rollups", ["is_demo"], unique=False)


def downgrade() -> None:
    op.drop_table("contract_rollups")
    op.drop_table("contract_milestones")
    op.drop_table("contract_achievements")
    op.drop_table("transfer_events")
    op.drop_table("contracts")
    op.drop_table("challenge_milestones")
    op.drop_table("transfer_cases")
    op.drop_table("challenge_applications")
    op.drop_table("pilot_capacities")
    op.drop_table("challenges")
