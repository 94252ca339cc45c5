"""Registry list indexes: the portal's whitelisted sort and filter columns.

Why: list pages sort and filter achievements by kind + year, title and TRL, organizations by kind + name and
founding date, and demands by deadline; without these, a sorted page over a million achievements is a full scan
plus a sort (see `## Portal pages` in docs/benchmarks.md). Risk: index builds lock the tables briefly and take disk
(about 60 MB for the title index at 1M achievements); no data changes, downgrade drops them.

Revision ID: 0005
Revises: 0001
Create Date: 2026-11-25 23:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES: list[tuple[str, str, list[str]]] = [
    ("ix_achievements_kind_year", "achievements", ["kind", "year"]),
    ("ix_achievements_title", "achievements", ["title"]),
    ("ix_achievements_trl", "achievements", ["trl"]),
    ("ix_organizations_kind_name", "organizations", ["kind", "name"]),
    ("ix_organizations_founded_on", "organizations", ["founded_on"]),
    ("ix_demands_deadline", "demands", ["deadline"]),
]


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)


def downgrade() -> None:
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
