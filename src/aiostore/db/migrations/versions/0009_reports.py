"""Reports: an organisation's reporting currency and its own dated exchange rates (tenant-scoped, RLS),
and the indexes the reports group and join by.

Revision ID: 0009_reports
Revises: 0008_content_rules
Create Date: 2026-12-06 06:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_reports"
down_revision: str | None = "0008_content_rules"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CURRENT_ORG = "nullif(current_setting('app.org_id', true), '')::uuid"


def upgrade() -> None:
    op.add_column("organizations", sa.Column("reporting_currency", sa.String(3), nullable=True))
    op.create_table(
        "exchange_rates",
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("rate", sa.Numeric(24, 10), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organizations.id"],
            name=op.f("fk_exchange_rates_org_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_rates")),
        sa.UniqueConstraint(
            "org_id", "currency", "valid_from", name=op.f("uq_exchange_rates_org_id_currency_valid_from")
        ),
    )
    op.execute("ALTER TABLE exchange_rates ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE exchange_rates FORCE ROW LEVEL SECURITY")
    op.execute(
        f"CREATE POLICY tenant_isolation ON exchange_rates USING (org_id = {CURRENT_ORG}) "
        f"WITH CHECK (org_id = {CURRENT_ORG})"
    )
    # The sales reports read orders by placement time and need nothing else from the heap.
    op.create_index(
        "ix_orders_report",
        "orders",
        ["org_id", "placed_at"],
        postgresql_include=["id", "channel_account_id", "market", "currency", "status", "total_amount"],
    )
    op.create_index(
        "ix_order_lines_report",
        "order_lines",
        ["order_id"],
        postgresql_include=["variant_id", "quantity", "unit_price", "currency"],
    )
    op.create_index(
        "ix_inventory_ledger_sales",
        "inventory_ledger",
        ["org_id", "created_at"],
        postgresql_where=sa.text("cause = 'order'"),
    )
    op.create_index(
        "ix_inventory_ledger_out",
        "inventory_ledger",
        ["org_id", "created_at"],
        postgresql_where=sa.text("on_hand_after - reserved_after <= 0"),
    )
    op.create_index(
        "ix_sync_jobs_report",
        "sync_jobs",
        ["channel_account_id", "kind", "status", "finished_at"],
    )


def downgrade() -> None:
    op.drop_index("ix_sync_jobs_report", table_name="sync_jobs")
    op.drop_index("ix_inventory_ledger_out", table_name="inventory_ledger")
    op.drop_index("ix_inventory_ledger_sales", table_name="inventory_ledger")
    op.drop_index("ix_order_lines_report", table_name="order_lines")
    op.drop_index("ix_orders_report", table_name="orders")
    op.execute("DROP POLICY IF EXISTS tenant_isolation ON exchange_rates")
    op.drop_table("exchange_rates")
    op.drop_column("organizations", "reporting_currency")
