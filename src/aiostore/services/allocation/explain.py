"""Why a shop shows the number it shows: for every listing of a variant, the quantity a push sends,
derived step by step (services/allocation/quantities.py, the push's own code path), with the rows
behind each term: the ledger movements behind on hand, the open order lines behind reserved and the
shop's held units, the other shops' promotion reservations, and the rule applied."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from aiostore.connectors import registry
from aiostore.db.models import (
    ChannelAccount,
    Inventory,
    InventoryMovement,
    Listing,
    Order,
    OrderLine,
    PromotionReservation,
    Variant,
)
from aiostore.domain.allocation import Term
from aiostore.errors import NotFound
from aiostore.services.allocation.quantities import ListingQuantity, load_promotions, offered
from aiostore.services.context import OrgContext

LEDGER_ROWS = 20  # the newest on-hand movements shown; GET /api/variants/{id}/ledger pages them all


@dataclass(frozen=True, slots=True)
class OpenLine:
    order_line_id: uuid.UUID
    order_id: uuid.UUID
    platform_order_id: str
    channel_account_id: uuid.UUID
    platform_status: str
    quantity: int
    placed_at: datetime


@dataclass(frozen=True, slots=True)
class Sources:
    movements: list[InventoryMovement] = field(default_factory=list)
    order_lines: list[OpenLine] = field(default_factory=list)
    promotions: list[PromotionReservation] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ListingExplain:
    shop: ChannelAccount
    derived: ListingQuantity[Listing]
    sources: dict[Term, Sources]


@dataclass(frozen=True, slots=True)
class StockExplain:
    variant: Variant
    inventory: Inventory | None
    movements_total: int
    listings: list[ListingExplain]


async def _open_lines(session: AsyncSession, variant_id: uuid.UUID) -> list[tuple[OpenLine, str]]:
    rows = await session.execute(
        select(OrderLine, Order)
        .join(Order, Order.id == OrderLine.order_id)
        .where(OrderLine.variant_id == variant_id, OrderLine.stock_state == "reserved")
        .order_by(Order.placed_at, OrderLine.id)
    )
    return [
        (
            OpenLine(
                line.id,
                order.id,
                order.platform_order_id,
                order.channel_account_id,
                order.platform_status,
                line.quantity,
                order.placed_at,
            ),
            order.platform_status.lower(),
        )
        for line, order in rows.all()
    ]


async def explain_variant(session: AsyncSession, ctx: OrgContext, variant_id: uuid.UUID) -> StockExplain:
    variant = await session.get(Variant, variant_id)
    if variant is None:
        raise NotFound("variant not found")
    inv = await session.scalar(select(Inventory).where(Inventory.variant_id == variant_id))
    rows = (
        await session.execute(
            select(Listing, ChannelAccount)
            .join(ChannelAccount, ChannelAccount.id == Listing.channel_account_id)
            .where(Listing.variant_id == variant_id)
            .order_by(ChannelAccount.platform, ChannelAccount.market, ChannelAccount.shop_name, Listing.id)
        )
    ).all()
    shops = {shop.id: shop for _, shop in rows}
    found = await offered(session, [listing for listing, _ in rows])
    derived = [found[listing.id] for listing, _ in rows]
    on_hand_moves = InventoryMovement.variant_id == variant_id, InventoryMovement.on_hand_delta != 0
    movements = list(
        (
            await session.scalars(
                select(InventoryMovement)
                .where(*on_hand_moves)
                .order_by(InventoryMovement.created_at.desc(), InventoryMovement.id.desc())
                .limit(LEDGER_ROWS)
            )
        ).all()
    )
    total = await session.scalar(select(func.count()).select_from(InventoryMovement).where(*on_hand_moves))
    lines = await _open_lines(session, variant_id)
    promos = (await load_promotions(session, {variant_id})).get(variant_id, [])
    out: list[ListingExplain] = []
    for d in derived:
        shop = shops[d.listing.channel_account_id]
        shop_limits = registry.default_limits(shop.platform)
        held = [
            line
            for line, status in lines
            if shop_limits.stock_counts_reserved
            and line.channel_account_id == shop.id
            and status in shop_limits.stock_held_statuses
        ]
        sources = {
            Term.ON_HAND: Sources(movements=movements),
            Term.RESERVED: Sources(order_lines=[line for line, _ in lines]),
            Term.PROMOTION_RESERVED: Sources(
                promotions=[p for p in promos if p.channel_account_id != shop.id]
            ),
            Term.KEEP_LAST: Sources(promotions=[p for p in promos if p.channel_account_id == shop.id]),
            Term.HELD_BY_SHOP_ORDERS: Sources(order_lines=held),
        }
        out.append(ListingExplain(shop, d, sources))
    return StockExplain(variant, inv, int(total or 0), out)
