"""Orders, their lines, and customers (buyer PII lives only here)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from aiostore.db.base import Base, TenantScoped


class Customer(TenantScoped, Base):
    __tablename__ = "customers"
    __table_args__ = (UniqueConstraint("org_id", "channel_account_id", "platform_customer_id"),)
    channel_account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("channel_accounts.id", ondelete="CASCADE")
    )
    platform_customer_id: Mapped[str] = mapped_column(String(100))
    name: Mapped[str | None] = mapped_column(String(300))
    phone: Mapped[str | None] = mapped_column(String(50))
    email: Mapped[str | None] = mapped_column(String(320))
    address: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Order(TenantScoped, Base):
    __tablename__ = "orders"
    __table_args__ = (
        UniqueConstraint("channel_account_id", "platform_order_id"),
        Index("ix_orders_org_id_placed_at", "org_id", "placed_at", "id"),
        Index("ix_orders_org_id_status", "org_id", "status"),
        Index("ix_orders_org_id_market", "org_id", "market"),
        Index("ix_orders_org_id_channel_account_id", "org_id", "channel_account_id"),
        Index("ix_orders_oversold", "org_id", postgresql_where=text("oversold")),  # alerts
        Index(
            "ix_orders_report",
            "org_id",
            "placed_at",
            postgresql_include=["id", "channel_account_id", "market", "currency", "status", "total_amount"],
        ),
    )
    channel_account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("channel_accounts.id", ondelete="CASCADE")
    )
    customer_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("customers.id", ondelete="SET NULL"))
    platform_order_id: Mapped[str] = mapped_column(String(100))
    market: Mapped[str] = mapped_column(String(2))
    status: Mapped[str] = mapped_column(String(20))
    platform_status: Mapped[str] = mapped_column(String(50))
    currency: Mapped[str] = mapped_column(String(3))
    total_amount: Mapped[int] = mapped_column(default=0)
    placed_at: Mapped[datetime]
    paid_at: Mapped[datetime | None]
    shipped_at: Mapped[datetime | None]
    platform_updated_at: Mapped[datetime]
    tracking_number: Mapped[str | None] = mapped_column(String(100))
    cancel_reason: Mapped[str | None] = mapped_column(String(200))
    oversold: Mapped[bool] = mapped_column(default=False)
    raw: Mapped[dict[str, Any]] = mapped_column(default=dict)


class OrderLine(TenantScoped, Base):
    __tablename__ = "order_lines"
    __table_args__ = (
        Index("ix_order_lines_order_id", "order_id"),
        Index("ix_order_lines_org_id_variant_id", "org_id", "variant_id"),
        Index(
            "ix_order_lines_report",
            "order_id",
            postgresql_include=["variant_id", "quantity", "unit_price", "currency"],
        ),
    )
    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    variant_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("variants.id", ondelete="SET NULL"))
    listing_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("listings.id", ondelete="SET NULL"))
    platform_line_id: Mapped[str | None] = mapped_column(String(100))
    platform_item_id: Mapped[str | None] = mapped_column(String(100))
    platform_model_id: Mapped[str | None] = mapped_column(String(100))
    sku: Mapped[str | None] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(300), default="")
    quantity: Mapped[int]
    unit_price: Mapped[int] = mapped_column(default=0)
    currency: Mapped[str] = mapped_column(String(3))
    # The product of the line's variant, kept by a database trigger (migration 0018) for the report roll-ups
    product_id: Mapped[uuid.UUID | None]
    # What this line does to stock now: none | reserved | deducted | released (see services/inventory.py)
    stock_state: Mapped[str] = mapped_column(String(10), default="none", server_default="none")


class InventoryMovement(TenantScoped, Base):
    """The inventory ledger: every change of on hand or reserved, with its cause, so stock can be
    explained and recomputed."""

    __tablename__ = "inventory_ledger"
    __table_args__ = (
        Index("ix_inventory_ledger_org_id_variant_id_created_at", "org_id", "variant_id", "created_at"),
        Index("ix_inventory_ledger_order_id", "order_id"),
        # reports: sales in time order (propagation), and movements that left nothing available
        Index("ix_inventory_ledger_sales", "org_id", "created_at", postgresql_where=text("cause = 'order'")),
        Index(
            "ix_inventory_ledger_out",
            "org_id",
            "created_at",
            postgresql_where=text("on_hand_after - reserved_after <= 0"),
        ),
    )
    variant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("variants.id", ondelete="CASCADE"))
    cause: Mapped[str] = mapped_column(String(10))  # order | manual | import | sync
    on_hand_delta: Mapped[int] = mapped_column(default=0)
    reserved_delta: Mapped[int] = mapped_column(default=0)
    on_hand_after: Mapped[int]
    reserved_after: Mapped[int]
    order_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("orders.id", ondelete="SET NULL"))
    order_line_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("order_lines.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(String(200), default="")


class SalesDaily(Base):
    """The daily sales roll-up: orders, units and line amounts per market day, shop, currency and status,
    kept by database triggers on orders and order lines in the changing transaction (migration 0010)."""

    __tablename__ = "sales_daily"
    org_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(primary_key=True)
    channel_account_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    market: Mapped[str] = mapped_column(String(2), primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    status: Mapped[str] = mapped_column(String(20), primary_key=True)
    orders: Mapped[int] = mapped_column(Integer)
    units: Mapped[int] = mapped_column(BigInteger)
    amount: Mapped[int] = mapped_column(BigInteger)
