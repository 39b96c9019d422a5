"""A listing's price outcome apart from its stock's: `price_sync_state` (in_sync, retrying, error; NULL
until a price is pushed) and `price_error`, so a later successful stock push no longer clears a price the
platform refused. The partial index the `listing_rejected` alert reads now covers a refused price too.

Columns on `listings`, a tenant table whose row-level security already covers them.

Revision ID: 0023_price_sync_state
Revises: 0022_token_health
Create Date: 2026-12-06 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023_price_sync_state"
down_revision: str | None = "0022_token_health"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD = "sync_state = 'error' OR status = 'banned' OR review_state = 'rejected'"
NEW = "sync_state = 'error' OR price_sync_state = 'error' OR status = 'banned' OR review_state = 'rejected'"


def upgrade() -> None:
    op.add_column("listings", sa.Column("price_sync_state", sa.String(20)))
    op.add_column("listings", sa.Column("price_error", sa.Text()))
    op.drop_index("ix_listings_rejected", table_name="listings")
    op.create_index("ix_listings_rejected", "listings", ["org_id"], postgresql_where=sa.text(NEW))


def downgrade() -> None:
    op.drop_index("ix_listings_rejected", table_name="listings")
    op.create_index("ix_listings_rejected", "listings", ["org_id"], postgresql_where=sa.text(OLD))
    op.drop_column("listings", "price_error")
    op.drop_column("listings", "price_sync_state")
