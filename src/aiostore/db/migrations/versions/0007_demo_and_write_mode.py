"""Per-shop write mode (dry or live; NULL: the installation's AIOSTORE_WRITE_MODE) and the demo flag of an
organization (the one `POST /demo` builds, which a reset may delete and rebuild).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 02:55:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("channel_accounts", sa.Column("write_mode", sa.String(length=4), nullable=True))
    op.create_check_constraint(
        op.f("ck_channel_accounts_write_mode"), "channel_accounts", "write_mode IN ('dry', 'live')"
    )
    op.add_column(
        "organizations", sa.Column("is_demo", sa.Boolean(), server_default=sa.text("false"), nullable=False)
    )


def downgrade() -> None:
    op.drop_column("organizations", "is_demo")
    op.drop_constraint(op.f("ck_channel_accounts_write_mode"), "channel_accounts", type_="check")
    op.drop_column("channel_accounts", "write_mode")
