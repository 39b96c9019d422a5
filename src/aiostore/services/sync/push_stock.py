"""The stock half of a shop's push: the available quantity of its dirty (or chosen) listings.

What a listing is sent is derived by services/allocation/quantities.py (on hand - reserved - other
shops' promotion reservations - buffer, the shop's allocation rule, plus what this shop's open orders
hold where the platform's stock counts them), the same derivation GET /api/variants/{id}/stock/explain
shows. A stock push never sends a price.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Select, select, update

from aiostore.connectors.dtos import ItemResult, StockUpdate
from aiostore.db.models import Inventory, Listing, SyncJob
from aiostore.services.allocation.quantities import derive_listings
from aiostore.services.reconciliation.readback import Written
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


async def push_stock_of(
    sc: SyncContext,
    job: SyncJob,
    shop: ShopConnection,
    listing_ids: list[uuid.UUID] | None,
    written: Written | None = None,
) -> tuple[dict[str, Any], int]:
    """Send the stock of the shop's dirty listings (None) or of the chosen ones; returns the summary and
    how many items failed for a passing reason (the caller retries the job for them). What the platform
    accepted (live) is added to `written`, for the read-back."""
    limits = shop.connector.limits
    async with sc.tx(job.org_id) as session:
        rows = (await session.execute(_listings(shop.channel.id, listing_ids))).all()
        derived = await derive_listings(session, rows, {shop.channel.id: limits})
    targets: dict[tuple[str, str], tuple[Listing, int]] = {}
    for d in derived:
        targets[key_of(d.listing)] = (d.listing, d.quantity)
    updates = [StockUpdate(item, model, qty) for (item, model), (_, qty) in targets.items()]
    results = await shop.connector.update_stock(updates) if updates else []
    retryable = await _record(sc, job, targets, results)
    if written is not None:
        for r in results:
            if r.ok and not r.dry_run:
                listing, quantity = targets[(r.item_id, r.variant_id)]
                written.stock[key_of(listing)] = (listing.id, quantity)
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
                values["pushed_stock"] = quantity  # what we last sent: a pull seeing otherwise is drift
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
