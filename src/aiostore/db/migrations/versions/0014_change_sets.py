"""Change sets (preview → commit of bulk stock and price changes), the organization's change policy,
a floor and a sale price per variant and market; the unused `catalog_previews` table gives way to
change sets (catalog publishing will be one more kind of change set).

Revision ID: 0014_change_sets
Revises: 0013_alerts
Create Date: 2026-12-06 05:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0014_change_sets"
down_revision: str | None = "0013_alerts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CURRENT_ORG = "nullif(current_setting('app.org_id', true), '')::uuid"
NEW_TABLES = ("change_sets", "change_set_items")


def _tenant_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
    ]


def _user_fk(table: str, column: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], ["users.id"], name=op.f(f"fk_{table}_{column}_users"), ondelete="SET NULL"
    )


def upgrade() -> None:
    op.drop_index("ix_catalog_previews_org_id_created_at", table_name="catalog_previews")
    op.drop_table("catalog_previews")
    op.add_column(
        "organizations",
        sa.Column(
            "change_policy",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
    )
    op.add_column("variant_prices", sa.Column("sale_amount", sa.BigInteger(), nullable=True))
    op.add_column("variant_prices", sa.Column("min_amount", sa.BigInteger(), nullable=True))
    jsonb = postgresql.JSONB(astext_type=sa.Text())
    op.create_table(
        "change_sets",
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("source", jsonb, nullable=True),
        sa.Column("summary", jsonb, nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("created_by_label", sa.String(length=200), nullable=False),
        sa.Column("committed_by", sa.Uuid(), nullable=True),
        sa.Column("committed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("approved_by", sa.Uuid(), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("rejected_by", sa.Uuid(), nullable=True),
        sa.Column("rejected_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("partial", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("approval_reason", sa.String(length=300), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revert_of", sa.Uuid(), nullable=True),
        *_tenant_columns(),
        _user_fk("change_sets", "created_by"),
        _user_fk("change_sets", "committed_by"),
        _user_fk("change_sets", "approved_by"),
        _user_fk("change_sets", "rejected_by"),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organizations.id"],
            name=op.f("fk_change_sets_org_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["revert_of"],
            ["change_sets.id"],
            name=op.f("fk_change_sets_revert_of_change_sets"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_sets")),
        sa.UniqueConstraint("token", name=op.f("uq_change_sets_token")),
    )
    op.create_index("ix_change_sets_org_id_created_at", "change_sets", ["org_id", "created_at", "id"])
    op.create_index("ix_change_sets_revert_of", "change_sets", ["revert_of"])
    op.create_table(
        "change_set_items",
        sa.Column("change_set_id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("row", sa.BigInteger(), nullable=True),
        sa.Column("sku", sa.String(length=100), nullable=False),
        sa.Column("variant_id", sa.Uuid(), nullable=True),
        sa.Column("channel_account_id", sa.Uuid(), nullable=True),
        sa.Column("market", sa.String(length=2), nullable=True),
        sa.Column("action", sa.String(length=10), nullable=False),
        sa.Column("severity", sa.String(length=10), nullable=True),
        sa.Column("before", jsonb, nullable=True),
        sa.Column("after", jsonb, nullable=True),
        sa.Column("findings", jsonb, nullable=False),
        sa.Column("applied", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        *_tenant_columns(),
        sa.ForeignKeyConstraint(
            ["change_set_id"],
            ["change_sets.id"],
            name=op.f("fk_change_set_items_change_set_id_change_sets"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["variant_id"],
            ["variants.id"],
            name=op.f("fk_change_set_items_variant_id_variants"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["channel_account_id"],
            ["channel_accounts.id"],
            name=op.f("fk_change_set_items_channel_account_id_channel_accounts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organizations.id"],
            name=op.f("fk_change_set_items_org_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_set_items")),
        sa.UniqueConstraint("change_set_id", "seq", name=op.f("uq_change_set_items_change_set_id_seq")),
    )
    op.create_index("ix_change_set_items_change_set_id_sku", "change_set_items", ["change_set_id", "sku"])
    for table in NEW_TABLES:
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        op.execute(
            f"CREATE POLICY tenant_isolation ON {table} USING (org_id = {CURRENT_ORG}) "
            f"WITH CHECK (org_id = {CURRENT_ORG})"
        )


def downgrade() -> None:
    op.drop_index("ix_change_set_items_change_set_id_sku", table_name="change_set_items")
    op.drop_table("change_set_items")
    op.drop_index("ix_change_sets_revert_of", table_name="change_sets")
    op.drop_index("ix_change_sets_org_id_created_at", table_name="change_sets")
    op.drop_table("change_sets")
    op.drop_column("variant_prices", "min_amount")
    op.drop_column("variant_prices", "sale_amount")
    op.drop_column("organizations", "change_policy")
    jsonb = postgresql.JSONB(astext_type=sa.Text())
    op.create_table(
        "catalog_previews",
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("diff", jsonb, nullable=False),
        sa.Column("issues", jsonb, nullable=False),
        sa.Column("summary", jsonb, nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("committed_at", sa.DateTime(timezone=True), nullable=True),
        *_tenant_columns(),
        _user_fk("catalog_previews", "created_by"),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organizations.id"],
            name=op.f("fk_catalog_previews_org_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_previews")),
    )
    op.create_index(
        "ix_catalog_previews_org_id_created_at", "catalog_previews", ["org_id", "created_at"], unique=False
    )
    op.execute("ALTER TABLE catalog_previews ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE catalog_previews FORCE ROW LEVEL SECURITY")
    op.execute(
        f"CREATE POLICY tenant_isolation ON catalog_previews USING (org_id = {CURRENT_ORG}) "
        f"WITH CHECK (org_id = {CURRENT_ORG})"
    )
