"""Registry foundation: users, regions, code tables, organizations, experts, achievements, demands, chains.

Why: every later capability (matching, tiers, chains, transfers) reads these tables. Risk: none (new schema).
users.organization_id ↔ organizations.owner_id is a cycle; on PostgreSQL the users → organizations key is added
after both tables exist, on SQLite it is declared inline (SQLite cannot ALTER in a constraint).

Revision ID: 0001
Revises:
Create Date: 2026-11-25 22:54:35.062331
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _users_org_fk(*, inline: bool) -> list[sa.ForeignKeyConstraint]:
    is_sqlite = op.get_bind().dialect.name == "sqlite"
    if inline != is_sqlite:
        return []
    return [
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_users_organization_id_organizations"),
            ondelete="SET NULL",
        )
    ]


def upgrade() -> None:
    op.create_table(
        "chain_nodes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=True),
        sa.Column("level", sa.Integer(), nullable=True),
        sa.Column("source_dataset", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chain_nodes")),
        sa.UniqueConstraint("kind", "name", name=op.f("uq_chain_nodes_kind_name")),
    )
    with op.batch_alter_table("chain_nodes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_chain_nodes_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_chain_nodes_name"), ["name"], unique=False)

    op.create_table(
        "code_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scheme", sa.String(length=16), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=512), nullable=False),
        sa.Column("parent_code", sa.String(length=32), nullable=True),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_code_entries")),
        sa.UniqueConstraint("scheme", "code", name=op.f("uq_code_entries_scheme_code")),
    )
    with op.batch_alter_table("code_entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_code_entries_parent_code"), ["parent_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_code_entries_scheme"), ["scheme"], unique=False)

    op.create_table(
        "import_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("path", sa.String(length=512), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_runs")),
    )
    with op.batch_alter_table("import_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_import_runs_source"), ["source"], unique=False)

    op.create_table(
        "regions",
        sa.Column("code", sa.String(length=12), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("parent_code", sa.String(length=12), nullable=True),
        sa.Column("is_official", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["parent_code"], ["regions.code"], name=op.f("fk_regions_parent_code_regions")),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_regions")),
    )
    with op.batch_alter_table("regions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_regions_level"), ["level"], unique=False)
        batch_op.create_index(batch_op.f("ix_regions_name"), ["name"], unique=False)
        batch_op.create_index(batch_op.f("ix_regions_parent_code"), ["parent_code"], unique=False)

    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=128), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        *_users_org_fk(inline=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    op.create_table(
        "achievements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=512), nullable=False),
        sa.Column("abstract", sa.Text(), nullable=False),
        sa.Column("keywords", sa.JSON(), nullable=False),
        sa.Column("ipc_codes", sa.JSON(), nullable=False),
        sa.Column("field_tags", sa.JSON(), nullable=False),
        sa.Column("trl", sa.Integer(), nullable=True),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("transfer_modes", sa.JSON(), nullable=False),
        sa.Column("price", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("region_code", sa.String(length=12), nullable=True),
        sa.Column("visibility", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source_dataset", sa.String(length=64), nullable=True),
        sa.Column("source_file", sa.String(length=255), nullable=True),
        sa.Column("source_key", sa.String(length=255), nullable=True),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("trl IS NULL OR (trl >= 1 AND trl <= 9)", name=op.f("ck_achievements_trl_range")),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_achievements_owner_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(["region_code"], ["regions.code"], name=op.f("fk_achievements_region_code_regions")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_achievements")),
        sa.UniqueConstraint("source_dataset", "source_key", name=op.f("uq_achievements_source_dataset_source_key")),
    )
    with op.batch_alter_table("achievements", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_achievements_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_achievements_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_achievements_region_code"), ["region_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_achievements_source_dataset"), ["source_dataset"], unique=False)
        batch_op.create_index(batch_op.f("ix_achievements_visibility"), ["visibility"], unique=False)
        batch_op.create_index(batch_op.f("ix_achievements_year"), ["year"], unique=False)

    op.create_table(
        "chain_edges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("src_id", sa.Integer(), nullable=False),
        sa.Column("dst_id", sa.Integer(), nullable=False),
        sa.Column("relation", sa.String(length=16), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.Column("source_dataset", sa.String(length=64), nullable=False),
        sa.Column("observed_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["dst_id"], ["chain_nodes.id"], name=op.f("fk_chain_edges_dst_id_chain_nodes"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["src_id"], ["chain_nodes.id"], name=op.f("fk_chain_edges_src_id_chain_nodes"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chain_edges")),
        sa.UniqueConstraint(
            "src_id",
            "dst_id",
            "relation",
            "source_dataset",
            name=op.f("uq_chain_edges_src_id_dst_id_relation_source_dataset"),
        ),
    )
    with op.batch_alter_table("chain_edges", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_chain_edges_dst_id"), ["dst_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_chain_edges_relation"), ["relation"], unique=False)
        batch_op.create_index(batch_op.f("ix_chain_edges_src_id"), ["src_id"], unique=False)

    op.create_table(
        "organizations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("carrier_type", sa.String(length=24), nullable=True),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("normalized_name", sa.String(length=255), nullable=False),
        sa.Column("short_name", sa.String(length=128), nullable=True),
        sa.Column("credit_code", sa.String(length=18), nullable=True),
        sa.Column("region_code", sa.String(length=12), nullable=True),
        sa.Column("province_code", sa.String(length=2), nullable=True),
        sa.Column("industry_codes", sa.JSON(), nullable=False),
        sa.Column("shenwan_industries", sa.JSON(), nullable=False),
        sa.Column("founded_on", sa.Date(), nullable=True),
        sa.Column("listing_code", sa.String(length=16), nullable=True),
        sa.Column("website", sa.String(length=255), nullable=True),
        sa.Column("address", sa.String(length=255), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("employees", sa.Integer(), nullable=True),
        sa.Column("extra", sa.JSON(), nullable=False),
        sa.Column("visibility", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source_dataset", sa.String(length=64), nullable=True),
        sa.Column("source_file", sa.String(length=255), nullable=True),
        sa.Column("source_key", sa.String(length=255), nullable=True),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_organizations_owner_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(["region_code"], ["regions.code"], name=op.f("fk_organizations_region_code_regions")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organizations")),
        sa.UniqueConstraint("credit_code", name=op.f("uq_organizations_credit_code")),
        sa.UniqueConstraint("source_dataset", "source_key", name=op.f("uq_organizations_source_dataset_source_key")),
    )
    with op.batch_alter_table("organizations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_organizations_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_organizations_listing_code"), ["listing_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_organizations_name"), ["name"], unique=False)
        batch_op.create_index(batch_op.f("ix_organizations_normalized_name"), ["normalized_name"], unique=False)
        batch_op.create_index(batch_op.f("ix_organizations_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_organizations_province_code"), ["province_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_organizations_region_code"), ["region_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_organizations_source_dataset"), ["source_dataset"], unique=False)
        batch_op.create_index(batch_op.f("ix_organizations_visibility"), ["visibility"], unique=False)

    op.create_table(
        "demands",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("field_tags", sa.JSON(), nullable=False),
        sa.Column("budget", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=True),
        sa.Column("visibility", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source_dataset", sa.String(length=64), nullable=True),
        sa.Column("source_file", sa.String(length=255), nullable=True),
        sa.Column("source_key", sa.String(length=255), nullable=True),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["organizations.id"],
            name=op.f("fk_demands_enterprise_id_organizations"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_demands_owner_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(["region_code"], ["regions.code"], name=op.f("fk_demands_region_code_regions")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_demands")),
        sa.UniqueConstraint("source_dataset", "source_key", name=op.f("uq_demands_source_dataset_source_key")),
    )
    with op.batch_alter_table("demands", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_demands_enterprise_id"), ["enterprise_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_demands_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_demands_region_code"), ["region_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_demands_source_dataset"), ["source_dataset"], unique=False)
        batch_op.create_index(batch_op.f("ix_demands_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_demands_visibility"), ["visibility"], unique=False)

    op.create_table(
        "enterprise_nodes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("node_id", sa.Integer(), nullable=False),
        sa.Column("relation", sa.String(length=16), nullable=False),
        sa.Column("weight", sa.Float(), nullable=True),
        sa.Column("evidence", sa.String(length=255), nullable=False),
        sa.Column("source_dataset", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["node_id"],
            ["chain_nodes.id"],
            name=op.f("fk_enterprise_nodes_node_id_chain_nodes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_enterprise_nodes_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enterprise_nodes")),
        sa.UniqueConstraint(
            "organization_id",
            "node_id",
            "relation",
            name=op.f("uq_enterprise_nodes_organization_id_node_id_relation"),
        ),
    )
    with op.batch_alter_table("enterprise_nodes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_enterprise_nodes_node_id"), ["node_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_enterprise_nodes_organization_id"), ["organization_id"], unique=False)

    op.create_table(
        "experts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("affiliation_id", sa.Integer(), nullable=True),
        sa.Column("affiliation_name", sa.String(length=255), nullable=False),
        sa.Column("title", sa.String(length=64), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("programme_tags", sa.JSON(), nullable=False),
        sa.Column("bio", sa.Text(), nullable=False),
        sa.Column("email", sa.String(length=255), nullable=True),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("contact_visibility", sa.String(length=16), nullable=False),
        sa.Column("visibility", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source_dataset", sa.String(length=64), nullable=True),
        sa.Column("source_file", sa.String(length=255), nullable=True),
        sa.Column("source_key", sa.String(length=255), nullable=True),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["affiliation_id"],
            ["organizations.id"],
            name=op.f("fk_experts_affiliation_id_organizations"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_experts_owner_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_experts")),
        sa.UniqueConstraint("source_dataset", "source_key", name=op.f("uq_experts_source_dataset_source_key")),
    )
    with op.batch_alter_table("experts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_experts_affiliation_id"), ["affiliation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_experts_name"), ["name"], unique=False)
        batch_op.create_index(batch_op.f("ix_experts_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_experts_source_dataset"), ["source_dataset"], unique=False)
        batch_op.create_index(batch_op.f("ix_experts_visibility"), ["visibility"], unique=False)

    op.create_table(
        "organization_aliases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("alias", sa.String(length=255), nullable=False),
        sa.Column("normalized", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_organization_aliases_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organization_aliases")),
        sa.UniqueConstraint("organization_id", "alias", name=op.f("uq_organization_aliases_organization_id_alias")),
    )
    with op.batch_alter_table("organization_aliases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_organization_aliases_normalized"), ["normalized"], unique=False)
        batch_op.create_index(batch_op.f("ix_organization_aliases_organization_id"), ["organization_id"], unique=False)

    op.create_table(
        "achievement_owners",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("achievement_id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=True),
        sa.Column("expert_id", sa.Integer(), nullable=True),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.CheckConstraint(
            "(organization_id IS NULL) <> (expert_id IS NULL)", name=op.f("ck_achievement_owners_one_owner")
        ),
        sa.ForeignKeyConstraint(
            ["achievement_id"],
            ["achievements.id"],
            name=op.f("fk_achievement_owners_achievement_id_achievements"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["expert_id"],
            ["experts.id"],
            name=op.f("fk_achievement_owners_expert_id_experts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_achievement_owners_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_achievement_owners")),
    )
    with op.batch_alter_table("achievement_owners", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_achievement_owners_achievement_id"), ["achievement_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_achievement_owners_expert_id"), ["expert_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_achievement_owners_organization_id"), ["organization_id"], unique=False)
    if op.get_bind().dialect.name != "sqlite":
        op.create_foreign_key(
            op.f("fk_users_organization_id_organizations"),
            "users",
            "organizations",
            ["organization_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(op.f("fk_users_organization_id_organizations"), "users", type_="foreignkey")
    with op.batch_alter_table("achievement_owners", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_achievement_owners_organization_id"))
        batch_op.drop_index(batch_op.f("ix_achievement_owners_expert_id"))
        batch_op.drop_index(batch_op.f("ix_achievement_owners_achievement_id"))

    op.drop_table("achievement_owners")
    with op.batch_alter_table("organization_aliases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_organization_aliases_organization_id"))
        batch_op.drop_index(batch_op.f("ix_organization_aliases_normalized"))

    op.drop_table("organization_aliases")
    with op.batch_alter_table("experts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_experts_visibility"))
        batch_op.drop_index(batch_op.f("ix_experts_source_dataset"))
        batch_op.drop_index(batch_op.f("ix_experts_owner_id"))
        batch_op.drop_index(batch_op.f("ix_experts_name"))
        batch_op.drop_index(batch_op.f("ix_experts_affiliation_id"))

    op.drop_table("experts")
    with op.batch_alter_table("enterprise_nodes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_enterprise_nodes_organization_id"))
        batch_op.drop_index(batch_op.f("ix_enterprise_nodes_node_id"))

    op.drop_table("enterprise_nodes")
    with op.batch_alter_table("demands", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_demands_visibility"))
        batch_op.drop_index(batch_op.f("ix_demands_status"))
        batch_op.drop_index(batch_op.f("ix_demands_source_dataset"))
        batch_op.drop_index(batch_op.f("ix_demands_region_code"))
        batch_op.drop_index(batch_op.f("ix_demands_owner_id"))
        batch_op.drop_index(batch_op.f("ix_demands_enterprise_id"))

    op.drop_table("demands")
    with op.batch_alter_table("organizations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_organizations_visibility"))
        batch_op.drop_index(batch_op.f("ix_organizations_source_dataset"))
        batch_op.drop_index(batch_op.f("ix_organizations_region_code"))
        batch_op.drop_index(batch_op.f("ix_organizations_province_code"))
        batch_op.drop_index(batch_op.f("ix_organizations_owner_id"))
        batch_op.drop_index(batch_op.f("ix_organizations_normalized_name"))
        batch_op.drop_index(batch_op.f("ix_organizations_name"))
        batch_op.drop_index(batch_op.f("ix_organizations_listing_code"))
        batch_op.drop_index(batch_op.f("ix_organizations_kind"))

    op.drop_table("organizations")
    with op.batch_alter_table("chain_edges", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_chain_edges_src_id"))
        batch_op.drop_index(batch_op.f("ix_chain_edges_relation"))
        batch_op.drop_index(batch_op.f("ix_chain_edges_dst_id"))

    op.drop_table("chain_edges")
    with op.batch_alter_table("achievements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_achievements_year"))
        batch_op.drop_index(batch_op.f("ix_achievements_visibility"))
        batch_op.drop_index(batch_op.f("ix_achievements_source_dataset"))
        batch_op.drop_index(batch_op.f("ix_achievements_region_code"))
        batch_op.drop_index(batch_op.f("ix_achievements_owner_id"))
        batch_op.drop_index(batch_op.f("ix_achievements_kind"))

    op.drop_table("achievements")
    op.drop_table("users")
    with op.batch_alter_table("regions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_regions_parent_code"))
        batch_op.drop_index(batch_op.f("ix_regions_name"))
        batch_op.drop_index(batch_op.f("ix_regions_level"))

    op.drop_table("regions")
    with op.batch_alter_table("import_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_import_runs_source"))

    op.drop_table("import_runs")
    with op.batch_alter_table("code_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_code_entries_scheme"))
        batch_op.drop_index(batch_op.f("ix_code_entries_parent_code"))

    op.drop_table("code_entries")
    with op.batch_alter_table("chain_nodes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_chain_nodes_name"))
        batch_op.drop_index(batch_op.f("ix_chain_nodes_kind"))

    op.drop_table("chain_nodes")
