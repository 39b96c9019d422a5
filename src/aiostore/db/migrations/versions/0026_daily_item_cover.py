"""The daily item roll-up's index on (org, dim, key, day) also holds the rest of the row (INCLUDE): sales by
day or week and product or SKU read the page's items' series through it alone (an index-only scan),
instead of one heap page per row (a year of 50 products is about 50,000 rows). The index replaces the
one of the same name and key columns from 0018; a figure's update can no longer be a HOT update.

Revision ID: 0026_daily_item_cover
Revises: 0025_item_day_totals
Create Date: 2026-12-06 12:20:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0026_daily_item_cover"
down_revision: str | None = "0025_item_day_totals"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME = "ix_sales_items_daily_item"
KEY = ["org_id", "dim", "key", "day"]
INCLUDE = ["channel_account_id", "market", "currency", "placed", "cancelled", "returned", "units", "amount"]


def upgrade() -> None:
    op.drop_index(NAME, table_name="sales_items_daily")
    op.create_index(NAME, "sales_items_daily", KEY, postgresql_include=INCLUDE)


def downgrade() -> None:
    op.drop_index(NAME, table_name="sales_items_daily")
    op.create_index(NAME, "sales_items_daily", KEY)
