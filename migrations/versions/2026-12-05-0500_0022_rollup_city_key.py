"""Widen the dashboard rollups' `seller_city` to 6 characters and empty the cache: it now holds the seller's city
as the local conversion rate names it (`metrics.city_of`), and `same_city` compares those cities.

Why: the rollups took the first 4 digits of a code as its city, so the dashboard's city figures disagreed with the
rate's city scope wherever those digits do not name one city: a 直辖市 is one city split into 4-digit groups
(北京 1101, a party registered at 110000; 重庆 5001/5002) and a 省直辖县级行政区划 group holds several cities
(仙桃 429004 and 潜江 429005 in 4290, now 6-character keys, hence the wider column). Rollups are rebuilt only when
the newest contract id differs from the one they cover, so rows stored with the old keys would be read as if they
had the new ones; emptying the table makes the next dashboard request rebuild them.
Risk: low (a cache): the first dashboard request after the upgrade pays one rebuild.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-05 05:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | Sequence[str] | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("DELETE FROM contract_rollups")
    with op.batch_alter_table("contract_rollups", schema=None) as batch_op:
        batch_op.alter_column("seller_city", existing_type=sa.String(4), type_=sa.String(6), existing_nullable=False)


def downgrade() -> None:
    op.execute("DELETE FROM contract_rollups")
    with op.batch_alter_table("contract_rollups", schema=None) as batch_op:
        batch_op.alter_column("seller_city", existing_type=sa.String(6), type_=sa.String(4), existing_nullable=False)
