"""A worker process runs the shops' pushes, each platform's webhooks and the other jobs in slots of their
own: a push task waiting at the platform leaves every other slot free, and one platform's webhooks
waiting for their order reads never hold up another platform's. SIGTERM stops all of its workers
gracefully."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Awaitable, Callable

from sqlalchemy import func, select, text, update

from aiostore.db.models import Inventory, Order
from aiostore.jobqueue import WEBHOOK_QUEUES
from aiostore.services import inventory
from aiostore.worker.app import Slots, configure, run_workers
from tests.integration.sync.conftest import MarketFactory
from tests.integration.sync.marketplace import Market
from tests.integration.sync.test_propagation import _link_one_unit, _pull, sellable
from tests.integration.sync.worker_process import kill_9, served_shopee, start_worker

WORKERS = 2 + len(WEBHOOK_QUEUES)  # the other jobs, the pushes, and each platform's webhooks


async def _running(market: Market) -> list[list[str]]:
    """Each registered worker's running jobs, by their queue names."""
    async with market.db.engine.connect() as conn:
        rows = await conn.execute(
            text(
                "SELECT w.id, array_remove(array_agg(j.queue_name ORDER BY j.queue_name), NULL)"
                " FROM procrastinate_workers w"
                " LEFT JOIN procrastinate_jobs j ON j.worker_id = w.id AND j.status = 'doing' GROUP BY w.id"
            )
        )
        return sorted(list(r[1]) for r in rows.all())


async def _until(check: Callable[[], Awaitable[bool]], what: str) -> None:
    """Wait (30 s at most) until `check` holds."""
    for _ in range(600):
        if await check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"never: {what}")


async def test_a_long_push_leaves_the_other_jobs_slots_and_sigterm_stops_the_worker(
    make_market: MarketFactory,
) -> None:
    market, owner = await make_market(["shopee"])
    await market.connect("shopee")
    variant_id, units = await _link_one_unit(market, "LANES-1", 10)
    await _pull(market, owner)
    await market.settle()
    market.shops["shopee"].set_faults({"latency_ms": 4000})  # the push's call stays at the platform
    async with served_shopee(market) as port:
        worker = await start_worker(market, port)  # --concurrency 2 for the other jobs
        try:

            async def registered() -> bool:
                return len(await _running(market)) == WORKERS

            await _until(registered, "the worker process registered its workers")

            async with market.db.transaction(market.org_id) as session:
                await session.execute(
                    update(Inventory).where(Inventory.variant_id == variant_id).values(on_hand=7)
                )
                await inventory.stock_changed(session, market.org_id, [variant_id])

            async def pushing() -> bool:
                return await market.queue_jobs("sync.push_stock", "doing") == 1

            await _until(pushing, "the worker ran the push")
            # The push waiting at the platform runs alone in the pushes' slots: no other job shares them,
            # and the push takes none of the other jobs' slots or the webhooks' (the periodic jobs the
            # process starts with may be running in the other jobs' slots, a reconcile waiting at the
            # slow platform too).
            running = await _running(market)
            assert [queues for queues in running if "push" in queues] == [["push"]]
            assert not any(queue in WEBHOOK_QUEUES for queues in running for queue in queues)

            worker.send_signal(signal.SIGTERM)  # graceful: the push in flight finishes first
            assert await asyncio.wait_for(worker.wait(), timeout=60) == 0
        finally:
            await kill_9(worker)
    assert sellable(market, "shopee", units["shopee"]) == 7
    assert await _running(market) == []  # all unregistered on the way out


async def _orders(market: Market, platform: str) -> int:
    async with market.db.transaction(market.org_id) as session:
        found = await session.scalar(
            select(func.count())
            .select_from(Order)
            .where(Order.channel_account_id == market.channel_ids[platform])
        )
    return int(found or 0)


async def test_one_platforms_slow_order_reads_never_hold_up_another_platforms_webhooks(
    make_market: MarketFactory,
) -> None:
    market, owner = await make_market(["shopee", "lazada"])
    for platform in market.shops:
        await market.connect(platform)
    _, units = await _link_one_unit(market, "LANES-2", 50)
    await _pull(market, owner)
    await market.settle()
    shopee, lazada = market.shops["shopee"], market.shops["lazada"]
    shopee.set_faults({"latency_ms": 3000})  # Shopee's order reads wait at the platform
    queue = configure(market.db.urls)
    async with queue.open_async():
        # one slot for each kind: shared, Shopee's waiting webhooks would hold it and Lazada's would wait
        workers = asyncio.create_task(run_workers(queue, Slots(1, 1, 1), stop_on_signals=False))
        try:
            for _ in range(2):
                shopee.place_order([(*units["shopee"], 1)])
            await shopee.drain_pushes()
            lazada.place_order([(*units["lazada"], 1)])
            await lazada.drain_pushes()

            async def lazada_in() -> bool:
                return await _orders(market, "lazada") == 1

            await _until(lazada_in, "Lazada's order came in")
            assert await _orders(market, "shopee") == 0  # its first order read is still at the platform
        finally:
            workers.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await workers
    shopee.set_faults({"latency_ms": 0})
    await market.settle()
    assert (await _orders(market, "shopee"), await _orders(market, "lazada")) == (2, 1)
