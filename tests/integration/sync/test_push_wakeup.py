"""A sale that joins a waiting push is never lost, even when that push starts before the sale commits.

The interleaving that lost it (seen as a listing left dirty at the end of the fault-injected burst) is
driven here step by step: a push task waits in the queue with nothing left to do; a sale marks its
listings dirty and asks for a push, which the queueing lock folds into the waiting one; that push then
runs while the sale's transaction is still open.
"""

from __future__ import annotations

import asyncio
import uuid

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from aiostore.db.models import Inventory, Listing
from aiostore.services.inventory import manual_adjust
from aiostore.services.sync.push import PUSH_TASK, request_pushes, start_push
from aiostore.worker import runtime
from tests.integration.sync.conftest import MarketFactory
from tests.integration.sync.marketplace import Market
from tests.integration.sync.test_propagation import _link_one_unit, _pull, sellable


async def _waiting_pushes(market: Market) -> int:
    return await market.queue_jobs(PUSH_TASK, "todo")


async def _adjust(
    market: Market, variant_id: uuid.UUID, on_hand: int, session: AsyncSession | None = None
) -> list[uuid.UUID]:
    """Set on hand (a stock movement: listings dirty) and ask for the pushes, in `session` if given."""

    async def run(s: AsyncSession) -> list[uuid.UUID]:
        inv = await s.scalar(select(Inventory).where(Inventory.variant_id == variant_id).with_for_update())
        assert inv is not None
        await manual_adjust(s, market.org_id, inv, on_hand=on_hand)
        return await request_pushes(s, market.org_id)

    if session is not None:
        return await run(session)
    async with market.db.transaction(market.org_id) as s:
        return await run(s)


async def _blocked_on_a_lock(market: Market) -> bool:
    async with market.db.engine.connect() as conn:
        return bool(await conn.scalar(text("SELECT count(*) FROM pg_locks WHERE NOT granted")))


async def test_a_sale_joining_a_waiting_push_is_pushed_after_it_commits(make_market: MarketFactory) -> None:
    market, owner = await make_market(["shopee"])
    channel_id = await market.connect("shopee")
    variant_id, units = await _link_one_unit(market, "WAKE-1", 10)
    assert isinstance(variant_id, uuid.UUID)
    await _pull(market, owner)
    assert await _waiting_pushes(market) == 0

    # A push task waits in the queue; the movement that asked for it is sent by a push already running.
    assert await _adjust(market, variant_id, 9) == [channel_id]
    assert await _waiting_pushes(market) == 1
    await start_push(runtime.current().sync, market.org_id, channel_id)
    assert sellable(market, "shopee", units["shopee"]) == 9

    # A sale: its push request joins the waiting task (no second one is queued) ...
    async with market.db.transaction(market.org_id) as sale:
        assert await _adjust(market, variant_id, 8, sale) == [channel_id]
        assert await _waiting_pushes(market) == 1
        # ... and that task runs before the sale commits: it must wait for the sale, or end having seen
        # nothing (which is the bug: the sale's listing would then stay dirty with no push to come).
        worker = asyncio.create_task(market.settle())
        while not await _blocked_on_a_lock(market):
            done, _ = await asyncio.wait({worker}, timeout=0.01)
            if done:
                break
    await worker
    await market.settle()

    async with market.db.transaction(market.org_id) as session:
        dirty = await session.scalar(select(func.count()).select_from(Listing).where(Listing.stock_dirty))
    assert dirty == 0
    assert sellable(market, "shopee", units["shopee"]) == 8
