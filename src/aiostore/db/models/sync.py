"""Sync jobs (what people see of the job queue)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from aiostore.db.base import Base, TenantScoped


class SyncJob(TenantScoped, Base):
    __tablename__ = "sync_jobs"
    __table_args__ = (
        Index("ix_sync_jobs_org_id_created_at", "org_id", "created_at", "id"),
        Index("ix_sync_jobs_org_id_status", "org_id", "status"),
        Index("ix_sync_jobs_org_id_kind", "org_id", "kind"),
        Index("ix_sync_jobs_org_id_channel_account_id", "org_id", "channel_account_id"),
        Index("ix_sync_jobs_report", "channel_account_id", "kind", "status", "finished_at"),
        Index(
            "ix_sync_jobs_propagation",
            "org_id",
            "pushed_at",
            postgresql_include=["channel_account_id", "sale_at"],
            postgresql_where=text("sale_at IS NOT NULL"),
        ),
    )
    kind: Mapped[str] = mapped_column(String(40))
    channel_account_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("channel_accounts.id", ondelete="SET NULL")
    )
    status: Mapped[str] = mapped_column(String(20), default="queued")
    attempts: Mapped[int] = mapped_column(default=0)
    max_attempts: Mapped[int] = mapped_column(default=5)
    next_attempt_at: Mapped[datetime | None]
    progress_done: Mapped[int] = mapped_column(default=0)
    progress_total: Mapped[int | None]
    error: Mapped[str | None] = mapped_column(Text)
    dry_run: Mapped[bool] = mapped_column(default=True)
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    started_by: Mapped[str] = mapped_column(String(20), default="user")  # user | webhook | schedule | system
    started_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    queue_job_id: Mapped[int | None]
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    result: Mapped[dict[str, Any]] = mapped_column(
        default=dict, server_default=text("'{}'::jsonb")
    )  # summary: counts, unmatched, ...
    # A stock push: the oldest sale in another shop it carried, how many, and when the platform took it.
    sale_at: Mapped[datetime | None]
    sales_carried: Mapped[int | None]
    pushed_at: Mapped[datetime | None]


class SyncJobItem(TenantScoped, Base):
    __tablename__ = "sync_job_items"
    __table_args__ = (
        Index("ix_sync_job_items_job_id", "job_id"),
        # the operations report: failed push items by time
        Index("ix_sync_job_items_failed", "org_id", "created_at", postgresql_where=text("result = 'failed'")),
    )
    job_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sync_jobs.id", ondelete="CASCADE"))
    ref: Mapped[str] = mapped_column(String(200))
    result: Mapped[str] = mapped_column(String(20))  # ok | failed | skipped
    error: Mapped[str | None] = mapped_column(Text)
    dry_run: Mapped[bool] = mapped_column(default=False)
    request: Mapped[dict[str, Any]] = mapped_column(default=dict)
