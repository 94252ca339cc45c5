"""Merge the branches built in parallel on 2026-12-03 (audit and login failures, outbox, real ground, tier pools,
subscriptions/notifications/对接 requests).

Why: each feature's migration branched from 0006; this revision joins them so `alembic upgrade head` has a single
target again. Risk: none (no schema change).

Revision ID: 0016
Revises: 0008, 0010, 0011, 0012, 0015
Create Date: 2026-12-03 21:00:00
"""

from collections.abc import Sequence

revision: str = "0016"
down_revision: str | Sequence[str] | None = ("0008", "0010", "0011", "0012", "0015")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
