"""The catalog as a sheet: one row per variant with its product, prices per market, stock and
listings, read from the database in pages of products (never the whole catalog in memory)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from aiostore.db.models import ChannelAccount, Listing, Product, Variant
from aiostore.domain.inventory import available_to_sell
from aiostore.domain.market import Currency, MarketCode
from aiostore.domain.money import Money
from aiostore.services.sheets.writing import Value

MARKET_PRICE_COLUMNS = {code: f"price_{code.value.lower()}" for code in MarketCode}
HEADER = (
    "product",
    "sku",
    "options",
    "brand",
    "category",
    "status",
    "barcode",
    "weight_grams",
    "length_mm",
    "width_mm",
    "height_mm",
    *MARKET_PRICE_COLUMNS.values(),
    "on_hand",
    "reserved",
    "safety_buffer",
    "available",
    "listings",
)
STOCK_COLUMNS = ("on_hand", "reserved", "safety_buffer", "available", "listings")
PAGE_PRODUCTS = 200


def format_options(options: dict[str, Any]) -> str:
    """`Warna: Merah; Ukuran: M`, the form the catalog import reads back."""
    return "; ".join(f"{k}: {v}" for k, v in options.items())


def _price(variant: Variant, code: MarketCode) -> Value:
    for price in variant.prices:
        if price.market == code.value:
            return Money(price.amount, Currency(price.currency)).to_major()
    return None


def _listing_text(listing: Listing, shop: ChannelAccount) -> str:
    model = f"/{listing.platform_model_id}" if listing.platform_model_id else ""
    name = f" {shop.shop_name}" if shop.shop_name else ""
    return f"{shop.display_platform or shop.platform} {shop.market}{name}: {listing.platform_item_id}{model}"


def variant_row(product: Product, variant: Variant, listings: Sequence[str]) -> list[Value]:
    inv = variant.inventory
    on_hand, reserved, buffer = (inv.on_hand, inv.reserved, inv.safety_buffer) if inv else (0, 0, 0)
    return [
        product.title,
        variant.sku,
        format_options(variant.option_values),
        product.brand,
        product.category,
        product.status,
        variant.barcode,
        variant.weight_grams,
        variant.length_mm,
        variant.width_mm,
        variant.height_mm,
        *(_price(variant, code) for code in MarketCode),
        on_hand,
        reserved,
        buffer,
        available_to_sell(on_hand, reserved, buffer),
        "; ".join(listings),
    ]


async def _listings(session: AsyncSession, variant_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[str]]:
    rows = await session.execute(
        select(Listing, ChannelAccount)
        .join(ChannelAccount, ChannelAccount.id == Listing.channel_account_id)
        .where(Listing.variant_id.in_(variant_ids))
        .order_by(ChannelAccount.platform, ChannelAccount.market, Listing.platform_item_id)
    )
    out: dict[uuid.UUID, list[str]] = {}
    for listing, shop in rows.all():
        if listing.variant_id is not None:
            out.setdefault(listing.variant_id, []).append(_listing_text(listing, shop))
    return out


async def catalog_rows(session: AsyncSession) -> AsyncIterator[list[list[Value]]]:
    """The org's variants as sheet rows, a page of products at a time (oldest product first)."""
    after: tuple[datetime, uuid.UUID] | None = None
    while True:
        stmt = (
            select(Product)
            .order_by(Product.created_at, Product.id)
            .limit(PAGE_PRODUCTS)
            .options(
                selectinload(Product.variants).selectinload(Variant.prices),
                selectinload(Product.variants).selectinload(Variant.inventory),
            )
        )
        if after is not None:
            stmt = stmt.where(
                or_(
                    Product.created_at > after[0], and_(Product.created_at == after[0], Product.id > after[1])
                )
            )
        products = list((await session.scalars(stmt)).all())
        if not products:
            return
        listings = await _listings(session, [v.id for p in products for v in p.variants])
        yield [variant_row(p, v, listings.get(v.id, [])) for p in products for v in p.variants]
        after = (products[-1].created_at, products[-1].id)
