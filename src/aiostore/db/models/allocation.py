"""Allocation: how much of a variant's available stock each shop is pushed, and promotion reservations."""

from __future__ import annotations

import uuid

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from aiostore.db.base import Base, TenantScoped


class AllocationRule(TenantScoped, Base):
    """One shop's rule (variant_id NULL: every SKU of the shop) or one SKU's rule on a shop (wins).

    Any of a share (percent of the available stock, rounded down) and a cap (at most N units), and/or
    "keep the last `keep_last` units for shop `keep_for_channel_id`" (domain/allocation.py).
    """

    __tablename__ = "allocation_rules"
    __table_args__ = (
        UniqueConstraint("channel_account_id", "variant_id", postgresql_nulls_not_distinct=True),
        Index("ix_allocation_rules_org_id_variant_id", "org_id", "variant_id"),
        CheckConstraint("share_percent BETWEEN 0 AND 100", name="share_percent_range"),
        CheckConstraint("cap >= 0", name="cap_non_negative"),
        CheckConstraint("keep_last >= 0", name="keep_last_non_negative"),
        CheckConstraint("(keep_last IS NULL) = (keep_for_channel_id IS NULL)", name="keep_last_with_shop"),
        CheckConstraint(
            "share_percent IS NOT NULL OR cap IS NOT NULL OR keep_last IS NOT NULL", name="not_empty"
        ),
    )
    channel_account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("channel_accounts.id", ondelete="CASCADE")
    )
    variant_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("variants.id", ondelete="CASCADE"))
    share_percent: Mapped[int | None]
    cap: Mapped[int | None]
    keep_last: Mapped[int | None]
    keep_for_channel_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("channel_accounts.id", ondelete="CASCADE")
    )


class PromotionReservation(TenantScoped, Base):
    """Units of a variant a platform locks for one shop's campaign: subtracted from what the other
    shops are pushed."""

    __tablename__ = "promotion_reservations"
    __table_args__ = (
        UniqueConstraint("variant_id", "channel_account_id"),
        Index("ix_promotion_reservations_org_id_channel_account_id", "org_id", "channel_account_id"),
        CheckConstraint("units >= 0", name="units_non_negative"),
    )
    variant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("variants.id", ondelete="CASCADE"))
    channel_account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("channel_accounts.id", ondelete="CASCADE")
    )
    units: Mapped[int]
    campaign: Mapped[str] = mapped_column(String(200), default="")
