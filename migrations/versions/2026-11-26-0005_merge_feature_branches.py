"""Merge the feature branches (search vectors, enterprise facts, transfers and challenges, registry indexes).

Why: the four features were built in parallel, each migration branching from the registry foundation (0001);
this revision joins them so `alembic upgrade head` has a single target again. Risk: none (no schema change).

Revision ID: 0006
Revises: 0002, 0003, 0004, 0005
Create Date: 2026-11-26 00:05:00
"""

from collections.abc import Sequence

revision: str = "0006"
down_revision: str | Sequence[str] | None = ("0002", "0003", "0004", "0005")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
