"""The reports' roll-ups, kept by database triggers in the transaction that changes the raw rows
(migrations 0018_report_rollups, 0025_item_day_totals): sales per item per market day and per month, their
per-day totals per item kind, and stock-out periods."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from aiostore.db.base import Base


class _Figures:
    placed: Mapped[int] = mapped_column(Integer)
    cancelled: Mapped[int] = mapped_column(Integer)
    returned: Mapped[int] = mapped_column(Integer)
    units: Mapped[int] = mapped_column(BigInteger)
    amount: Mapped[int] = mapped_column(BigInteger)


class _SalesItems(_Figures):
    """Orders containing an item (`dim` 'v' a variant, its id in `key`; 's' the SKU of lines of no variant;
    'p' a product, '' for none), of which cancelled and returned, and the units and amount of kept orders."""

    org_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True
    )
    channel_account_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    market: Mapped[str] = mapped_column(String(2), primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    dim: Mapped[str] = mapped_column(String(1), primary_key=True)
    key: Mapped[str] = mapped_column(String(100), primary_key=True)


class SalesItemsDaily(_SalesItems, Base):
    __tablename__ = "sales_items_daily"
    # covering (0026): a page of items' series is read from the index alone
    __table_args__ = (
        Index(
            "ix_sales_items_daily_item",
            "org_id",
            "dim",
            "key",
            "day",
            postgresql_include=[
                "channel_account_id",
                "market",
                "currency",
                "placed",
                "cancelled",
                "returned",
                "units",
                "amount",
            ],
        ),
    )
    day: Mapped[date] = mapped_column(primary_key=True)


class SalesItemsMonthly(_SalesItems, Base):
    __tablename__ = "sales_items_monthly"
    # by month (0029): a range's whole months of some item kinds are read from the index alone
    __table_args__ = (
        Index("ix_sales_items_monthly_item", "org_id", "dim", "key", "month"),
        Index(
            "ix_sales_items_monthly_month",
            "org_id",
            "dim",
            "month",
            postgresql_include=[
                "channel_account_id",
                "market",
                "currency",
                "key",
                "placed",
                "cancelled",
                "returned",
                "units",
                "amount",
            ],
        ),
    )
    month: Mapped[date] = mapped_column(primary_key=True)  # its first day


class SalesItemsTotals(_Figures, Base):
    """Per market day, shop and item kind, the sums over all its items of sales_items_daily's figures
    (migration 0025): the others of a page of items by day or week are these less the page's."""

    __tablename__ = "sales_items_totals"
    org_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(primary_key=True)
    channel_account_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    market: Mapped[str] = mapped_column(String(2), primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    dim: Mapped[str] = mapped_column(String(1), primary_key=True)


class StockOut(Base):
    """A run of ledger movements of a variant that left nothing available, from the first of them to the
    next movement that left some (open while none has)."""

    __tablename__ = "stock_outs"
    __table_args__ = (Index("ix_stock_outs_org_id_started_at", "org_id", "started_at"),)
    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    variant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("variants.id", ondelete="CASCADE"), primary_key=True
    )
    started_at: Mapped[datetime] = mapped_column(primary_key=True)
    start_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)  # the movement that began it
    ended_at: Mapped[datetime | None]
