"""Registry list indexes: the portal's whitelisted sort and filter columns, led by `visibility`.

Why: an anonymous list is `WHERE [kind = ?] AND visibility = 'public' ORDER BY <column> LIMIT 20`, and its
capped count reads the same WHERE. With single-column indexes SQLite walks one index and fetches every row to
test the other condition (40 ms for 10k rows); with (kind, visibility, column) / (visibility, column) the page is
an ordered index walk and the count is a covering index scan. Measured in `## Portal pages` of
docs/benchmarks.md (1M achievements). Privileged viewers have no visibility condition and use the single-column
indexes of 0001. Risk: index builds lock the tables briefly and take disk (about 90 MB for the title index at 1M
achievements); no data changes; downgrade drops them.

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
    ("ix_achievements_kind_visibility_year", "achievements", ["kind", "visibility", "year"]),
    ("ix_achievements_visibility_year", "achievements", ["visibility", "year"]),
    ("ix_achievements_visibility_title", "achievements", ["visibility", "title"]),
    ("ix_achievements_visibility_trl", "achievements", ["visibility", "trl"]),
    ("ix_achievements_visibility_region_code", "achievements", ["visibility", "region_code"]),
    ("ix_organizations_kind_visibility_name", "organizations", ["kind", "visibility", "name"]),
    ("ix_organizations_kind_visibility_founded_on", "organizations", ["kind", "visibility", "founded_on"]),
    ("ix_demands_visibility_deadline", "demands", ["visibility", "deadline"]),
]


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)


def downgrade() -> None:
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
