"""A pull (or gap fill) ingesting many orders never deadlocks with the pushes of the listings it marks.

Pushes lock a shop's listings in id order. A pull that ingested its orders in one long transaction took
the listings order after order, in no global order, and held them all to the end: a push holding a
lower listing and waiting for a higher one that the pull had taken met the pull waiting for the lower
one, and PostgreSQL killed one of them (the soak's pulls and gap fills died after five attempts, leaving
390 orders unfilled). Each order now commits on its own, so the push's wait ends with that order.
"""

from __future__ import annotations

import asyncio
import time
import uuid

from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from aiostore.db.models import InventoryMovement, Listing, SyncJob
from aiostore.services.sync.push_items import lock_listings
from tests.integration.sync.conftest import MarketFactory
from tests.integration.sync.intake_support import Shop, assert_exact, open_shop
from tests.integration.sync.marketplace import Market

WAITING = """SELECT count(*) FROM pg_stat_activity
 WHERE wait_event_type = 'Lock' AND query ILIKE '%%UPDATE listings%%' AND pid <> pg_backend_pid()"""


async def _listings(market: Market, shop: Shop) -> dict[str, uuid.UUID]:
    async with market.db.transaction(market.org_id) as session:
        rows = await session.execute(
            select(Listing.variant_id, Listing.id).where(Listing.channel_account_id == shop.channel_id)
        )
        by_variant = dict(rows.all())
    return {sku: by_variant[variant_id] for sku, variant_id in shop.variants.items()}


async def _wait_for_a_blocked_listing_update(market: Market) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        async with market.db.engine.connect() as conn:
            if (await conn.execute(text(WAITING))).scalar():
                return
        await asyncio.sleep(0.05)
    raise AssertionError("the pull never reached the listing the push holds")


async def _pulls(market: Market, shop: Shop) -> list[SyncJob]:
    async with market.db.transaction(market.org_id) as session:
        found = await session.scalars(
            select(SyncJob)
            .where(SyncJob.kind == "pull_orders", SyncJob.channel_account_id == shop.channel_id)
            .where(SyncJob.started_by == "user")  # ours, not the schedule's
            .order_by(SyncJob.created_at)
        )
        return list(found.all())


async def test_a_pull_of_many_orders_and_a_push_of_their_listings_never_deadlock(
    make_market: MarketFactory,
) -> None:
    market, owner = await make_market(["shopee"], products=3, variants=1)
    shop = await open_shop(market, owner, "shopee")
    listing = await _listings(market, shop)
    low, high = sorted(listing, key=lambda sku: listing[sku])[::2]  # the lowest and highest listing ids
    sandbox = market.shops["shopee"]
    sandbox.set_faults({"push_drop_rate": 1.0})  # no webhook: the pull brings every order
    clock = sandbox.sandbox.config  # type: ignore[attr-defined]
    now = time.time()
    # Listed (by update time) first: orders of the higher listing; last: one of the lower listing.
    placed: list[str] = []
    for n, sku in enumerate([high, high, high, low]):
        clock.clock = lambda at=now - 60 + n: at
        placed.append(shop.place(sku, 1))
    clock.clock = time.time
    await shop.pull_orders()

    settling: asyncio.Task[None] | None = None
    try:
        async with market.db.transaction(market.org_id) as push:  # a push recording its outcome
            await lock_listings(push, [listing[low]])  # it has locked the lower listing ...
            settling = asyncio.create_task(market.settle())
            await _wait_for_a_blocked_listing_update(market)  # ... the pull waits for it ...
            await push.execute(text("SET LOCAL lock_timeout = '20s'"))  # (a hang becomes an error)
            await lock_listings(push, [listing[low], listing[high]])  # ... and it takes the higher one
    except DBAPIError as exc:
        raise AssertionError(f"the push could not take the listings the pull had marked: {exc}") from exc
    finally:
        if settling is not None:
            await settling
    await market.settle()

    [job] = await _pulls(market, shop)
    assert (job.status, job.attempts, job.error) == ("succeeded", 1, None)
    assert job.result["orders"] == len(placed)
    await assert_exact(shop)

    async with market.db.transaction(market.org_id) as session:
        moves = await session.scalar(select(func.count()).select_from(InventoryMovement))
    await shop.pull_orders()  # the same orders again: nothing new, no stock moved twice
    await market.settle()
    again = (await _pulls(market, shop))[-1]
    assert again.status == "succeeded" and again.result["created"] == again.result["updated"] == 0
    assert again.result["unchanged"] == len(placed)
    async with market.db.transaction(market.org_id) as session:
        assert await session.scalar(select(func.count()).select_from(InventoryMovement)) == moves
    await assert_exact(shop)
