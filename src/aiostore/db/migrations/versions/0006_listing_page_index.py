"""Listings by age: the Listings page and GET /api/listings page through an org's listings oldest first.

Without an index on (org_id, created_at, id) every page sorted all of the org's listings (40,000 for a
big seller) to return 50; with it a page reads 51 rows from the index.

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_listings_org_id_created_at", "listings", ["org_id", "created_at", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_listings_org_id_created_at", table_name="listings")
