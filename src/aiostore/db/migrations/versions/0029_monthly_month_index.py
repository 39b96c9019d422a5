"""An index on the monthly item roll-up by org, item kind and month that holds the rest of the row
(INCLUDE): grouping a range by product or SKU reads its whole months' rows of those kinds through it alone
(an index-only scan) instead of a sequential scan of every month the organisation has (a year by SKU on
the analytics bench: 36,000 of 125,000 rows, 13 -> 4.5 ms). Like 0026's, a figure's update is then never
a HOT update.

Revision ID: 0029_monthly_month_index
Revises: 0028_image_uploads
Create Date: 2026-12-06 14:50:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0029_monthly_month_index"
down_revision: str | None = "0028_image_uploads"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME = "ix_sales_items_monthly_month"
KEY = ["org_id", "dim", "month"]
INCLUDE = [
    "channel_account_id",
    "market",
    "currency",
    "key",
    "placed",
    "cancelled",
    "returned",
    "units",
    "amount",
]


def upgrade() -> None:
    op.create_index(NAME, "sales_items_monthly", KEY, postgresql_include=INCLUDE)


def downgrade() -> None:
    op.drop_index(NAME, table_name="sales_items_monthly")
