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

from sqlalchemy import Select, Text, case, cast, func, literal, select, tuple_
from sqlalchemy.dialects.postgresql import JSONB
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
    exponent: int  # the decimals of the market's currency

    @property
    def key(self) -> str:
        return str(self.id)


@dataclass(frozen=True, slots=True)
class ListingRow:
    """One listing of a target, as much of it as the diff reads (the product-level fields of the
    platform state only on the target's first listing, `head`: one JSON value per target to decode)."""

    variant_id: str
    head: dict[str, Any] | None
    options: list[Any] | None
    price: str | None
    overrides: dict[str, Any] | None
    status: str
    stock: int | None


@dataclass(slots=True)
class VariantRow:
    id: str
    product_id: str
    sku: str
    options: tuple[str, ...]
    weight_g: int | None
    dims: tuple[int | None, int | None, int | None]
    available: int = 0


@dataclass(slots=True)
class Inputs:
    shops: list[Shop]
    products: dict[str, publish.ProductIn] = field(default_factory=dict)
    variants: dict[str, list[VariantRow]] = field(default_factory=dict)  # by product, in order
    prices: dict[tuple[str, str], str | None] = field(default_factory=dict)  # (variant, market) → major
    mappings: dict[tuple[str, str, str], publish.MappingIn] = field(default_factory=dict)
    listings: dict[tuple[str, str], list[ListingRow]] = field(default_factory=dict)


async def load_shops(session: AsyncSession, ids: Sequence[uuid.UUID]) -> list[Shop]:
    """The org's shops named (another org's, or one disconnected, is refused naming its position)."""
    rows = await session.execute(
        select(
            ChannelAccount.id, ChannelAccount.platform, ChannelAccount.market, ChannelAccount.shop_name
        ).where(ChannelAccount.id.in_(ids), ChannelAccount.status != "disconnected")
    )
    found = {r[0]: Shop(r[0], r[1], r[2], r[3], market(r[2]).currency.exponent) for r in rows}
    unknown = [
        FieldError(f"channel_account_ids.{n}", "unknown_shop", "no such connected shop")
        for n, i in enumerate(ids)
        if i not in found
    ]
    if unknown:
        raise ValidationFailed("some shops are not connected shops of this organization", errors=unknown)
    return [found[i] for i in dict.fromkeys(ids)]


P, V, INV = Product.__table__, Variant.__table__, Inventory.__table__
VP, M, L = VariantPrice.__table__, ProductPlatformMapping.__table__, Listing.__table__


async def load(session: AsyncSession, org_id: uuid.UUID, shops: list[Shop], products: Select[Any]) -> Inputs:
    """Everything the targets (each product of `products` × each shop) need, in five statements of plain
    table columns (no ORM rows: 100,000 listings as objects cost seconds), each bound to the org besides
    row-level security."""
    found = Inputs(shops)
    ids = select(products.subquery().c[0])
    rows = await session.execute(
        select(cast(P.c.id, Text), P.c.title, P.c.description, P.c.images, P.c.status, P.c.brand).where(
            P.c.org_id == org_id, P.c.id.in_(ids)
        )
    )
    for pid, title, description, images, status, brand in rows:
        found.products[pid] = publish.ProductIn(
            title, description or "", tuple(str(i) for i in images or ()), status, brand
        )
    markets = sorted({s.market for s in shops})
    price = (
        select(VP.c.amount)
        .where(VP.c.variant_id == V.c.id, VP.c.market == markets[0])
        .scalar_subquery()
        .label("amount")
    )
    variants = await session.execute(
        select(
            cast(V.c.id, Text), cast(V.c.product_id, Text), V.c.sku, V.c.option_values, V.c.weight_grams,
            V.c.length_mm, V.c.width_mm, V.c.height_mm,
            INV.c.on_hand, INV.c.reserved, INV.c.safety_buffer, price,
        )
        .select_from(V.outerjoin(INV, INV.c.variant_id == V.c.id))
        .where(V.c.org_id == org_id, V.c.product_id.in_(ids))
        .order_by(V.c.product_id, V.c.position, V.c.sku)
    )  # fmt: skip
    first = market(markets[0]).currency.exponent
    for vid, pid, sku, options, weight, length, width, height, on_hand, reserved, buffer, amount in variants:
        available = available_to_sell(on_hand or 0, reserved or 0, buffer or 0)
        names = tuple(str(v) for v in (options or {}).values())
        variant = VariantRow(vid, pid, sku, names, weight, (length, width, height), available)
        found.variants.setdefault(pid, []).append(variant)
        if amount is not None:
            found.prices[(vid, markets[0])] = publish.price_text(Decimal(amount).scaleb(-first), first)
    if len(markets) > 1:  # shops in several markets: the other markets' prices too
        prices = await session.execute(
            select(cast(VP.c.variant_id, Text), VP.c.market, VP.c.amount)
            .select_from(VP.join(V, V.c.id == VP.c.variant_id))
            .where(VP.c.org_id == org_id, V.c.product_id.in_(ids), VP.c.market.in_(markets[1:]))
        )
        for vid, code, amount in prices:
            exponent = market(code).currency.exponent
            found.prices[(vid, code)] = publish.price_text(Decimal(amount).scaleb(-exponent), exponent)
    pairs = sorted({(s.platform, s.market) for s in shops})
    mapped = await session.execute(
        select(
            cast(M.c.product_id, Text),
            M.c.platform,
            M.c.market,
            M.c.category_id,
            M.c.brand_id,
            func.nullif(M.c.attributes, literal([], JSONB)),  # most have none: no JSON to decode
        ).where(M.c.org_id == org_id, M.c.product_id.in_(ids), tuple_(M.c.platform, M.c.market).in_(pairs))
    )
    for pid, platform, code, category, brand, attributes in mapped:
        found.mappings[(pid, platform, code)] = publish.MappingIn(category, brand, tuple(attributes or ()))
    pending = L.c.status.in_((PENDING, REFUSED))
    rank = func.row_number().over(
        partition_by=(V.c.product_id, L.c.channel_account_id),
        order_by=(pending, L.c.platform_item_id, L.c.platform_model_id),
    )
    listed = await session.execute(
        select(
            cast(L.c.variant_id, Text),
            case((rank == 1, L.c.platform_state)),
            L.c.platform_state["options"],
            L.c.platform_state["price"].astext,
            func.nullif(L.c.overrides, literal({}, JSONB)),
            L.c.status, L.c.platform_stock, cast(L.c.channel_account_id, Text), cast(V.c.product_id, Text),
        )
        .select_from(L.join(V, V.c.id == L.c.variant_id))
        .where(
            L.c.org_id == org_id,
            V.c.product_id.in_(ids),
            L.c.channel_account_id.in_([s.id for s in shops]),
        )
    )  # fmt: skip
    grouped: dict[tuple[str, str], list[ListingRow]] = defaultdict(list)
    for vid, head, options, price, overrides, status, stock, shop_id, pid in listed:
        grouped[(pid, shop_id)].append(ListingRow(vid, head, options, price, overrides, status, stock))
    found.listings = dict(grouped)
    return found


def overrides_of(listings: Sequence[ListingRow]) -> tuple[dict[str, Any], dict[str, Any]]:
    """A target's listing overrides: product-level ones (title, description, images: the first listing
    that has each) and each variant's price."""
    shared: dict[str, Any] = {}
    prices: dict[str, Any] = {}
    for row in listings:
        if not row.overrides:
            continue
        for name in ("title", "description", "images"):
            if name in row.overrides and name not in shared:
                shared[name] = row.overrides[name]
        if row.overrides.get("price") not in (None, ""):
            prices[row.variant_id] = row.overrides["price"]
    return shared, prices


def observed(listings: Sequence[ListingRow], skus: dict[str, str], exponent: int) -> publish.State | None:
    """The listing's state as last read from (or accepted by) the platform; None when it is not there."""
    on_platform = [row for row in listings if row.status not in (PENDING, REFUSED)]
    if not on_platform:
        return None
    first = next((row.head for row in on_platform if row.head is not None), None) or {}
    state: publish.State = {
        "title": first.get("name", ""),
        "status": publish.ACTIVE if any(r.status == "active" for r in on_platform) else publish.INACTIVE,
        "variants": {},
        "price": {},
        "stock": {},
    }
    for key in ("description", "images", "attributes", "category", "brand"):
        if key in first:
            state[key] = first[key]
    for row in on_platform:
        sku = skus.get(row.variant_id)
        if sku is None:
            continue
        state["variants"][sku] = list(row.options or [])
        state["price"][sku] = publish.price_text(row.price, exponent)
        state["stock"][sku] = row.stock
    state["variants"] = publish.tiers_of(state["variants"])
    return state


def target(inputs: Inputs, product_id: str, shop: Shop) -> tuple[publish.State | None, publish.State]:
    """(last platform state, desired state) of one product on one shop."""
    listings = inputs.listings.get((product_id, shop.key), [])
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
