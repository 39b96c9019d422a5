"""Push propagation: which sales each stock push carried, and a wake-up when a queue lock is released.

- `listings.sale_pending`: the times of the sales in other shops (their `order` ledger movements) that
  changed the listing's stock and that no push has carried yet, oldest first (at most 50 kept).
- `sync_jobs.sale_at`, `sales_carried`, `pushed_at`: a stock push's oldest carried sale, how many it
  carried, and when the platform accepted the call; the operations report's propagation reads these
  (`ix_sync_jobs_propagation`, an index-only scan per range).
- A trigger on procrastinate's jobs: when a job holding a `lock` finishes, a job of the same lock waiting
  in the queue is announced as procrastinate announces a new job (NOTIFY `job_inserted`), so a worker
  fetches it at once instead of at its next poll.

Revision ID: 0020_push_propagation
Revises: 0019_reconciliation
Create Date: 2026-12-06 08:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0020_push_propagation"
down_revision: str | None = "0019_reconciliation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LOCK_RELEASED_SQL = [
    """CREATE FUNCTION aiostore_notify_lock_released() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        waiting RECORD;
        payload TEXT;
    BEGIN
        SELECT id, queue_name INTO waiting FROM procrastinate_jobs
         WHERE lock = NEW.lock AND status = 'todo' ORDER BY id LIMIT 1;
        IF FOUND THEN
            payload := json_build_object('type', 'job_inserted', 'job_id', waiting.id)::text;
            PERFORM pg_notify('procrastinate_queue_v1#' || waiting.queue_name, payload);
            PERFORM pg_notify('procrastinate_any_queue_v1', payload);
        END IF;
        RETURN NEW;
    END;
    $$""",
    """CREATE TRIGGER aiostore_jobs_notify_lock_released
    AFTER UPDATE OF status ON procrastinate_jobs
    FOR EACH ROW WHEN (old.status = 'doing' AND new.status <> 'doing' AND new.lock IS NOT NULL)
    EXECUTE PROCEDURE aiostore_notify_lock_released()""",
]


def upgrade() -> None:
    op.add_column(
        "listings",
        sa.Column(
            "sale_pending",
            postgresql.ARRAY(sa.DateTime(timezone=True)),
            server_default=sa.text("'{}'"),
            nullable=False,
        ),
    )
    op.add_column("sync_jobs", sa.Column("sale_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("sync_jobs", sa.Column("sales_carried", sa.BigInteger(), nullable=True))
    op.add_column("sync_jobs", sa.Column("pushed_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index(
        "ix_sync_jobs_propagation",
        "sync_jobs",
        ["org_id", "pushed_at"],
        postgresql_include=["channel_account_id", "sale_at"],
        postgresql_where=sa.text("sale_at IS NOT NULL"),
    )
    for statement in LOCK_RELEASED_SQL:
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS aiostore_jobs_notify_lock_released ON procrastinate_jobs")
    op.execute("DROP FUNCTION IF EXISTS aiostore_notify_lock_released()")
    op.drop_index("ix_sync_jobs_propagation", table_name="sync_jobs")
    op.drop_column("sync_jobs", "pushed_at")
    op.drop_column("sync_jobs", "sales_carried")
    op.drop_column("sync_jobs", "sale_at")
    op.drop_column("listings", "sale_pending")
