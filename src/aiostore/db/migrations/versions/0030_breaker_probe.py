"""A shared circuit breaker marks its probe in flight (`circuit_breakers.probing`).

When the circuit half-opens, one process claims the probe and the row is pushed open for another recovery
time; the others read an open circuit. Without the mark they could not tell a probe in flight from a
circuit just opened, so a job that lost the race waited the whole recovery time again although the
probe closed the circuit a moment later. With it they look again shortly (http/shared.py).

Revision ID: 0030_breaker_probe
Revises: 0029_monthly_month_index
Create Date: 2026-12-06 22:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0030_breaker_probe"
down_revision: str | None = "0029_monthly_month_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "circuit_breakers",
        sa.Column("probing", sa.Boolean(), server_default=sa.false(), nullable=False),
    )


def downgrade() -> None:
    op.drop_column("circuit_breakers", "probing")
