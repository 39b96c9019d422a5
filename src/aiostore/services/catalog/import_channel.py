"""Master products from a channel's unmatched listings (`aiostore catalog import-from-channel`).

A pull keeps every listing no master SKU matched (`listings.variant_id IS NULL`). Importing them turns
each platform item into one master product and each of its listings into one variant whose SKU is the
listing's seller SKU, priced in the channel's market from the last seen platform state, with the last
seen platform stock on hand (an inventory movement with cause "import"), and links the listing to it.
From then on the listing follows the master's stock like any other: its stock is pushed to the shop
at once (`inventory.stock_changed`); its price is not (only a committed price change sends one).

Listings that cannot become a variant are skipped and reported with the reason: no seller SKU on the
platform, a SKU the master catalog has already (link the listing to it instead), a SKU repeated on the
channel (the first listing gets it), or one that is not a valid master SKU. A price in another currency
than the market's is left out (noted), the variant is still created.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from aiostore.db.models import ChannelAccount, Inventory, Listing, Product, Variant, VariantPrice
from aiostore.domain.market import market
from aiostore.domain.money import Money, MoneyError
from aiostore.errors import Conflict, NotFound
from aiostore.services import audit, inventory
from aiostore.services.catalog.schemas import SKU
from aiostore.services.context import OrgContext

_SKU: TypeAdapter[str] = TypeAdapter(SKU)
TITLE_MAX = 300


@dataclass(frozen=True, slots=True)
class ImportedVariant:
    listing_id: uuid.UUID
    sku: str
    option_values: dict[str, str]
    price: Money | None
    on_hand: int | None
    variant_id: uuid.UUID | None = None  # None on a dry run


@dataclass(frozen=True, slots=True)
class ImportedProduct:
    platform_item_id: str
    title: str
    variants: tuple[ImportedVariant, ...]
    product_id: uuid.UUID | None = None  # None on a dry run


@dataclass(frozen=True, slots=True)
class SkippedListing:
    listing_id: uuid.UUID
    platform_item_id: str
    sku: str | None
    reason: str


@dataclass(frozen=True, slots=True)
class ImportReport:
    channel_id: uuid.UUID
    dry_run: bool
    products: tuple[ImportedProduct, ...]
    skipped: tuple[SkippedListing, ...]
    notes: tuple[str, ...] = ()  # things done differently than asked for, e.g. a price left out

    @property
    def variants(self) -> int:
        return sum(len(p.variants) for p in self.products)

    @property
    def linked(self) -> int:
        """Listings linked to their new variant (on a dry run: that would be)."""
        return self.variants


@dataclass
class _Plan:
    groups: dict[str, list[tuple[Listing, ImportedVariant]]] = field(default_factory=dict)
    skipped: list[SkippedListing] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _text(state: dict[str, Any], key: str) -> str:
    value = state.get(key)
    return value.strip() if isinstance(value, str) else ""


def _title(listing: Listing) -> str:
    title = _text(listing.platform_state, "name") or listing.title.strip()
    return (title or f"Item {listing.platform_item_id}")[:TITLE_MAX]


def _options(listing: Listing) -> dict[str, str]:
    name = _text(listing.platform_state, "variant_name")
    return {"variant": name[:100]} if name else {}


def _price(listing: Listing, channel: ChannelAccount, notes: list[str]) -> Money | None:
    state = listing.platform_state
    amount, currency = state.get("price"), state.get("currency")
    if amount is None or amount == "":
        return None
    wanted = market(channel.market).currency
    if currency != wanted.value:
        notes.append(
            f"{listing.platform_sku}: price left out, {currency or 'no currency'} is not the "
            f"{channel.market} market's {wanted.value}"
        )
        return None
    try:
        money = Money.from_major(str(amount), wanted)
    except MoneyError as exc:
        notes.append(f"{listing.platform_sku}: price left out, {exc}")
        return None
    if money.amount < 0:
        notes.append(f"{listing.platform_sku}: price left out, it is negative")
        return None
    return money


def _skip(listing: Listing, reason: str) -> SkippedListing:
    return SkippedListing(listing.id, listing.platform_item_id, listing.platform_sku, reason)


async def _plan(session: AsyncSession, channel: ChannelAccount, listings: list[Listing]) -> _Plan:
    plan = _Plan()
    skus = {(x.platform_sku or "").strip().lower() for x in listings} - {""}
    taken = {
        s.lower()
        for s in (
            await session.scalars(select(Variant.sku).where(func.lower(Variant.sku).in_(sorted(skus))))
        ).all()
    }
    first: dict[str, Listing] = {}
    for listing in listings:
        sku = (listing.platform_sku or "").strip()
        if not sku:
            plan.skipped.append(_skip(listing, "no seller SKU on the platform"))
            continue
        try:
            _SKU.validate_python(sku)
        except ValidationError:
            plan.skipped.append(
                _skip(listing, "not a valid master SKU (letters, digits and . _ - / + # only, 100 at most)")
            )
            continue
        key = sku.lower()
        if key in taken:
            plan.skipped.append(
                _skip(listing, "the master catalog has this SKU already: link the listing to it instead")
            )
            continue
        if key in first:
            plan.skipped.append(
                _skip(listing, f"SKU repeated on this channel; imported from listing {first[key].id}")
            )
            continue
        first[key] = listing
        stock = None if listing.platform_stock is None else max(0, listing.platform_stock)
        variant = ImportedVariant(
            listing.id, sku, _options(listing), _price(listing, channel, plan.notes), stock
        )
        plan.groups.setdefault(listing.platform_item_id, []).append((listing, variant))
    return plan


async def _create(
    session: AsyncSession,
    ctx: OrgContext,
    channel: ChannelAccount,
    item_id: str,
    title: str,
    members: list[tuple[Listing, ImportedVariant]],
) -> ImportedProduct:
    product = Product(org_id=ctx.org_id, title=title, description="", images=[], attributes={})
    session.add(product)
    await session.flush()
    done: list[ImportedVariant] = []
    for position, (listing, planned) in enumerate(members):
        variant = Variant(
            org_id=ctx.org_id,
            product_id=product.id,
            sku=planned.sku,
            position=position,
            option_values=planned.option_values,
            images=[],
            attributes={},
        )
        session.add(variant)
        await session.flush()
        if planned.price is not None:
            session.add(
                VariantPrice(
                    org_id=ctx.org_id,
                    variant_id=variant.id,
                    market=channel.market,
                    currency=planned.price.currency.value,
                    amount=planned.price.amount,
                )
            )
        stock = Inventory(org_id=ctx.org_id, variant_id=variant.id, on_hand=0, reserved=0, safety_buffer=0)
        session.add(stock)
        listing.variant_id = variant.id
        await session.flush()
        if planned.on_hand:
            note = f"imported from {channel.platform} listing {listing.platform_item_id}"
            await inventory.manual_adjust(
                session, ctx.org_id, stock, on_hand=planned.on_hand, cause="import", note=note[:200]
            )
        done.append(
            ImportedVariant(
                listing.id, planned.sku, planned.option_values, planned.price, planned.on_hand, variant.id
            )
        )
    await inventory.stock_changed(session, ctx.org_id, listing_ids=[v.listing_id for v in done])
    await audit.record(
        session,
        ctx,
        "product.created",
        "product",
        product.id,
        after={
            "title": title,
            "imported_from": {"channel_account_id": channel.id, "platform_item_id": item_id},
            "variants": [
                {
                    "sku": v.sku,
                    "listing_id": v.listing_id,
                    "price": str(v.price) if v.price else None,
                    "on_hand": v.on_hand or 0,
                }
                for v in done
            ],
        },
    )
    return ImportedProduct(item_id, title, tuple(done), product.id)


async def import_from_channel(
    session: AsyncSession, ctx: OrgContext, channel_id: uuid.UUID, dry_run: bool
) -> ImportReport:
    """Create master products from the channel's unmatched listings (dry run: only say what would be)."""
    channel = await session.scalar(select(ChannelAccount).where(ChannelAccount.id == channel_id))
    if channel is None:
        raise NotFound("channel not found")
    stmt = (
        select(Listing)
        .where(Listing.channel_account_id == channel.id, Listing.variant_id.is_(None))
        .order_by(Listing.platform_item_id, Listing.platform_model_id, Listing.created_at, Listing.id)
    )
    if not dry_run:
        stmt = stmt.with_for_update()  # a concurrent import waits, then finds these linked
    listings = list((await session.scalars(stmt)).all())
    plan = await _plan(session, channel, listings)
    products: list[ImportedProduct] = []
    for item_id, members in plan.groups.items():
        title = _title(members[0][0])
        if dry_run:
            products.append(ImportedProduct(item_id, title, tuple(v for _, v in members)))
            continue
        try:
            products.append(await _create(session, ctx, channel, item_id, title, members))
        except IntegrityError as exc:
            raise Conflict("a SKU being imported was just created elsewhere; run the import again") from exc
    return ImportReport(channel.id, dry_run, tuple(products), tuple(plan.skipped), tuple(plan.notes))
