"""The limits a platform serves for a category (Shopee get_item_limit), cached with the category: a global
reference table like the rest of the category tree, so no row-level security (it holds nothing of a tenant).

Revision ID: 0027_category_limits
Revises: 0026_daily_item_cover
Create Date: 2026-12-06 12:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0027_category_limits"
down_revision: str | None = "0026_daily_item_cover"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "platform_categories",
        sa.Column("limits", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    )


def downgrade() -> None:
    op.drop_column("platform_categories", "limits")
