"""An organisation's content-rule overrides (tighter limits, disabled warnings, its own forbidden terms):
one row per organisation, tenant-scoped with row-level security like every tenant table.

Revision ID: 0008_content_rules
Revises: 0007
Create Date: 2026-12-06 05:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0008_content_rules"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CURRENT_ORG = "nullif(current_setting('app.org_id', true), '')::uuid"


def upgrade() -> None:
    op.create_table(
        "content_rule_overrides",
        sa.Column("overrides", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organizations.id"],
            name=op.f("fk_content_rule_overrides_org_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_content_rule_overrides")),
        sa.UniqueConstraint("org_id", name=op.f("uq_content_rule_overrides_org_id")),
    )
    op.execute("ALTER TABLE content_rule_overrides ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE content_rule_overrides FORCE ROW LEVEL SECURITY")
    op.execute(
        f"CREATE POLICY tenant_isolation ON content_rule_overrides USING (org_id = {CURRENT_ORG}) "
        f"WITH CHECK (org_id = {CURRENT_ORG})"
    )


def downgrade() -> None:
    op.execute("DROP POLICY IF EXISTS tenant_isolation ON content_rule_overrides")
    op.drop_table("content_rule_overrides")
