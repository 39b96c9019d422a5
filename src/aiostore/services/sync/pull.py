"""Pulls: products become listings matched to master variants by seller SKU; orders upsert by
platform id, incrementally by update time with an overlap, and move stock.

A pull (and a gap fill, services/sync/gaps.py) ingests its orders one per transaction (`ingest_each`),
as a webhook does: an order's locks are taken in one global order (the order's advisory lock, its
inventory rows by variant, its listings by id, the shops' push gates), held only until that order
commits. Orders ingested in one long transaction took listing locks order after order in no global
order, while pushes lock theirs in id order: under load the pull lost every deadlock, died after its
retries, and left the hole it was filling. Orders whose version (update time, status) we hold already
are left out first, in one read; a lock conflict retries only its order. A list that returns only order
ids and statuses (Shopee's, Tokopedia's) is compared with ours before any detail is read: an order we
hold at the listed version costs no detail call (`refs_held`).

A listing that a pull links to a master variant (a new SKU match) is linked as by hand: its stock is
pushed to the shop (`inventory.stock_changed`), its price is not."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from aiostore.connectors.dtos import OrderDTO, OrderRef, ProductDTO
from aiostore.db import bulk
from aiostore.db.models import ChannelAccount, Listing, Order, SyncJob, Variant
from aiostore.services import inventory, orders
from aiostore.services.sync.context import SyncContext, open_channel
from aiostore.services.sync.push import queue_pushes
from aiostore.services.sync.runner import checkpoint, handler

log = structlog.get_logger(__name__)

PAGE = 200  # products written per transaction
CHECKPOINT_EVERY = 50  # orders ingested between two progress records
ATTEMPTS = 3  # tries of one order's transaction that lost a lock conflict
LOCK_CONFLICTS = ("40P01", "40001")  # deadlock victim, serialization failure
ORDER_OVERLAP = timedelta(minutes=10)  # a late update inside this window is never missed
FIRST_ORDER_WINDOW = timedelta(days=14)


def _listing_rows(
    org_id: uuid.UUID,
    channel: ChannelAccount,
    products: list[ProductDTO],
    skus: dict[str, uuid.UUID],
    now: datetime,
) -> list[dict[str, Any]]:
    rows = []
    for product in products:
        for v in product.variants:
            sku = v.seller_sku or (product.seller_sku if not product.has_variants else "")
            rows.append(
                {
                    "id": uuid.uuid4(),
                    "org_id": org_id,
                    "channel_account_id": channel.id,
                    # The variant's own item id: on Tokopedia each variant is a product of its own.
                    "platform_item_id": v.item_id or product.item_id,
                    "platform_model_id": v.variant_id or "0",
                    "platform_sku": sku or None,
                    "variant_id": skus.get(sku.lower()) if sku else None,
                    "title": (product.name + (f" ({v.name})" if v.name and product.has_variants else ""))[
                        :300
                    ],
                    "status": v.status.value,
                    "platform_state": {
                        "product_id": product.item_id,  # the product a variant's own item belongs to
                        "name": product.name,
                        "variant_name": v.name,
                        "price": str(v.price.to_major()) if v.price else None,
                        "currency": v.price.currency.value if v.price else None,
                        "stock": v.stock,
                        "status": v.platform_status or product.platform_status,
                    }
                    # a variant's options, when the read had them (TikTok's product search has not:
                    # a pull must not overwrite the options a publish recorded with none)
                    | (
                        {"options": list(v.option_values)}
                        if v.option_values or not product.has_variants
                        else {}
                    ),
                    "platform_stock": v.stock,
                    "last_synced_at": now,
                    "platform_updated_at": product.updated_at,
                    "overrides": {},
                    "sync_state": "in_sync",
                    "stock_dirty": False,
                    "created_at": now,
                    "updated_at": now,
                }
            )
    return rows


async def _write_listings(
    session: AsyncSession, org_id: uuid.UUID, channel: ChannelAccount, products: list[ProductDTO]
) -> tuple[int, list[str]]:
    """Upsert one page of listings; returns (matched count, unmatched SKUs)."""
    skus_wanted = {
        (v.seller_sku or p.seller_sku).lower()
        for p in products
        for v in p.variants
        if v.seller_sku or p.seller_sku
    }
    found = (
        await session.execute(
            select(func.lower(Variant.sku), Variant.id).where(func.lower(Variant.sku).in_(skus_wanted))
        )
        if skus_wanted
        else None
    )
    skus: dict[str, uuid.UUID] = {sku: vid for sku, vid in found.all()} if found is not None else {}
    keyed = {
        (r["platform_item_id"], r["platform_model_id"]): r
        for r in _listing_rows(org_id, channel, products, skus, datetime.now(UTC))
    }
    rows = list(keyed.values())  # one row per listing key (one INSERT cannot touch a row twice)
    if not rows:
        return 0, []
    linked_before = set(
        (
            await session.execute(
                select(Listing.platform_item_id, Listing.platform_model_id).where(
                    Listing.channel_account_id == channel.id,
                    Listing.platform_item_id.in_(sorted({item for item, _ in keyed})),
                    Listing.variant_id.is_not(None),
                )
            )
        ).all()
    )
    # The page's existing listings, locked in id order as sales and pushes lock them, before the upsert
    # takes them in the page's order.
    await session.execute(
        select(Listing.id)
        .where(
            Listing.channel_account_id == channel.id,
            bulk.among(Listing.platform_item_id, sorted({item for item, _ in keyed})),
        )
        .order_by(Listing.id)
        .with_for_update(key_share=True)
    )
    stmt = insert(Listing).values(rows)
    excluded = stmt.excluded
    stmt = stmt.on_conflict_do_update(
        index_elements=["channel_account_id", "platform_item_id", "platform_model_id"],
        set_={
            "platform_sku": excluded.platform_sku,
            "title": excluded.title,
            "status": excluded.status,
            # merged: what a publish recorded and a pull does not read (attributes, category) stays
            "platform_state": Listing.platform_state.op("||")(excluded.platform_state),
            "platform_stock": excluded.platform_stock,
            "last_synced_at": excluded.last_synced_at,
            "platform_updated_at": excluded.platform_updated_at,
            # A link made by hand (or an earlier match) stays; a new SKU match fills an empty one.
            "variant_id": func.coalesce(Listing.variant_id, excluded.variant_id),
            "updated_at": excluded.updated_at,
        },
    )
    written = await session.execute(
        stmt.returning(Listing.id, Listing.platform_item_id, Listing.platform_model_id, Listing.variant_id)
    )
    newly_linked = [
        listing_id
        for listing_id, item, model, variant_id in written.all()
        if variant_id is not None and (item, model) not in linked_before
    ]
    await inventory.stock_changed(session, org_id, listing_ids=newly_linked)
    matched = sum(1 for r in rows if r["variant_id"] is not None)
    unmatched = [
        r["platform_sku"] or f"{r['platform_item_id']}/{r['platform_model_id']}"
        for r in rows
        if r["variant_id"] is None
    ]
    return matched, unmatched


@handler("pull_products")
async def pull_products(sc: SyncContext, job: SyncJob) -> dict[str, Any]:
    assert job.channel_account_id is not None  # noqa: S101
    shop = await open_channel(sc, job.org_id, job.channel_account_id)
    synced = shop.channel.products_synced_at
    since = None if job.params.get("full", True) or synced is None else synced - ORDER_OVERLAP
    started = datetime.now(UTC)
    page: list[ProductDTO] = []
    counts = {"products": 0, "listings": 0, "matched": 0}
    unmatched: list[str] = []

    async def flush() -> None:
        async with sc.tx(job.org_id) as session:
            matched, missing = await _write_listings(session, job.org_id, shop.channel, page)
        counts["products"] += len(page)
        counts["listings"] += sum(len(p.variants) for p in page)
        counts["matched"] += matched
        unmatched.extend(missing)
        page.clear()
        await checkpoint(sc, job, counts["products"], None)

    async for product in shop.connector.list_products(updated_since=since):
        page.append(product)
        if len(page) >= PAGE:
            await flush()
    if page:
        await flush()
    async with sc.tx(job.org_id) as session:
        await session.execute(
            update(ChannelAccount)
            .where(ChannelAccount.id == shop.channel.id)
            .values(products_synced_at=started)
        )
        await session.execute(
            update(SyncJob)
            .where(SyncJob.id == job.id)
            .values(progress_done=counts["products"], progress_total=counts["products"])
        )
    return {
        **counts,
        "unmatched": len(unmatched),
        "unmatched_skus": unmatched[:100],
        "api_calls": shop.connector.api_calls,
    }


@handler("pull_orders")
async def pull_orders(sc: SyncContext, job: SyncJob) -> dict[str, Any]:
    """Orders changed in a window, by update time: from the shop's cursor (less the overlap) to now, or
    the window a job names (`since`, `until`). A backfill (`backfill`: any window, asked for by the
    operator) leaves the cursor where it is; the periodic pull moves it to the end of its window."""
    assert job.channel_account_id is not None  # noqa: S101
    shop = await open_channel(sc, job.org_id, job.channel_account_id)
    until = datetime.fromisoformat(job.params["until"]) if "until" in job.params else datetime.now(UTC)
    backfill = bool(job.params.get("backfill"))
    if "since" in job.params:
        since = datetime.fromisoformat(job.params["since"])
    elif shop.channel.orders_synced_until is not None:
        since = shop.channel.orders_synced_until - ORDER_OVERLAP
    else:
        since = until - FIRST_ORDER_WINDOW
    refs: list[OrderRef] = [ref async for ref in shop.connector.list_orders(since, until)]
    whole = [ref.order for ref in refs if ref.order is not None]
    listed = [ref for ref in refs if ref.order is None]
    async with sc.tx(job.org_id) as session:
        held = await refs_held(session, shop.channel.id, listed)
    to_fetch = [ref.order_id for ref in listed if ref.order_id not in held]
    counts = new_counts()
    counts["orders"] += len(held)
    counts["unchanged"] += len(held)
    batch = max(1, shop.connector.limits.order_detail_batch)
    for start in range(0, len(to_fetch), batch):
        whole.extend(await shop.connector.get_orders(to_fetch[start : start + batch]))
    await ingest_each(sc, job, shop.channel, whole, counts)
    if not backfill:
        async with sc.tx(job.org_id) as session:
            await session.execute(
                update(ChannelAccount)
                .where(ChannelAccount.id == shop.channel.id)
                .values(orders_synced_until=until)
            )
    return {
        **counts,
        "since": since.isoformat(),
        "until": until.isoformat(),
        "backfill": backfill,
        "api_calls": shop.connector.api_calls,
    }


async def ingest_many(
    session: AsyncSession,
    org_id: uuid.UUID,
    channel: ChannelAccount,
    dtos: list[OrderDTO],
    counts: dict[str, int] | None = None,
) -> None:
    """Ingest orders in the caller's transaction and queue the stock pushes they cause."""
    shops: set[uuid.UUID] = set()
    for dto in dtos:
        result = await orders.ingest(session, org_id, channel, dto)
        shops |= result.shops
        if counts is not None:
            counts["orders"] += 1
            counts["stale" if result.stale else ("created" if result.created else "updated")] += 1
            counts["oversold"] += int(result.order.oversold)
    await queue_pushes(session, org_id, shops)


def new_counts() -> dict[str, int]:
    """A pull's or gap fill's order counts (`unchanged`: listed at a version we hold already)."""
    return {"orders": 0, "created": 0, "updated": 0, "stale": 0, "unchanged": 0, "oversold": 0}


async def ingest_each(
    sc: SyncContext, job: SyncJob, channel: ChannelAccount, dtos: list[OrderDTO], counts: dict[str, int]
) -> None:
    """Ingest orders one per transaction (see the module's note), recording the job's progress. Orders
    counted before (left out of the list unread: `refs_held`) are part of the job's total."""
    async with sc.tx(job.org_id) as session:
        held = await versions_held(session, channel.id, dtos)
    total = counts["orders"] + len(dtos)
    counts["orders"] += len(held)
    counts["unchanged"] += len(held)
    for n, dto in enumerate(dto for dto in dtos if dto.order_id not in held):
        await _ingest_one(sc, job.org_id, channel, dto, counts)
        if (n + 1) % CHECKPOINT_EVERY == 0:
            await checkpoint(sc, job, counts["orders"], total)
    await checkpoint(sc, job, counts["orders"], total)


async def versions_of(
    session: AsyncSession, channel_id: uuid.UUID, ids: list[str]
) -> dict[str, tuple[datetime, str, str]]:
    """The version we hold of each of a shop's orders that we have: (update time, status, platform
    status) by platform order id; one query per 1,000 ids."""
    ours: dict[str, tuple[datetime, str, str]] = {}
    for start in range(0, len(ids), 1000):
        rows = await session.execute(
            select(
                Order.platform_order_id, Order.platform_updated_at, Order.status, Order.platform_status
            ).where(
                Order.channel_account_id == channel_id,
                bulk.among(Order.platform_order_id, ids[start : start + 1000]),
            )
        )
        ours |= {order_id: (updated, status, raw) for order_id, updated, status, raw in rows.all()}
    return ours


async def versions_held(session: AsyncSession, channel_id: uuid.UUID, dtos: list[OrderDTO]) -> set[str]:
    """The orders listed at a version (update time, status) we hold already: ingesting them changes
    nothing (`orders.is_stale` or equal). One whose platform status differs from ours is not held, even
    at the same update time: Shopee's READY_TO_SHIP and PROCESSED share one unified status, and its
    update times are whole seconds."""
    ours = await versions_of(session, channel_id, [dto.order_id for dto in dtos])
    return {
        dto.order_id
        for dto in dtos
        if dto.order_id in ours
        and not orders.is_newer(dto, *ours[dto.order_id][:2])
        and (not dto.platform_status or dto.platform_status == ours[dto.order_id][2])
    }


async def refs_held(session: AsyncSession, channel_id: uuid.UUID, refs: list[OrderRef]) -> set[str]:
    """The listed orders (rows without the whole order) whose version we hold already, by the row's
    status and update time (`orders.ref_is_newer`): their detail is not read."""
    ours = await versions_of(session, channel_id, [ref.order_id for ref in refs])
    return {
        ref.order_id
        for ref in refs
        if ref.order_id in ours and not orders.ref_is_newer(ref, *ours[ref.order_id])
    }


async def _ingest_one(
    sc: SyncContext, org_id: uuid.UUID, channel: ChannelAccount, dto: OrderDTO, counts: dict[str, int]
) -> None:
    """One order in its own transaction; a lock conflict (which rolled back only this order) tries it
    again. Counted once it commits."""
    for attempt in range(1, ATTEMPTS + 1):
        piece = dict.fromkeys(counts, 0)
        try:
            async with sc.tx(org_id) as session:
                await ingest_many(session, org_id, channel, [dto], piece)
        except DBAPIError as exc:
            if attempt == ATTEMPTS or getattr(exc.orig, "sqlstate", None) not in LOCK_CONFLICTS:
                raise
            log.info("orders.ingest.retried", order_id=dto.order_id, attempt=attempt)
            await asyncio.sleep(0.05 * attempt)
            continue
        for key, value in piece.items():
            counts[key] += value
        return
