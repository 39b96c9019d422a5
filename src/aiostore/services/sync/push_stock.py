"""The stock half of a shop's push: the available quantity of its dirty (or chosen) listings.

What a listing is sent: on hand - reserved - buffer (never below 0), plus, on platforms whose stock
still counts units held for their own open orders, what this shop's open orders hold
(ConnectorLimits.stock_counts_reserved). A stock push never sends a price.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Select, func, select, update

from aiostore.connectors.dtos import ItemResult, StockUpdate
from aiostore.db.models import Inventory, Listing, Order, OrderLine, SyncJob
from aiostore.domain.inventory import available_to_sell
from aiostore.services.sync import jobs
from aiostore.services.sync.context import ShopConnection, SyncContext
from aiostore.services.sync.push_items import job_item, key_of, lock_listings, outcome, passing


def _listings(channel_id: uuid.UUID, listing_ids: list[uuid.UUID] | None) -> Select[Listing, Inventory]:
    stmt = (
        select(Listing, Inventory)
        .join(Inventory, Inventory.variant_id == Listing.variant_id)
        .where(Listing.channel_account_id == channel_id, Listing.variant_id.is_not(None))
        .order_by(Listing.platform_item_id, Listing.platform_model_id)
    )
    if listing_ids is None:
        return stmt.where(Listing.stock_dirty.is_(True))
    return stmt.where(Listing.id.in_(listing_ids))


async def _held_by_shop(
    session: Any, channel_id: uuid.UUID, statuses: frozenset[str]
) -> dict[uuid.UUID, int]:
    """Units this shop's own open orders hold inside its stock (platform statuses that still hold)."""
    rows = await session.execute(
        select(OrderLine.variant_id, func.sum(OrderLine.quantity))
        .join(Order, Order.id == OrderLine.order_id)
        .where(
            Order.channel_account_id == channel_id,
            OrderLine.stock_state == "reserved",
            OrderLine.variant_id.is_not(None),
            func.lower(Order.platform_status).in_(statuses),
        )
        .group_by(OrderLine.variant_id)
    )
    return {variant_id: int(total) for variant_id, total in rows.all() if variant_id is not None}


async def push_stock_of(
    sc: SyncContext, job: SyncJob, shop: ShopConnection, listing_ids: list[uuid.UUID] | None
) -> tuple[dict[str, Any], int]:
    """Send the stock of the shop's dirty listings (None) or of the chosen ones; returns the summary and
    how many items failed for a passing reason (the caller retries the job for them)."""
    limits = shop.connector.limits
    async with sc.tx(job.org_id) as session:
        rows = (await session.execute(_listings(shop.channel.id, listing_ids))).all()
        held = (
            await _held_by_shop(session, shop.channel.id, limits.stock_held_statuses)
            if limits.stock_counts_reserved
            else {}
        )
    targets: dict[tuple[str, str], tuple[Listing, int]] = {}
    for listing, inv in rows:
        quantity = available_to_sell(inv.on_hand, inv.reserved, inv.safety_buffer) + held.get(
            inv.variant_id, 0
        )
        targets[key_of(listing)] = (listing, quantity)
    updates = [StockUpdate(item, model, qty) for (item, model), (_, qty) in targets.items()]
    results = await shop.connector.update_stock(updates) if updates else []
    retryable = await _record(sc, job, targets, results)
    failed = sum(1 for r in results if not r.ok)
    return {"listings": len(updates), "failed": failed}, retryable


async def _record(
    sc: SyncContext,
    job: SyncJob,
    targets: dict[tuple[str, str], tuple[Listing, int]],
    results: list[ItemResult],
) -> int:
    items: list[dict[str, Any]] = []
    async with sc.tx(job.org_id) as session:
        await lock_listings(session, [listing.id for listing, _ in targets.values()])
        for result in results:
            listing, quantity = targets[(result.item_id, result.variant_id)]
            values, clean = outcome(result)
            if result.ok and not result.dry_run:
                values["platform_stock"] = quantity
            await session.execute(update(Listing).where(Listing.id == listing.id).values(**values))
            if clean:  # a change committed after we read the stock keeps the listing dirty
                await session.execute(
                    update(Listing)
                    .where(Listing.id == listing.id, Listing.stock_version == listing.stock_version)
                    .values(stock_dirty=False)
                )
            items.append(job_item(listing, result, {"stock": quantity}))
        await jobs.add_items(session, job, items)
    return sum(1 for r in results if passing(r))
