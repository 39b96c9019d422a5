"""Reconciliation: findings of what a shop shows against our master data (drift, seller-centre edits,
writes accepted and not applied), the organization's policy per kind, and each shop's read cursor.

Revision ID: 0019_reconciliation
Revises: 0018_report_rollups
Create Date: 2026-12-06 08:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0019_reconciliation"
down_revision: str | None = "0018_report_rollups"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CURRENT_ORG = "nullif(current_setting('app.org_id', true), '')::uuid"
TABLE = "reconciliation_findings"


def _fk(column: str, table: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{table}.id"], name=op.f(f"fk_{TABLE}_{column}_{table}"), ondelete=ondelete
    )


def upgrade() -> None:
    op.add_column(
        "organizations",
        sa.Column(
            "reconciliation_policy",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
    )
    op.add_column("channel_accounts", sa.Column("reconcile_cursor", sa.String(length=100), nullable=True))
    op.add_column("channel_accounts", sa.Column("reconciled_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        TABLE,
        sa.Column("channel_account_id", sa.Uuid(), nullable=False),
        sa.Column("listing_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("cause", sa.String(length=20), nullable=False),
        sa.Column("sku", sa.String(length=100), nullable=False),
        sa.Column("ours", sa.String(length=300), nullable=True),
        sa.Column("theirs", sa.String(length=300), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seen_count", sa.BigInteger(), server_default=sa.text("1"), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_by", sa.Uuid(), nullable=True),
        sa.Column("change_set_id", sa.Uuid(), nullable=True),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        _fk("channel_account_id", "channel_accounts", "CASCADE"),
        _fk("listing_id", "listings", "CASCADE"),
        _fk("resolved_by", "users", "SET NULL"),
        _fk("change_set_id", "change_sets", "SET NULL"),
        _fk("org_id", "organizations", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{TABLE}")),
    )
    op.create_index(f"ix_{TABLE}_org_id_created_at", TABLE, ["org_id", "created_at", "id"])
    op.create_index(
        f"uq_{TABLE}_open",
        TABLE,
        ["listing_id", "kind"],
        unique=True,
        postgresql_where=sa.text("status IN ('open', 'repairing', 'adopting')"),
    )
    op.execute(f"ALTER TABLE {TABLE} ENABLE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {TABLE} FORCE ROW LEVEL SECURITY")
    op.execute(
        f"CREATE POLICY tenant_isolation ON {TABLE} USING (org_id = {CURRENT_ORG}) "
        f"WITH CHECK (org_id = {CURRENT_ORG})"
    )


def downgrade() -> None:
    op.execute(f"DROP POLICY IF EXISTS tenant_isolation ON {TABLE}")
    op.drop_index(f"uq_{TABLE}_open", table_name=TABLE)
    op.drop_index(f"ix_{TABLE}_org_id_created_at", table_name=TABLE)
    op.drop_table(TABLE)
    op.drop_column("channel_accounts", "reconciled_at")
    op.drop_column("channel_accounts", "reconcile_cursor")
    op.drop_column("organizations", "reconciliation_policy")
