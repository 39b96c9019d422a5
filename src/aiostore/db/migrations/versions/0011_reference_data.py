"""Platform reference data cached per platform and market: category trees, category attributes, brands.
Global tables (no org_id, no row-level security), like channel_routes: what a platform publishes to every
seller of a market, never which shop fetched it.

Revision ID: 0011_reference_data
Revises: 0010_price_dirty
Create Date: 2026-12-06 05:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0011_reference_data"
down_revision: str | None = "0010_price_dirty"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "platform_categories",
        sa.Column("platform", sa.String(length=20), nullable=False),
        sa.Column("market", sa.String(length=2), nullable=False),
        sa.Column("category_id", sa.String(length=64), nullable=False),
        sa.Column("parent_id", sa.String(length=64), nullable=True),
        sa.Column("name_en", sa.Text(), nullable=False),
        sa.Column("name_id", sa.Text(), nullable=False),
        sa.Column("leaf", sa.Boolean(), nullable=False),
        sa.Column("fetched_at", TZ, nullable=False),
        sa.Column("expires_at", TZ, nullable=False),
        sa.Column("brand_required", sa.Boolean(), nullable=True),
        sa.Column("attributes_expire_at", TZ, nullable=True),
        sa.Column("brands_expire_at", TZ, nullable=True),
        sa.PrimaryKeyConstraint("platform", "market", "category_id", name=op.f("pk_platform_categories")),
    )
    op.create_index(
        "ix_platform_categories_platform_market_parent_id",
        "platform_categories",
        ["platform", "market", "parent_id"],
    )
    op.create_table(
        "platform_attributes",
        sa.Column("platform", sa.String(length=20), nullable=False),
        sa.Column("market", sa.String(length=2), nullable=False),
        sa.Column("category_id", sa.String(length=64), nullable=False),
        sa.Column("attribute_id", sa.String(length=64), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("name_en", sa.Text(), nullable=False),
        sa.Column("name_id", sa.Text(), nullable=False),
        sa.Column("mandatory", sa.Boolean(), nullable=True),
        sa.Column("input_type", sa.String(length=20), nullable=False),
        sa.Column("options", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("units", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("fetched_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint(
            "platform", "market", "category_id", "attribute_id", name=op.f("pk_platform_attributes")
        ),
    )
    op.create_table(
        "platform_brands",
        sa.Column("platform", sa.String(length=20), nullable=False),
        sa.Column("market", sa.String(length=2), nullable=False),
        sa.Column("category_id", sa.String(length=64), nullable=False),
        sa.Column("brand_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("fetched_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint(
            "platform", "market", "category_id", "brand_id", name=op.f("pk_platform_brands")
        ),
    )


def downgrade() -> None:
    op.drop_table("platform_brands")
    op.drop_table("platform_attributes")
    op.drop_index("ix_platform_categories_platform_market_parent_id", table_name="platform_categories")
    op.drop_table("platform_categories")
