"""Listing price dirty flag and version: a committed price change waits here for the shop's push.

Revision ID: 0010_price_dirty
Revises: 0009_allocation_rules
Create Date: 2026-12-06 05:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_price_dirty"
down_revision: str | None = "0009_allocation_rules"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "listings", sa.Column("price_dirty", sa.Boolean(), server_default=sa.text("false"), nullable=False)
    )
    op.add_column("listings", sa.Column("price_dirty_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column(
        "listings", sa.Column("price_version", sa.BigInteger(), server_default=sa.text("0"), nullable=False)
    )
    op.create_index(
        "ix_listings_price_dirty",
        "listings",
        ["channel_account_id"],
        unique=False,
        postgresql_where=sa.text("price_dirty"),
    )


def downgrade() -> None:
    op.drop_index("ix_listings_price_dirty", table_name="listings", postgresql_where=sa.text("price_dirty"))
    op.drop_column("listings", "price_version")
    op.drop_column("listings", "price_dirty_at")
    op.drop_column("listings", "price_dirty")
