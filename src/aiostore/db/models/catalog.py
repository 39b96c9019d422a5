"""Master catalog: products, variants (master SKUs), per-market prices, inventory."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from aiostore.db.base import Base, TenantScoped


class Product(TenantScoped, Base):
    __tablename__ = "products"
    __table_args__ = (
        Index("ix_products_org_id_created_at", "org_id", "created_at", "id"),
        Index("ix_products_org_id_updated_at", "org_id", "updated_at", "id"),
        Index("ix_products_org_id_title", "org_id", "title", "id"),
        Index("ix_products_org_id_brand", "org_id", "brand"),
        Index("ix_products_org_id_category", "org_id", "category"),
        Index("ix_products_org_id_status", "org_id", "status"),
    )
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    brand: Mapped[str | None] = mapped_column(String(120))
    category: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default="active")
    images: Mapped[list[Any]] = mapped_column(default=list)
    attributes: Mapped[dict[str, Any]] = mapped_column(default=dict)

    variants: Mapped[list[Variant]] = relationship(
        back_populates="product", lazy="raise", order_by="Variant.position", cascade="all, delete-orphan"
    )


class Variant(TenantScoped, Base):
    __tablename__ = "variants"
    __table_args__ = (
        UniqueConstraint("org_id", "sku"),
        Index("ix_variants_product_id", "product_id"),
        Index("ix_variants_org_id_barcode", "org_id", "barcode"),
    )
    product_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    sku: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(default=0)
    option_values: Mapped[dict[str, Any]] = mapped_column(default=dict)
    barcode: Mapped[str | None] = mapped_column(String(64))
    weight_grams: Mapped[int | None]
    length_mm: Mapped[int | None]
    width_mm: Mapped[int | None]
    height_mm: Mapped[int | None]
    images: Mapped[list[Any]] = mapped_column(default=list)
    attributes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    cost_amount: Mapped[int | None]
    cost_currency: Mapped[str | None] = mapped_column(String(3))

    product: Mapped[Product] = relationship(back_populates="variants", lazy="raise")
    prices: Mapped[list[VariantPrice]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="VariantPrice.market"
    )
    inventory: Mapped[Inventory | None] = relationship(
        lazy="raise", cascade="all, delete-orphan", uselist=False
    )


class VariantPrice(TenantScoped, Base):
    """Base price of a variant in one market, in the market currency's minor units."""

    __tablename__ = "variant_prices"
    __table_args__ = (
        UniqueConstraint("variant_id", "market"),
        CheckConstraint("amount >= 0", name="amount_non_negative"),
    )
    variant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("variants.id", ondelete="CASCADE"))
    market: Mapped[str] = mapped_column(String(2))
    currency: Mapped[str] = mapped_column(String(3))
    amount: Mapped[int]
    sale_amount: Mapped[int | None]  # a sale price below `amount`, if any
    min_amount: Mapped[int | None]  # the floor: no bulk price change may go below it


class Inventory(TenantScoped, Base):
    """Stock of one variant: on hand, reserved by open orders, and a safety buffer kept back."""

    __tablename__ = "inventory"
    __table_args__ = (
        UniqueConstraint("variant_id"),
        CheckConstraint("on_hand >= 0", name="on_hand_non_negative"),
        CheckConstraint("reserved >= 0", name="reserved_non_negative"),
        CheckConstraint("safety_buffer >= 0", name="safety_buffer_non_negative"),
    )
    variant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("variants.id", ondelete="CASCADE"))
    on_hand: Mapped[int] = mapped_column(default=0)
    reserved: Mapped[int] = mapped_column(default=0)
    safety_buffer: Mapped[int] = mapped_column(default=0)


class ProductPlatformMapping(TenantScoped, Base):
    """A master product's category and attribute values on one platform and market (what publishing it
    there will send); validated against the cached reference data when set."""

    __tablename__ = "product_platform_mappings"
    __table_args__ = (UniqueConstraint("org_id", "product_id", "platform", "market"),)
    product_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(String(20))
    market: Mapped[str] = mapped_column(String(2))
    category_id: Mapped[str] = mapped_column(String(64))
    brand_id: Mapped[str | None] = mapped_column(String(64))
    # [{"attribute_id", "value_ids": [...], "texts": [...], "unit"}]
    attributes: Mapped[list[Any]] = mapped_column(default=list)
