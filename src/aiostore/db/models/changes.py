"""Change sets: a bulk change (stock, price; catalog publishing later) previewed, then committed.

A preview freezes every item's before and after state and its findings; a commit names the preview by
its token and applies it only if the base it was computed from has not changed since.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from aiostore.db.base import Base, TenantScoped


class ChangeSet(TenantScoped, Base):
    __tablename__ = "change_sets"
    __table_args__ = (
        Index("ix_change_sets_org_id_created_at", "org_id", "created_at", "id"),
        Index("ix_change_sets_revert_of", "revert_of"),
    )
    kind: Mapped[str] = mapped_column(String(10))  # stock | price (catalog later)
    # previewed | awaiting_approval | committed | rejected (expired: a preview past expires_at)
    status: Mapped[str] = mapped_column(String(20), default="previewed")
    token: Mapped[str] = mapped_column(String(64), unique=True)
    reason: Mapped[str] = mapped_column(String(500), default="")
    source: Mapped[dict[str, Any] | None]
    summary: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_by_label: Mapped[str] = mapped_column(String(200), default="")
    committed_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    committed_at: Mapped[datetime | None]
    approved_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    approved_at: Mapped[datetime | None]
    rejected_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    rejected_at: Mapped[datetime | None]
    # What the commit asked for, kept for the approval that applies it.
    partial: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    approval_reason: Mapped[str | None] = mapped_column(String(300))
    expires_at: Mapped[datetime]
    revert_of: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("change_sets.id", ondelete="SET NULL"))


class ChangeSetItem(TenantScoped, Base):
    __tablename__ = "change_set_items"
    __table_args__ = (
        UniqueConstraint("change_set_id", "seq"),
        Index("ix_change_set_items_change_set_id_sku", "change_set_id", "sku"),
    )
    change_set_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("change_sets.id", ondelete="CASCADE"))
    seq: Mapped[int]  # the item's index in the request (findings name items.<seq>)
    row: Mapped[int | None]  # the spreadsheet row it came from, if any
    sku: Mapped[str] = mapped_column(String(100))
    variant_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("variants.id", ondelete="SET NULL"))
    channel_account_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("channel_accounts.id", ondelete="SET NULL")
    )
    market: Mapped[str | None] = mapped_column(String(2))
    action: Mapped[str] = mapped_column(String(10))  # change | unchanged | error
    severity: Mapped[str | None] = mapped_column(String(10))  # error | warning | None
    before: Mapped[dict[str, Any] | None]
    after: Mapped[dict[str, Any] | None]
    findings: Mapped[list[Any]] = mapped_column(default=list)
    applied: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
