"""Order intake is exact per (platform, shop, order, status version): pushes duplicated, reordered and
replayed, the periodic pull and webhooks bringing the same orders, never move stock twice nor take a
status back. Randomized over seeds, on every platform's sandbox."""

from __future__ import annotations

import asyncio
import dataclasses
import random

import pytest
from sqlalchemy import func, select, text

from aiostore.db.models import Order, WebhookEvent
from aiostore.services import orders
from aiostore.services.sync.context import SyncContext, open_channel
from aiostore.services.sync.pull import ingest_many
from tests.integration.sync.conftest import MarketFactory
from tests.integration.sync.intake_support import assert_exact, open_shop
from tests.integration.sync.marketplace import PLATFORMS

NEXT = {"to_ship": ["shipped", "cancelled"], "shipped": ["completed", "returned"], "completed": ["returned"]}


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("seed", [1, 2])
async def test_random_intake_moves_stock_exactly_once(
    make_market: MarketFactory, platform: str, seed: int
) -> None:
    market, owner = await make_market([platform], products=3, variants=1)
    shop = await open_shop(market, owner, platform)
    market.shops[platform].set_faults({"push_duplicate_rate": 0.3, "push_reorder_rate": 0.3, "seed": seed})
    rng = random.Random(seed)
    for step in range(30):
        roll = rng.random()
        movable = [o for o, (_, _, status) in shop.orders.items() if status in NEXT]
        if roll < 0.4 or not movable:
            shop.place(rng.choice(sorted(shop.skus)), rng.randint(1, 3))
        elif roll < 0.8:
            order_id = rng.choice(movable)
            shop.move(order_id, rng.choice(NEXT[shop.orders[order_id][2]]))
        elif roll < 0.9 and shop.tee.seen:  # a captured push replayed, long after
            assert await shop.replay(rng.randrange(len(shop.tee.seen))) == 200
        else:
            await shop.pull_orders()  # the same orders through the pull
        if step % 7 == 6:
            await market.settle()
    await shop.pull_orders()
    await market.settle()
    for index in range(len(shop.tee.seen)):  # every push again, after everything: nothing changes
        assert await shop.replay(index) == 200
    await market.settle()
    await assert_exact(shop)


@pytest.mark.parametrize("platform", PLATFORMS)
async def test_a_pull_copy_read_before_a_change_does_not_take_the_status_back(
    make_market: MarketFactory, platform: str
) -> None:
    """A pull reads the order (to ship), the order ships in the same second (platform update times are
    whole seconds), the push is processed; the pull's older copy is ingested last: stale, nothing moves."""
    market, owner = await make_market([platform], products=3, variants=1)
    shop = await open_shop(market, owner, platform)
    order_id = shop.place("INTAKE-0", 2)
    await market.settle()
    sc = market.app.state.sync
    assert isinstance(sc, SyncContext)
    connection = await open_channel(sc, market.org_id, shop.channel_id)
    (before,) = await connection.connector.get_orders([order_id])
    shop.move(order_id, "shipped")
    await market.settle()
    async with market.db.transaction(market.org_id) as session:
        order = await session.scalar(select(Order).where(Order.platform_order_id == order_id))
        assert order is not None and order.status == "shipped"
        same_second = dataclasses.replace(before, updated_at=order.platform_updated_at)
    for copy in (before, same_second):
        async with market.db.transaction(market.org_id) as session:
            result = await orders.ingest(session, market.org_id, connection.channel, copy)
            assert result.stale and not result.shops
    async with market.db.transaction(market.org_id) as session:
        await ingest_many(session, market.org_id, connection.channel, [before, same_second])
    await assert_exact(shop)


async def test_concurrent_duplicate_pushes_are_stored_once_each(make_market: MarketFactory) -> None:
    """Pushes arriving at once share group commits; each distinct push is stored and queued once, and
    every copy of it is answered 200."""

    market, owner = await make_market(["shopee"], products=3, variants=1)
    shop = await open_shop(market, owner, "shopee")
    shop.tee.forward = False
    for n in range(8):
        shop.place(f"INTAKE-{n % 3}", 1)
    await market.shops["shopee"].drain_pushes()
    captured = len(shop.tee.seen)
    async with market.db.transaction(market.org_id) as session:
        before = await session.scalar(select(func.count()).select_from(WebhookEvent))
    answers = await asyncio.gather(*(shop.replay(i % captured) for i in range(captured * 3)))
    assert set(answers) == {200}
    async with market.db.transaction(market.org_id) as session:
        after = await session.scalar(select(func.count()).select_from(WebhookEvent))
        keys = (await session.execute(select(WebhookEvent.dedup_key))).scalars().all()
    assert after == (before or 0) + captured
    assert len(keys) == len(set(keys)) == captured
    async with market.db.engine.connect() as conn:
        jobs = await conn.scalar(
            text("SELECT count(*) FROM procrastinate_jobs WHERE task_name = 'webhooks.process'")
        )
    assert jobs == captured
    await market.settle()
    await assert_exact(shop)
