"""An index for a shop's latest push: the scheduler asks it of every shop each minute, to see whether the
shop's pushes have fallen silent (services/sync/gaps.py). Additive; no new table, so no new policy.

Revision ID: 0017_order_gaps
Revises: 0016_shared_quotas
Create Date: 2026-12-06 08:45:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0017_order_gaps"
down_revision: str | None = "0016_shared_quotas"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        op.f("ix_webhook_events_channel_account_id_created_at"),
        "webhook_events",
        ["channel_account_id", "created_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_webhook_events_channel_account_id_created_at"), table_name="webhook_events")
