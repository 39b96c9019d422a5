"""Listing review: where the platform's review of a created or edited listing stands (TikTok Shop audit,
Lazada QC, Shopee review, Tokopedia pending), the platform's reason and code when it refused it, and when
we last read it. The alert rule "listing rejected" also looks at a rejected review (its partial index is
rebuilt with the new predicate).

Revision ID: 0021_listing_review
Revises: 0020_push_propagation
Create Date: 2026-12-06 08:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021_listing_review"
down_revision: str | None = "0020_push_propagation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_REJECTED = "sync_state = 'error' OR status = 'banned'"
REJECTED = "sync_state = 'error' OR status = 'banned' OR review_state = 'rejected'"


def upgrade() -> None:
    op.add_column("listings", sa.Column("review_state", sa.String(20), nullable=True))
    op.add_column("listings", sa.Column("review_reason", sa.Text(), nullable=True))
    op.add_column("listings", sa.Column("review_code", sa.String(100), nullable=True))
    op.add_column("listings", sa.Column("review_checked_at", sa.DateTime(timezone=True), nullable=True))
    op.drop_index("ix_listings_rejected", table_name="listings", postgresql_where=sa.text(OLD_REJECTED))
    op.create_index("ix_listings_rejected", "listings", ["org_id"], postgresql_where=sa.text(REJECTED))


def downgrade() -> None:
    op.drop_index("ix_listings_rejected", table_name="listings", postgresql_where=sa.text(REJECTED))
    op.create_index("ix_listings_rejected", "listings", ["org_id"], postgresql_where=sa.text(OLD_REJECTED))
    for column in ("review_checked_at", "review_code", "review_reason", "review_state"):
        op.drop_column("listings", column)
