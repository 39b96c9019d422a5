"""Channel accounts (a connected shop) and listings (a variant on one shop)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from aiostore.db.base import Base, TenantScoped

REJECTED = (
    "sync_state = 'error' OR price_sync_state = 'error' OR status = 'banned' OR review_state = 'rejected'"
)
DRIFT = "pushed_stock IS NOT NULL AND platform_stock IS DISTINCT FROM pushed_stock"


class ChannelAccount(TenantScoped, Base):
    __tablename__ = "channel_accounts"
    __table_args__ = (
        UniqueConstraint("org_id", "platform", "shop_id"),
        Index("ix_channel_accounts_org_id_platform_market", "org_id", "platform", "market"),
        Index("ix_channel_accounts_org_id_status", "org_id", "status"),
        Index("ix_channel_accounts_platform_shop_id", "platform", "shop_id"),
        CheckConstraint("write_mode IN ('dry', 'live')", name="write_mode"),
    )
    platform: Mapped[str] = mapped_column(String(20))
    market: Mapped[str] = mapped_column(String(2))
    shop_id: Mapped[str] = mapped_column(String(100))
    shop_name: Mapped[str] = mapped_column(String(300), default="")
    display_platform: Mapped[str | None] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="connected")
    access_token_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    refresh_token_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    access_expires_at: Mapped[datetime | None]
    refresh_expires_at: Mapped[datetime | None]
    extra: Mapped[dict[str, Any]] = mapped_column(default=dict)
    connected_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    last_error: Mapped[str | None] = mapped_column(Text)
    disconnected_at: Mapped[datetime | None]
    orders_synced_until: Mapped[datetime | None]  # incremental order pulls continue from here
    products_synced_at: Mapped[datetime | None]
    # dry or live for this shop; NULL: the installation's AIOSTORE_WRITE_MODE (services/channels.py).
    write_mode: Mapped[str | None] = mapped_column(String(4))
    # The reconciliation reads a shop within its read budget, so a large shop takes several runs: it
    # goes on after this platform item id next time (NULL: from the start); `reconciled_at`: last pass.
    reconcile_cursor: Mapped[str | None] = mapped_column(String(100))
    reconciled_at: Mapped[datetime | None]
    # Authorisation health (services/token_health.py): when the platform says the authorisation ends
    # (Lazada's expiry push), the last successful refresh, and the refreshes failing since.
    authorization_expires_at: Mapped[datetime | None]
    refreshed_at: Mapped[datetime | None]
    refresh_failures: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    refresh_failed_at: Mapped[datetime | None]
    refresh_error: Mapped[str | None] = mapped_column(Text)


class Listing(TenantScoped, Base):
    __tablename__ = "listings"
    __table_args__ = (
        UniqueConstraint(
            "channel_account_id", "platform_item_id", "platform_model_id", postgresql_nulls_not_distinct=True
        ),
        Index("ix_listings_org_id_channel_account_id", "org_id", "channel_account_id"),
        Index("ix_listings_org_id_variant_id", "org_id", "variant_id"),
        Index("ix_listings_org_id_sync_state", "org_id", "sync_state"),
        Index("ix_listings_org_id_platform_sku", "org_id", "platform_sku"),
        Index("ix_listings_org_id_created_at", "org_id", "created_at", "id"),  # pages, oldest first
        Index("ix_listings_dirty", "channel_account_id", postgresql_where=text("stock_dirty")),
        Index("ix_listings_price_dirty", "channel_account_id", postgresql_where=text("price_dirty")),
        # what the alert rules look for, without reading every listing of the org each minute
        Index("ix_listings_rejected", "org_id", postgresql_where=text(REJECTED)),
        Index("ix_listings_drift", "org_id", postgresql_where=text(DRIFT)),
    )
    channel_account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("channel_accounts.id", ondelete="CASCADE")
    )
    variant_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("variants.id", ondelete="SET NULL"))
    platform_item_id: Mapped[str] = mapped_column(String(100))
    platform_model_id: Mapped[str | None] = mapped_column(String(100))
    platform_sku: Mapped[str | None] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[str] = mapped_column(String(30), default="active")
    platform_state: Mapped[dict[str, Any]] = mapped_column(default=dict)
    overrides: Mapped[dict[str, Any]] = mapped_column(default=dict)
    sync_state: Mapped[str] = mapped_column(String(20), default="in_sync")
    last_error: Mapped[str | None] = mapped_column(Text)
    # The outcome of the listing's last price push, apart from the stock's (`sync_state`): in_sync,
    # retrying or error (None: no price pushed yet), and the platform's reason. A stock push never
    # touches it, so a refused price stays visible until a later price is accepted.
    price_sync_state: Mapped[str | None] = mapped_column(String(20))
    price_error: Mapped[str | None] = mapped_column(Text)
    last_synced_at: Mapped[datetime | None]
    platform_updated_at: Mapped[datetime | None]
    platform_stock: Mapped[int | None]  # the stock last seen on or pushed to the platform
    # The stock our last live push set; a pull that sees another platform_stock found drift (alerts).
    pushed_stock: Mapped[int | None]
    stock_dirty: Mapped[bool] = mapped_column(
        default=False, server_default=text("false")
    )  # our available quantity changed since
    stock_dirty_at: Mapped[datetime | None]
    # Bumped by every change of the variant's available quantity; a push clears `stock_dirty` only if
    # the version it read is still current (a sale committed meanwhile keeps the listing dirty).
    stock_version: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    # Set only by a committed price change (services/sync/push.mark_prices_dirty); the shop's push sends
    # the listing's price then and clears it if `price_version` is unchanged, as for stock.
    price_dirty: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    price_dirty_at: Mapped[datetime | None]
    price_version: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    # When each sale in another shop that changed this listing's stock was recorded (its `order` ledger
    # movement), oldest first, until a push carries it (services/sync/push_stock.py); at most 50 kept.
    sale_pending: Mapped[list[datetime]] = mapped_column(
        ARRAY(DateTime(timezone=True)), default=list, server_default=text("'{}'")
    )
    # The platform's review of the listing after a create or an edit (services/catalog/review.py):
    # under_review, live or rejected (None: never followed), its reason and code, when last read.
    review_state: Mapped[str | None] = mapped_column(String(20))
    review_reason: Mapped[str | None] = mapped_column(Text)
    review_code: Mapped[str | None] = mapped_column(String(100))
    review_checked_at: Mapped[datetime | None]


class ChannelRoute(Base):
    """Which org a platform shop belongs to: the one lookup that crosses tenants (webhooks, schedules).

    Not tenant-scoped on purpose: a push names only the platform and the shop. It holds ids only; the
    channel account itself stays under RLS. One org per shop: connecting a shop that another org has
    connected is refused.
    """

    __tablename__ = "channel_routes"
    __table_args__ = (UniqueConstraint("platform", "shop_id"),)
    channel_account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("channel_accounts.id", ondelete="CASCADE"), primary_key=True
    )
    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(String(20))
    shop_id: Mapped[str] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(default=True)
