"""Allocation rules (per shop, and per SKU on a shop) and promotion reservations (per variant and shop).

Revision ID: 0009_allocation_rules
Revises: 0008_content_rules
Create Date: 2026-12-06 05:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_allocation_rules"
down_revision: str | None = "0008_content_rules"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CURRENT_ORG = "nullif(current_setting('app.org_id', true), '')::uuid"
TABLES = ("allocation_rules", "promotion_reservations")


def _common(table: str) -> list[sa.schema.SchemaItem]:
    return [
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organizations.id"],
            name=op.f(f"fk_{table}_org_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
    ]


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"), ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "allocation_rules",
        sa.Column("channel_account_id", sa.Uuid(), nullable=False),
        sa.Column("variant_id", sa.Uuid(), nullable=True),
        sa.Column("share_percent", sa.BigInteger(), nullable=True),
        sa.Column("cap", sa.BigInteger(), nullable=True),
        sa.Column("keep_last", sa.BigInteger(), nullable=True),
        sa.Column("keep_for_channel_id", sa.Uuid(), nullable=True),
        *_common("allocation_rules"),
        _fk("allocation_rules", "channel_account_id", "channel_accounts"),
        _fk("allocation_rules", "variant_id", "variants"),
        _fk("allocation_rules", "keep_for_channel_id", "channel_accounts"),
        sa.CheckConstraint(
            "share_percent BETWEEN 0 AND 100", name=op.f("ck_allocation_rules_share_percent_range")
        ),
        sa.CheckConstraint("cap >= 0", name=op.f("ck_allocation_rules_cap_non_negative")),
        sa.CheckConstraint("keep_last >= 0", name=op.f("ck_allocation_rules_keep_last_non_negative")),
        sa.CheckConstraint(
            "(keep_last IS NULL) = (keep_for_channel_id IS NULL)",
            name=op.f("ck_allocation_rules_keep_last_with_shop"),
        ),
        sa.CheckConstraint(
            "share_percent IS NOT NULL OR cap IS NOT NULL OR keep_last IS NOT NULL",
            name=op.f("ck_allocation_rules_not_empty"),
        ),
        sa.UniqueConstraint(
            "channel_account_id",
            "variant_id",
            name=op.f("uq_allocation_rules_channel_account_id_variant_id"),
            postgresql_nulls_not_distinct=True,
        ),
    )
    op.create_index("ix_allocation_rules_org_id_variant_id", "allocation_rules", ["org_id", "variant_id"])
    op.create_table(
        "promotion_reservations",
        sa.Column("variant_id", sa.Uuid(), nullable=False),
        sa.Column("channel_account_id", sa.Uuid(), nullable=False),
        sa.Column("units", sa.BigInteger(), nullable=False),
        sa.Column("campaign", sa.String(length=200), nullable=False),
        *_common("promotion_reservations"),
        _fk("promotion_reservations", "variant_id", "variants"),
        _fk("promotion_reservations", "channel_account_id", "channel_accounts"),
        sa.CheckConstraint("units >= 0", name=op.f("ck_promotion_reservations_units_non_negative")),
        sa.UniqueConstraint(
            "variant_id",
            "channel_account_id",
            name=op.f("uq_promotion_reservations_variant_id_channel_account_id"),
        ),
    )
    op.create_index(
        "ix_promotion_reservations_org_id_channel_account_id",
        "promotion_reservations",
        ["org_id", "channel_account_id"],
    )
    for table in TABLES:
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        op.execute(
            f"CREATE POLICY tenant_isolation ON {table} USING (org_id = {CURRENT_ORG}) "
            f"WITH CHECK (org_id = {CURRENT_ORG})"
        )


def downgrade() -> None:
    op.drop_table("promotion_reservations")
    op.drop_table("allocation_rules")
