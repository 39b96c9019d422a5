"""The stock half of a shop's push: the available quantity of its dirty (or chosen) listings.

What a listing is sent is derived by services/allocation/quantities.py (on hand - reserved - other
shops' promotion reservations - buffer, the shop's allocation rule, plus what this shop's open orders
hold where the platform's stock counts them), the same derivation GET /api/variants/{id}/stock/explain
shows. A stock push never sends a price.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Row, Select, select

from aiostore.connectors.dtos import ItemResult, StockUpdate
from aiostore.db import bulk
from aiostore.db.models import Inventory, Listing, SyncJob
from aiostore.services.allocation.quantities import derive_listings
from aiostore.services.reconciliation.readback import Written
from aiostore.services.sync.context import ShopConnection, SyncContext
from aiostore.services.sync.push_items import (
    job_item,
    key_of,
    lock_listings,
    outcome,
    passing,
    record_outcomes,
)

# Plain columns, not Listing objects: a shop's 10,000 dirty listings as ORM objects (with their
# platform state) cost more memory than the rest of the push together.
COLUMNS: tuple[Any, ...] = (
    Listing.id,
    Listing.channel_account_id,
    Listing.variant_id,
    Listing.platform_item_id,
    Listing.platform_model_id,
    Listing.platform_sku,
    Listing.stock_version,
    Inventory.on_hand,
    Inventory.reserved,
    Inventory.safety_buffer,
)
Target = tuple[Row[Any], int]  # the listing's row and the quantity sent


def _listings(channel_id: uuid.UUID, listing_ids: list[uuid.UUID] | None) -> Select[Any]:
    stmt = (
        select(*COLUMNS)
        .join(Inventory, Inventory.variant_id == Listing.variant_id)
        .where(Listing.channel_account_id == channel_id, Listing.variant_id.is_not(None))
        .order_by(Listing.platform_item_id, Listing.platform_model_id)
    )
    if listing_ids is None:
        return stmt.where(Listing.stock_dirty.is_(True))
    return stmt.where(bulk.among(Listing.id, listing_ids))


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
        derived = await derive_listings(session, [(r, r) for r in rows], {shop.channel.id: limits})
    targets: dict[tuple[str, str], Target] = {key_of(d.listing): (d.listing, d.quantity) for d in derived}
    del rows, derived
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
    sc: SyncContext, job: SyncJob, targets: dict[tuple[str, str], Target], results: list[ItemResult]
) -> int:
    states: list[dict[str, Any]] = []
    cleared: list[dict[str, Any]] = []
    items: list[dict[str, Any]] = []
    for result in results:
        listing, quantity = targets[(result.item_id, result.variant_id)]
        values, clean = outcome(result)
        if result.ok and not result.dry_run:
            values["platform_stock"] = quantity
            values["pushed_stock"] = quantity  # what we last sent: a pull seeing otherwise is drift
        states.append({"id": listing.id} | values)
        if clean:  # a change committed after we read the stock keeps the listing dirty
            cleared.append({"id": listing.id, "stock_version": listing.stock_version, "stock_dirty": False})
        items.append(job_item(listing, result, {"stock": quantity}))
    async with sc.tx(job.org_id) as session:
        await lock_listings(session, [listing.id for listing, _ in targets.values()])
        await record_outcomes(session, job, states, cleared, items, version="stock_version")
    return sum(1 for r in results if passing(r))
