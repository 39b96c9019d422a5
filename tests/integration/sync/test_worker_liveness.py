"""A worker process that dies gives back its running jobs at once (worker/liveness.py): its workers'
advisory locks go with its connection, so another process finds them free, forgets the workers and puts
the jobs back, with no heartbeat to wait for. A living process's workers are never taken for dead."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Awaitable, Callable

import procrastinate
from sqlalchemy import text

from aiostore.jobqueue import configure
from aiostore.worker import liveness
from aiostore.worker.app import Slots, run_workers
from tests.integration.sync.conftest import MarketFactory
from tests.integration.sync.marketplace import Market
from tests.integration.sync.test_job_recovery import SLOW, _set_stock
from tests.integration.sync.test_propagation import _link_one_unit, _pull, sellable
from tests.integration.sync.test_worker_slots import WORKERS, _until
from tests.integration.sync.worker_process import kill_9, served_shopee, start_worker


async def _rows(market: Market, sql: str) -> list[int]:
    async with market.db.engine.connect() as conn:
        return [int(r[0]) for r in (await conn.execute(text(sql))).all()]


async def _listed(market: Market) -> list[int]:
    return await _rows(market, "SELECT worker_id FROM worker_liveness ORDER BY worker_id")


async def _push_status(market: Market) -> list[tuple[int, str, int | None]]:
    async with market.db.engine.connect() as conn:
        rows = await conn.execute(
            text("SELECT id, status, worker_id FROM procrastinate_jobs WHERE task_name = 'sync.push_stock'")
        )
        return [(int(r[0]), str(r[1]), r[2]) for r in rows.all()]


async def _shop(make_market: MarketFactory, sku: str) -> tuple[Market, uuid.UUID, tuple[str, str]]:
    """One Shopee shop, linked and pulled, its calls slow from now on; (market, variant, its unit)."""
    market, owner = await make_market(["shopee"])
    await market.connect("shopee")
    variant_id, units = await _link_one_unit(market, sku, 10)
    assert isinstance(variant_id, uuid.UUID)
    await _pull(market, owner)
    await market.settle()
    market.shops["shopee"].set_faults(SLOW)  # a push's call stays at the platform
    return market, variant_id, units["shopee"]


async def _killed_pushing(
    market: Market, port: int, variant_id: uuid.UUID, on_hand: int, alive: Callable[[], Awaitable[None]]
) -> None:
    """A worker process lists its workers and runs the push of a stock change; `alive` runs then, and
    the process is SIGKILLed while the push waits for the platform."""
    worker = await start_worker(market, port)
    try:

        async def listed() -> bool:
            return len(await _listed(market)) == WORKERS

        await _until(listed, "the worker process listed its workers")
        await _set_stock(market, variant_id, on_hand)

        async def pushing() -> bool:
            return [s for _, s, _ in await _push_status(market)][-1:] == ["doing"]

        await _until(pushing, "the worker ran the push")
        await alive()
    finally:
        await kill_9(worker)


async def test_a_killed_workers_push_goes_back_at_once_and_a_living_one_is_left_alone(
    make_market: MarketFactory,
) -> None:
    market, variant_id, unit = await _shop(make_market, "LIVE-1")
    queue = configure(market.db.urls)
    async with served_shopee(market) as port, queue.open_async():

        async def nothing_taken() -> None:
            assert await liveness.reap(queue) == []  # alive: its locks are held, nothing is taken
            assert len(await _listed(market)) == WORKERS

        await _killed_pushing(market, port, variant_id, 7, nothing_taken)
        dead = await _listed(market)
        [(job_id, _, worker_id)] = [j for j in await _push_status(market) if j[1] == "doing"]
        assert worker_id in dead
        # No heartbeat went stale (it is seconds old, procrastinate waits 30 s): the lock tells.
        assert await liveness.reap(queue) == [job_id]
        assert await _listed(market) == []
        assert await _rows(market, "SELECT id FROM procrastinate_workers") == []
        assert [s for i, s, _ in await _push_status(market) if i == job_id] == ["todo"]
        assert await liveness.reap(queue) == []  # taken once
    market.shops["shopee"].set_faults({"latency_ms": 0})
    await market.settle()
    assert sellable(market, "shopee", unit) == 7


async def _none() -> None:
    return None


async def test_a_living_process_puts_back_the_jobs_of_one_killed_beside_it(
    make_market: MarketFactory,
) -> None:
    market, variant_id, unit = await _shop(make_market, "LIVE-2")
    queue: procrastinate.App = configure(market.db.urls)
    async with served_shopee(market) as port:
        await _killed_pushing(market, port, variant_id, 6, _none)
        dead = set(await _rows(market, "SELECT id FROM procrastinate_workers"))
        market.shops["shopee"].set_faults({"latency_ms": 0})
        async with queue.open_async():
            # This process's workers (its own reaper looks each second) run beside the dead ones' rows.
            workers = asyncio.create_task(run_workers(queue, Slots(1, 1, 1), stop_on_signals=False))
            try:

                async def pushed() -> bool:
                    return {s for _, s, _ in await _push_status(market)} == {"succeeded"}

                await _until(pushed, "the dead process's push ran again")
                # Its workers were forgotten by the reaper: the heartbeat path keeps a dead worker's row.
                assert not dead & set(await _rows(market, "SELECT id FROM procrastinate_workers"))
            finally:
                workers.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await workers
    assert sellable(market, "shopee", unit) == 6
    assert await _listed(market) == []  # a stopped process unlists its workers
