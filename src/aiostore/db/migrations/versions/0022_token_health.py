"""A shop's authorisation health: when the platform says the authorisation ends (Lazada's message type 8),
the last successful refresh, and the refreshes failing since (how many, when, the last error).

Columns on `channel_accounts`, a tenant table whose row-level security already covers them.

Revision ID: 0022_token_health
Revises: 0021_listing_review
Create Date: 2026-12-06 08:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022_token_health"
down_revision: str | None = "0021_listing_review"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("channel_accounts", sa.Column("authorization_expires_at", sa.DateTime(timezone=True)))
    op.add_column("channel_accounts", sa.Column("refreshed_at", sa.DateTime(timezone=True)))
    op.add_column(
        "channel_accounts",
        sa.Column("refresh_failures", sa.Integer(), server_default=sa.text("0"), nullable=False),
    )
    op.add_column("channel_accounts", sa.Column("refresh_failed_at", sa.DateTime(timezone=True)))
    op.add_column("channel_accounts", sa.Column("refresh_error", sa.Text()))


def downgrade() -> None:
    for column in (
        "refresh_error",
        "refresh_failed_at",
        "refresh_failures",
        "refreshed_at",
        "authorization_expires_at",
    ):
        op.drop_column("channel_accounts", column)
