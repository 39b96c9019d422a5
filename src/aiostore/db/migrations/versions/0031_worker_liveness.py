"""Queue workers whose process holds a lock while it lives (`worker_liveness`, worker/liveness.py).

A worker process lists each of its queue workers here and holds an advisory lock for it on a connection
of its own; the lock goes with the process. A listed worker whose lock another process can take died,
and its running jobs go back to the queue at once, not after its heartbeat went stale.

Revision ID: 0031_worker_liveness
Revises: 0030_breaker_probe
Create Date: 2026-12-06 23:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0031_worker_liveness"
down_revision: str | None = "0030_breaker_probe"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "worker_liveness",
        sa.Column("worker_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.PrimaryKeyConstraint("worker_id", name=op.f("pk_worker_liveness")),
    )


def downgrade() -> None:
    op.drop_table("worker_liveness")
