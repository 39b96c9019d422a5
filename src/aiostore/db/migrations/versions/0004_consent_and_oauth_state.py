"""Consent and bound OAuth state: invitations the invitee answers, the org a login opens in, and
single-use marketplace authorizations tied to the browser session that started them.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06 03:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CURRENT_ORG = "nullif(current_setting('app.org_id', true), '')::uuid"
CURRENT_USER = "nullif(current_setting('app.user_id', true), '')::uuid"
# The signed-in user's email, from the global users table.
CURRENT_EMAIL = f"(SELECT lower(u.email) FROM users u WHERE u.id = {CURRENT_USER})"
OLD_ORG_USING = f"id = {CURRENT_ORG} OR id IN (SELECT org_id FROM memberships WHERE user_id = {CURRENT_USER})"


def _org_policy(using: str) -> None:
    op.execute("DROP POLICY tenant_isolation ON organizations")
    op.execute(
        f"CREATE POLICY tenant_isolation ON organizations USING ({using}) WITH CHECK (id = {CURRENT_ORG})"
    )


def upgrade() -> None:
    op.add_column("invitations", sa.Column("declined_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("users", sa.Column("last_org_id", sa.Uuid(), nullable=True))
    op.create_foreign_key(
        op.f("fk_users_last_org_id_organizations"),
        "users",
        "organizations",
        ["last_org_id"],
        ["id"],
        ondelete="SET NULL",
    )
    op.create_table(
        "oauth_states",
        sa.Column("state_hash", sa.String(length=64), nullable=False),
        sa.Column("user_session_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("platform", sa.String(length=20), nullable=False),
        sa.Column("market", sa.String(length=2), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organizations.id"],
            name=op.f("fk_oauth_states_org_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_oauth_states_user_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_session_id"],
            ["user_sessions.id"],
            name=op.f("fk_oauth_states_user_session_id_user_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oauth_states")),
        sa.UniqueConstraint("state_hash", name=op.f("uq_oauth_states_state_hash")),
    )
    op.create_index("ix_oauth_states_expires_at", "oauth_states", ["expires_at"], unique=False)
    # The invitee may read the invitations sent to their email (to list, accept or decline them) ...
    op.execute(f"CREATE POLICY invitee_read ON invitations FOR SELECT USING (lower(email) = {CURRENT_EMAIL})")
    # ... and see the name of an org that invited them.
    _org_policy(
        f"{OLD_ORG_USING} OR id IN (SELECT org_id FROM invitations WHERE lower(email) = {CURRENT_EMAIL})"
    )


def downgrade() -> None:
    _org_policy(OLD_ORG_USING)
    op.execute("DROP POLICY invitee_read ON invitations")
    op.drop_index("ix_oauth_states_expires_at", table_name="oauth_states")
    op.drop_table("oauth_states")
    op.drop_constraint(op.f("fk_users_last_org_id_organizations"), "users", type_="foreignkey")
    op.drop_column("users", "last_org_id")
    op.drop_column("invitations", "declined_at")
