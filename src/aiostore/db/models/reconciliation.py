"""What a reconciliation (or a write's read-back) found on a platform that differs from our master data.

One row per listing and kind while it is open; a kind found again updates `last_seen` and `theirs`.
A finding ends repaired (stock written again and read back equal), adopted (the platform's value taken
into the master), overwritten (ours written again), ignored, or gone (the platform agrees again).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from aiostore.db.base import Base, TenantScoped

OPEN_STATES = ("open", "repairing", "adopting")


class ReconciliationFinding(TenantScoped, Base):
    __tablename__ = "reconciliation_findings"
    __table_args__ = (
        Index("ix_reconciliation_findings_org_id_created_at", "org_id", "created_at", "id"),
        Index(
            "uq_reconciliation_findings_open",
            "listing_id",
            "kind",
            unique=True,
            postgresql_where=text("status IN ('open', 'repairing', 'adopting')"),
        ),
    )
    channel_account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("channel_accounts.id", ondelete="CASCADE")
    )
    listing_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("listings.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))  # the field: stock | price | title | status
    # drift (stock differs from ours) | edit (a price, title or status changed in the seller centre) |
    # not_applied (a write the platform accepted and did not apply: a promotion's lock, a review) |
    # refused (a price the platform refused, `listings.price_error`: it keeps selling at its own)
    cause: Mapped[str] = mapped_column(String(20))
    sku: Mapped[str] = mapped_column(String(100), default="")
    ours: Mapped[str | None] = mapped_column(String(300))
    theirs: Mapped[str | None] = mapped_column(String(300))
    # open | repairing | adopting | repaired | adopted | overwritten | ignored | gone
    status: Mapped[str] = mapped_column(String(20), default="open")
    source: Mapped[str] = mapped_column(String(20))  # reconcile | readback
    detail: Mapped[str | None] = mapped_column(Text)
    first_seen: Mapped[datetime]
    last_seen: Mapped[datetime]
    seen_count: Mapped[int] = mapped_column(default=1, server_default=text("1"))
    resolved_at: Mapped[datetime | None]
    resolved_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    change_set_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("change_sets.id", ondelete="SET NULL"))
