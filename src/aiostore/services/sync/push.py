"""Pushes: the available quantity of every dirty listing, per shop, in the platform's largest batches.

A stock movement marks every listing of the variant dirty (services/inventory.py) and asks for one
push per affected shop. The push task carries a queueing lock per shop: while one waits in the queue,
further requests join it, so a burst of sales costs one batched call per shop, not one per sale.
It reads the state when it runs, so it always sends the latest quantity; a per-shop advisory lock (the
push gate, below) makes it wait for the sales that joined it to commit first. What a listing is sent:
on hand - reserved - buffer (never below 0), plus, on platforms whose stock still counts units held
for their own open orders, what this shop's open orders hold (ConnectorLimits.stock_counts_reserved).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, and_, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from aiostore.connectors.dtos import ItemResult, PriceUpdate, StockUpdate
from aiostore.connectors.errors import PlatformUnavailable
from aiostore.db.models import Inventory, Listing, Order, OrderLine, SyncJob, VariantPrice
from aiostore.domain.inventory import available_to_sell
from aiostore.domain.market import Currency
from aiostore.domain.money import Money
from aiostore.services.sync import jobs
from aiostore.services.sync.context import SyncContext, open_channel
from aiostore.services.sync.queue import defer
from aiostore.services.sync.runner import claim, execute, handler

PUSH_TASK = "sync.push_stock"


async def request_pushes(
    session: AsyncSession, org_id: uuid.UUID, channel_ids: list[uuid.UUID] | None = None
) -> list[uuid.UUID]:
    """Defer one (coalesced) stock push for each shop with dirty listings, in the caller's transaction."""
    stmt = select(Listing.channel_account_id).where(Listing.stock_dirty.is_(True)).distinct()
    if channel_ids is not None:
        stmt = stmt.where(Listing.channel_account_id.in_(channel_ids))
    shops = sorted((await session.scalars(stmt)).all())
    for channel_id in shops:
        await hold_push_gate(session, channel_id, exclusive=False)
        await defer(
            session,
            PUSH_TASK,
            queueing_lock=f"push:{channel_id}",
            lock=f"push_stock:{channel_id}",
            org_id=str(org_id),
            channel_id=str(channel_id),
        )
    return shops


async def hold_push_gate(session: AsyncSession, channel_id: uuid.UUID, *, exclusive: bool) -> None:
    """Take the shop's push gate until the end of the session's transaction.

    A sale holds it shared from its push request to its commit; a push takes it exclusively before it
    looks for dirty listings. The queueing lock lets a sale join a push that is still waiting, before
    the sale commits; without the gate that push could start, find nothing dirty and end, and the
    sale's listings would stay dirty with no push left to send them (a lost wake-up). With it, the
    push waits for every sale that joined it. Sales share the gate, so they never wait for each other.
    """
    key = func.hashtextextended(f"push:{channel_id}", 0)
    lock = func.pg_advisory_xact_lock if exclusive else func.pg_advisory_xact_lock_shared
    await session.execute(select(lock(key)))


async def start_push(
    sc: SyncContext, org_id: uuid.UUID, channel_id: uuid.UUID, *, rounds: int = 5
) -> str | None:
    """The push task: a visible job for this shop's dirty listings, run now; again while sales that
    came in meanwhile left listings dirty (up to `rounds`), so a burst's tail needs no new job."""
    status: str | None = None
    for _ in range(rounds):
        async with sc.tx(org_id) as session:
            await hold_push_gate(session, channel_id, exclusive=True)
            dirty = await session.scalar(
                select(func.count())
                .select_from(Listing)
                .where(Listing.channel_account_id == channel_id, Listing.stock_dirty.is_(True))
            )
            if not dirty:
                return status
            job = await jobs.create(
                session,
                org_id,
                "push_stock",
                channel_account_id=channel_id,
                dry_run=sc.dry_run,
                started_by="system",
                defer_now=False,
            )
            claim(sc, job)  # it runs right here, now
        status = await execute(sc, org_id, job)
        if status != jobs.SUCCEEDED:
            return status  # a retry is scheduled (or the job failed): it owns what is left
    return status


def _dirty_listings(channel_id: uuid.UUID, listing_ids: list[uuid.UUID] | None) -> Select[Listing, Inventory]:
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
    session: AsyncSession, channel_id: uuid.UUID, statuses: frozenset[str]
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


# Item failures that say nothing about the item: the platform (or our breaker) was unavailable.
PASSING = frozenset({"PlatformUnavailable", "CircuitOpen", "RateLimited"})


def _passing(result: ItemResult) -> bool:
    return result.error is not None and (result.error.retryable or result.error.kind in PASSING)


def _ref(listing: Listing) -> str:
    return listing.platform_sku or f"{listing.platform_item_id}/{listing.platform_model_id}"


async def push_stock_of(sc: SyncContext, job: SyncJob, listing_ids: list[uuid.UUID] | None) -> dict[str, Any]:
    assert job.channel_account_id is not None  # noqa: S101
    async with sc.tx(job.org_id) as session:
        shop = await open_channel(sc, job.org_id, job.channel_account_id, session)
        rows = (await session.execute(_dirty_listings(shop.channel.id, listing_ids))).all()
        held = (
            await _held_by_shop(session, shop.channel.id, shop.connector.limits.stock_held_statuses)
            if shop.connector.limits.stock_counts_reserved
            else {}
        )
    targets: dict[tuple[str, str], tuple[Listing, int]] = {}
    for listing, inv in rows:
        quantity = available_to_sell(inv.on_hand, inv.reserved, inv.safety_buffer) + held.get(
            inv.variant_id, 0
        )
        targets[(listing.platform_item_id, listing.platform_model_id or "0")] = (listing, quantity)
    updates = [StockUpdate(item, model, qty) for (item, model), (_, qty) in targets.items()]
    results = await shop.connector.update_stock(updates) if updates else []
    retryable = await _record_stock(sc, job, targets, results)
    if retryable:
        raise PlatformUnavailable(
            f"{retryable} stock updates failed for a passing reason; retrying", platform=shop.channel.platform
        )
    failed = sum(1 for r in results if not r.ok)
    return {
        "listings": len(updates),
        "failed": failed,
        "api_calls": shop.connector.api_calls,
        "dry_run_requests": _requests(shop.records),
    }


def _requests(records: list[Any]) -> list[dict[str, Any]]:
    out = []
    for record in records[:20]:
        for req in record.requests[:20]:
            out.append({"op": req.op, "method": req.method, "path": req.path, "body": req.body})
    return out


async def _record_stock(
    sc: SyncContext,
    job: SyncJob,
    targets: dict[tuple[str, str], tuple[Listing, int]],
    results: list[ItemResult],
) -> int:
    retryable = 0
    items: list[dict[str, Any]] = []
    async with sc.tx(job.org_id) as session:
        # Lock the listings in id order first (as sales do, and in their mode: FOR NO KEY UPDATE, which
        # order lines' foreign key checks do not wait for), so a push and a sale never deadlock.
        ids = sorted(listing.id for listing, _ in targets.values())
        await session.execute(
            select(Listing.id).where(Listing.id.in_(ids)).order_by(Listing.id).with_for_update(key_share=True)
        )
        for result in results:
            listing, quantity = targets[(result.item_id, result.variant_id)]
            values: dict[str, Any] = {"last_synced_at": datetime.now(UTC)}
            if result.ok:
                values |= {"sync_state": "in_sync", "last_error": None}
                if not result.dry_run:
                    values["platform_stock"] = quantity
                    values["pushed_stock"] = quantity
            elif result.error is not None and _passing(result):
                retryable += 1
                values |= {"sync_state": "retrying", "last_error": result.error.message}
            else:
                message = result.error.message if result.error else "refused"
                values |= {"sync_state": "error", "last_error": message}
            clean = result.ok or not _passing(result)
            stmt = update(Listing).where(Listing.id == listing.id).values(**values)
            await session.execute(stmt)
            if clean:  # a change committed after we read the stock keeps the listing dirty
                await session.execute(
                    update(Listing)
                    .where(Listing.id == listing.id, Listing.stock_version == listing.stock_version)
                    .values(stock_dirty=False)
                )
            items.append(
                {
                    "ref": _ref(listing),
                    "result": "ok" if result.ok else "failed",
                    "error": None if result.ok or result.error is None else result.error.message,
                    "dry_run": result.dry_run,
                    "request": {"stock": quantity},
                }
            )
        await jobs.add_items(session, job, items)
    return retryable


@handler("push_stock")
async def push_stock(sc: SyncContext, job: SyncJob) -> dict[str, Any]:
    return await push_stock_of(sc, job, None)


@handler("push_listings")
async def push_listings(sc: SyncContext, job: SyncJob) -> dict[str, Any]:
    """Push chosen listings' stock and price (POST /api/sync/push)."""
    ids = [uuid.UUID(i) for i in job.params.get("listing_ids", [])]
    stock = await push_stock_of(sc, job, ids)
    prices = await _push_prices(sc, job, ids)
    return {"stock": stock, "prices": prices}


async def _push_prices(sc: SyncContext, job: SyncJob, listing_ids: list[uuid.UUID]) -> dict[str, Any]:
    assert job.channel_account_id is not None  # noqa: S101
    shop = await open_channel(sc, job.org_id, job.channel_account_id)
    market = shop.channel.market
    async with sc.tx(job.org_id) as session:
        rows = (
            await session.execute(
                select(Listing, VariantPrice)
                .join(
                    VariantPrice,
                    and_(VariantPrice.variant_id == Listing.variant_id, VariantPrice.market == market),
                )
                .where(Listing.id.in_(listing_ids))
            )
        ).all()
    targets: dict[tuple[str, str], Listing] = {}
    updates: list[PriceUpdate] = []
    for listing, price in rows:
        override = listing.overrides.get("price") if listing.overrides else None
        money = (
            Money.from_major(str(override), price.currency)
            if override
            else Money(price.amount, Currency(price.currency))
        )
        key = (listing.platform_item_id, listing.platform_model_id or "0")
        targets[key] = listing
        updates.append(PriceUpdate(key[0], key[1], money))
    results = await shop.connector.update_prices(updates) if updates else []
    by_result: dict[str, int] = defaultdict(int)
    items: list[dict[str, Any]] = []
    for result in results:
        by_result["ok" if result.ok else "failed"] += 1
        listing = targets[(result.item_id, result.variant_id)]
        items.append(
            {
                "ref": f"price:{_ref(listing)}",
                "result": "ok" if result.ok else "failed",
                "error": result.error.message if result.error else None,
                "dry_run": result.dry_run,
                "request": {},
            }
        )
    async with sc.tx(job.org_id) as session:
        await jobs.add_items(session, job, items)
    return {"listings": len(updates), **by_result}
