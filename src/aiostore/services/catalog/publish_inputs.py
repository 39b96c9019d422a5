"""What a catalog preview reads, for the whole set at once: products, their variants, prices, stock,
platform mappings and the shops' listings, in plain columns (no ORM objects), one statement each.

Then each (product, shop) target gets its desired state and its last state read from the platform
(domain/publish.py). Used by the preview and again by the commit's staleness check.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, and_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from aiostore.db.models import (
    ChannelAccount,
    Inventory,
    Listing,
    Product,
    ProductPlatformMapping,
    Variant,
    VariantPrice,
)
from aiostore.domain import publish
from aiostore.domain.inventory import available_to_sell
from aiostore.domain.market import market
from aiostore.errors import FieldError, ValidationFailed

PENDING = "publishing"  # a listing our create is sending (not on the platform yet)
REFUSED = "refused"  # a listing whose create the platform refused


@dataclass(frozen=True, slots=True)
class Shop:
    id: uuid.UUID
    platform: str
    market: str
    name: str

    @property
    def exponent(self) -> int:
        return market(self.market).currency.exponent


@dataclass(slots=True)
class VariantRow:
    id: uuid.UUID
    product_id: uuid.UUID
    sku: str
    options: tuple[str, ...]
    weight_g: int | None
    dims: tuple[int | None, int | None, int | None]
    available: int = 0


@dataclass(slots=True)
class Inputs:
    shops: list[Shop]
    products: dict[uuid.UUID, publish.ProductIn] = field(default_factory=dict)
    variants: dict[uuid.UUID, list[VariantRow]] = field(default_factory=dict)  # by product, in order
    prices: dict[tuple[uuid.UUID, str], str | None] = field(default_factory=dict)  # (variant, market) → major
    mappings: dict[tuple[uuid.UUID, str, str], publish.MappingIn] = field(default_factory=dict)
    # (product, shop) → its listings there: (variant id, platform_item_id, model id, state, overrides,
    # status, platform_stock, listing id)
    listings: dict[tuple[uuid.UUID, uuid.UUID], list[tuple[Any, ...]]] = field(default_factory=dict)


async def load_shops(session: AsyncSession, ids: Sequence[uuid.UUID]) -> list[Shop]:
    """The org's shops named (another org's, or one disconnected, is refused naming its position)."""
    rows = await session.execute(
        select(
            ChannelAccount.id, ChannelAccount.platform, ChannelAccount.market, ChannelAccount.shop_name
        ).where(ChannelAccount.id.in_(ids), ChannelAccount.status != "disconnected")
    )
    found = {r[0]: Shop(r[0], r[1], r[2], r[3]) for r in rows}
    unknown = [
        FieldError(f"channel_account_ids.{n}", "unknown_shop", "no such connected shop")
        for n, i in enumerate(ids)
        if i not in found
    ]
    if unknown:
        raise ValidationFailed("some shops are not connected shops of this organization", errors=unknown)
    return [found[i] for i in dict.fromkeys(ids)]


async def load(session: AsyncSession, shops: list[Shop], products: Select[Any]) -> Inputs:
    """Everything the targets (each product of `products` × each shop) need, in seven statements."""
    found = Inputs(shops)
    ids = select(products.subquery().c[0])
    rows = await session.execute(
        select(
            Product.id, Product.title, Product.description, Product.images, Product.status, Product.brand
        ).where(Product.id.in_(ids))
    )
    for pid, title, description, images, status, brand in rows:
        found.products[pid] = publish.ProductIn(
            title, description or "", tuple(str(i) for i in images or ()), status, brand
        )
    rows = await session.execute(
        select(
            Variant.id,
            Variant.product_id,
            Variant.sku,
            Variant.option_values,
            Variant.weight_grams,
            Variant.length_mm,
            Variant.width_mm,
            Variant.height_mm,
            Inventory.on_hand,
            Inventory.reserved,
            Inventory.safety_buffer,
        )
        .outerjoin(Inventory, Inventory.variant_id == Variant.id)
        .where(Variant.product_id.in_(ids))
        .order_by(Variant.product_id, Variant.position, Variant.sku)
    )
    for vid, pid, sku, options, weight, length, width, height, on_hand, reserved, buffer in rows:
        available = available_to_sell(on_hand or 0, reserved or 0, buffer or 0)
        names = tuple(str(v) for v in (options or {}).values())
        variant = VariantRow(vid, pid, sku, names, weight, (length, width, height), available)
        found.variants.setdefault(pid, []).append(variant)
    markets = sorted({s.market for s in shops})
    rows = await session.execute(
        select(VariantPrice.variant_id, VariantPrice.market, VariantPrice.amount)
        .join(Variant, Variant.id == VariantPrice.variant_id)
        .where(Variant.product_id.in_(ids), VariantPrice.market.in_(markets))
    )
    for vid, code, amount in rows:
        exponent = market(code).currency.exponent
        found.prices[(vid, code)] = publish.price_text(Decimal(amount).scaleb(-exponent), exponent)
    pairs = sorted({(s.platform, s.market) for s in shops})
    rows = await session.execute(
        select(
            ProductPlatformMapping.product_id,
            ProductPlatformMapping.platform,
            ProductPlatformMapping.market,
            ProductPlatformMapping.category_id,
            ProductPlatformMapping.brand_id,
            ProductPlatformMapping.attributes,
        ).where(
            ProductPlatformMapping.product_id.in_(ids),
            tuple_(ProductPlatformMapping.platform, ProductPlatformMapping.market).in_(pairs),
        )
    )
    for pid, platform, code, category, brand, attributes in rows:
        found.mappings[(pid, platform, code)] = publish.MappingIn(category, brand, tuple(attributes or ()))
    rows = await session.execute(
        select(
            Listing.variant_id,
            Listing.platform_item_id,
            Listing.platform_model_id,
            Listing.platform_state,
            Listing.overrides,
            Listing.status,
            Listing.platform_stock,
            Listing.id,
            Listing.channel_account_id,
            Variant.product_id,
        )
        .join(Variant, Variant.id == Listing.variant_id)
        .where(and_(Variant.product_id.in_(ids), Listing.channel_account_id.in_([s.id for s in shops])))
        .order_by(Listing.platform_item_id, Listing.platform_model_id)
    )
    grouped: dict[tuple[uuid.UUID, uuid.UUID], list[tuple[Any, ...]]] = defaultdict(list)
    for listing in rows:
        grouped[(listing[9], listing[8])].append(tuple(listing[:8]))
    found.listings = dict(grouped)
    return found


def overrides_of(listings: Sequence[tuple[Any, ...]]) -> tuple[dict[str, Any], dict[uuid.UUID, Any]]:
    """A target's listing overrides: product-level ones (title, description, images: the first listing
    that has each) and each variant's price."""
    shared: dict[str, Any] = {}
    prices: dict[uuid.UUID, Any] = {}
    for variant_id, *_, overrides, _status, _stock, _id in listings:
        for name in ("title", "description", "images"):
            if name in overrides and name not in shared:
                shared[name] = overrides[name]
        if overrides.get("price") not in (None, ""):
            prices[variant_id] = overrides["price"]
    return shared, prices


def observed(
    listings: Sequence[tuple[Any, ...]], skus: dict[uuid.UUID, str], exponent: int
) -> publish.State | None:
    """The listing's state as last read from (or accepted by) the platform; None when it is not there."""
    on_platform = [row for row in listings if row[5] not in (PENDING, REFUSED)]
    if not on_platform:
        return None
    first = on_platform[0][3] or {}
    state: publish.State = {
        "title": first.get("name", ""),
        "status": publish.ACTIVE if any(r[5] == "active" for r in on_platform) else publish.INACTIVE,
        "variants": {},
        "price": {},
        "stock": {},
    }
    for key in ("description", "images", "attributes", "category", "brand"):
        if key in first:
            state[key] = first[key]
    for variant_id, _item, _model, platform_state, _o, _s, stock, _id in on_platform:
        sku = skus.get(variant_id)
        if sku is None:
            continue
        state["variants"][sku] = list((platform_state or {}).get("options") or [])
        state["price"][sku] = publish.price_text((platform_state or {}).get("price"), exponent)
        state["stock"][sku] = stock
    return state


def target(inputs: Inputs, product_id: uuid.UUID, shop: Shop) -> tuple[publish.State | None, publish.State]:
    """(last platform state, desired state) of one product on one shop."""
    listings = inputs.listings.get((product_id, shop.id), [])
    shared, own_prices = overrides_of(listings)
    variants = inputs.variants.get(product_id, [])
    exponent = shop.exponent
    wanted = [
        publish.VariantIn(
            v.sku,
            v.options,
            publish.price_text(own_prices[v.id], exponent)
            if v.id in own_prices
            else inputs.prices.get((v.id, shop.market)),
            v.available,
        )
        for v in variants
    ]
    mapping = inputs.mappings.get((product_id, shop.platform, shop.market))
    desired = publish.desired_state(inputs.products[product_id], wanted, mapping, shared)
    skus = {v.id: v.sku for v in variants}
    return observed(listings, skus, exponent), desired
