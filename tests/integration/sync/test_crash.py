"""A worker killed mid-job (kill -9) loses nothing: the job is picked up again and done once."""

from __future__ import annotations

import asyncio
import uuid
from asyncio.subprocess import Process

from sqlalchemy import func, select

from aiostore.db.models import Listing, SyncJob
from aiostore.jobqueue import configure, retry_stalled_jobs
from tests.factories import Caller
from tests.integration.sync.conftest import MarketFactory
from tests.integration.sync.marketplace import Market
from tests.integration.sync.worker_process import kill_9, served_shopee, start_worker


async def test_kill_9_mid_pull_then_recovery(make_market: MarketFactory) -> None:
    market, owner = await make_market(["shopee"], products=300, variants=2)
    h = market.shops["shopee"]
    h.set_faults({"latency_ms": 150})  # slow enough to be killed mid-pull
    async with served_shopee(market) as port:
        channel = await market.connect("shopee")
        worker = await start_worker(market, port)
        try:
            await _kill_mid_pull(market, owner, channel, worker)
        finally:
            await kill_9(worker)


async def _kill_mid_pull(market: Market, owner: Caller, channel: uuid.UUID, worker: Process) -> None:
    h = market.shops["shopee"]
    jobs = (
        await owner.post(
            "/api/sync/pull", json={"channel_account_ids": [str(channel)], "kinds": ["products"]}
        )
    ).json()
    job_id = jobs[0]["id"]
    for _ in range(300):  # wait until the worker has taken the job
        job = (await owner.get(f"/api/jobs/{job_id}")).json()
        if job["status"] == "running":
            break
        await asyncio.sleep(0.05)
    items = len({u.item_id for u in h.units()})
    for _ in range(600):  # mid-pull: the item pages are read and the per-item model reads have begun
        if h.call_count("product/get_model_list") >= 10:
            break
        await asyncio.sleep(0.05)
    job = (await owner.get(f"/api/jobs/{job_id}")).json()
    assert job["status"] == "running", job
    assert h.call_count("product/get_item_list") >= 1
    assert 10 <= h.call_count("product/get_model_list") < items  # really mid-way, not done
    await kill_9(worker)
    await asyncio.sleep(1.5)  # the dead worker's heartbeat goes stale
    queue = configure(market.db.urls)
    async with queue.open_async():
        # ours, and any scheduled job (an order pull, a sweep) the worker had also taken when killed
        assert await retry_stalled_jobs(queue, seconds_since_heartbeat=1) >= 1
    h.set_faults({"latency_ms": 0})
    await market.settle()
    done = (await owner.get(f"/api/jobs/{job_id}")).json()
    assert done["status"] == "succeeded" and done["attempts"] == 2, done
    async with market.db.transaction(market.org_id) as session:
        listings = await session.scalar(select(func.count()).select_from(Listing))
        started = select(func.count()).select_from(SyncJob).where(SyncJob.started_by == "user")
        assert await session.scalar(started) == 1
    assert listings == len(h.units())  # every listing once: the second run upserted, nothing doubled
