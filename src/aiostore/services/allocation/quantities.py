"""What each listing is pushed: its stock terms and rule loaded, then domain/allocation.derive.

The push (services/sync/push.py) and the explain (explain.py) both call `derive_listings`, so what
the explain shows is what a push sends.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from aiostore.connectors import registry
from aiostore.connectors.dtos import ConnectorLimits
from aiostore.db.models import (
    AllocationRule,
    ChannelAccount,
    Inventory,
    Listing,
    Order,
    OrderLine,
    PromotionReservation,
)
from aiostore.domain.allocation import Derivation, Rule, StockTerms, derive

RuleKey = tuple[uuid.UUID, uuid.UUID | None]  # (shop, variant or None for the shop's rule)


@dataclass(frozen=True, slots=True)
class ListingQuantity:
    listing: Listing
    terms: StockTerms
    rule: Rule | None
    derivation: Derivation

    @property
    def quantity(self) -> int:
        return self.derivation.quantity


def rule_of(row: AllocationRule) -> Rule:
    return Rule(
        share_percent=row.share_percent,
        cap=row.cap,
        keep_last=row.keep_last,
        keep_for=row.keep_for_channel_id,
        scope="shop" if row.variant_id is None else "variant",
    )


async def load_rules(
    session: AsyncSession, shops: set[uuid.UUID], variants: set[uuid.UUID]
) -> dict[RuleKey, AllocationRule]:
    if not shops:
        return {}
    rows = await session.scalars(
        select(AllocationRule).where(
            AllocationRule.channel_account_id.in_(shops),
            or_(AllocationRule.variant_id.is_(None), AllocationRule.variant_id.in_(variants)),
        )
    )
    return {(r.channel_account_id, r.variant_id): r for r in rows.all()}


async def load_promotions(
    session: AsyncSession, variants: set[uuid.UUID]
) -> dict[uuid.UUID, list[PromotionReservation]]:
    out: dict[uuid.UUID, list[PromotionReservation]] = defaultdict(list)
    if variants:
        rows = await session.scalars(
            select(PromotionReservation)
            .where(PromotionReservation.variant_id.in_(variants))
            .order_by(PromotionReservation.created_at, PromotionReservation.id)
        )
        for row in rows.all():
            out[row.variant_id].append(row)
    return out


def held_conditions(channel_id: uuid.UUID, statuses: frozenset[str]) -> list[ColumnElement[bool]]:
    """Order lines (joined with their order) of this shop whose units its platform still counts inside
    its stock: reserved, in a platform status that holds."""
    return [
        Order.channel_account_id == channel_id,
        OrderLine.stock_state == "reserved",
        OrderLine.variant_id.is_not(None),
        func.lower(Order.platform_status).in_(statuses),
    ]


async def held_by_shop(
    session: AsyncSession, channel_id: uuid.UUID, limits: ConnectorLimits
) -> dict[uuid.UUID, int]:
    """Units this shop's own open orders hold inside its platform stock, per variant (platforms whose
    stock still counts them: ConnectorLimits.stock_counts_reserved)."""
    if not limits.stock_counts_reserved:
        return {}
    rows = await session.execute(
        select(OrderLine.variant_id, func.sum(OrderLine.quantity))
        .join(Order, Order.id == OrderLine.order_id)
        .where(*held_conditions(channel_id, limits.stock_held_statuses))
        .group_by(OrderLine.variant_id)
    )
    return {variant_id: int(total) for variant_id, total in rows.all() if variant_id is not None}


async def derive_listings(
    session: AsyncSession,
    rows: Sequence[tuple[Listing, Inventory | None]],
    limits: Mapping[uuid.UUID, ConnectorLimits],
) -> list[ListingQuantity]:
    """The quantity each listing (with its variant's inventory) is to be pushed, step by step.
    `limits` names each listing's shop's connector limits."""
    listed = [(listing, inv) for listing, inv in rows if listing.variant_id is not None]
    shops = {listing.channel_account_id for listing, _ in listed}
    variants = {listing.variant_id for listing, _ in listed if listing.variant_id is not None}
    rules = await load_rules(session, shops, variants)
    promotions = await load_promotions(session, variants)
    held = {shop: await held_by_shop(session, shop, limits[shop]) for shop in sorted(shops)}
    out: list[ListingQuantity] = []
    for listing, inv in listed:
        assert listing.variant_id is not None  # noqa: S101
        shop, variant = listing.channel_account_id, listing.variant_id
        promos = promotions.get(variant, [])
        terms = StockTerms(
            on_hand=inv.on_hand if inv else 0,
            reserved=inv.reserved if inv else 0,
            safety_buffer=inv.safety_buffer if inv else 0,
            promotion_reserved_elsewhere=sum(p.units for p in promos if p.channel_account_id != shop),
            promotion_reserved_here=sum(p.units for p in promos if p.channel_account_id == shop),
            held_by_shop_orders=held[shop].get(variant, 0),
        )
        found = rules.get((shop, variant)) or rules.get((shop, None))
        rule = rule_of(found) if found is not None else None
        out.append(ListingQuantity(listing, terms, rule, derive(terms, rule, shop)))
    return out


async def offered(session: AsyncSession, listings: Sequence[Listing]) -> dict[uuid.UUID, ListingQuantity]:
    """What a push would send each of these listings now (pages that show it beside the platform's
    number): their inventory loaded, each shop's limits from its platform plugin."""
    linked = [listing for listing in listings if listing.variant_id is not None]
    if not linked:
        return {}
    variants = {listing.variant_id for listing in linked}
    stock = {
        inv.variant_id: inv
        for inv in (await session.scalars(select(Inventory).where(Inventory.variant_id.in_(variants)))).all()
    }
    shops = (
        await session.execute(
            select(ChannelAccount.id, ChannelAccount.platform).where(
                ChannelAccount.id.in_({listing.channel_account_id for listing in linked})
            )
        )
    ).all()
    limits = {shop_id: registry.default_limits(platform) for shop_id, platform in shops}
    rows = [(listing, stock.get(listing.variant_id)) for listing in linked if listing.variant_id]
    return {d.listing.id: d for d in await derive_listings(session, rows, limits)}
