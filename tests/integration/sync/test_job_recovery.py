"""Job rows never stay open after their queue job ended (found by bench/soak.py: `running` for good).

A real worker process is killed (SIGKILL) mid-push, twice: once a newer push of the shop takes the dead
one's place (the stalled-job recovery aborts the dead one, and our row is cancelled with the reason);
once the dead push is put back and run again (its new attempt cancels the row its dead attempt left).
Without a process: a row whose queue job failed or vanished runs again; a queue job that no longer owns
a row leaves it alone.
"""

from __future__ import annotations

import asyncio
import uuid

from sqlalchemy import select, text, update

from aiostore.db.models import Inventory, SyncJob
from aiostore.jobqueue import configure, retry_stalled_jobs
from aiostore.services import inventory
from aiostore.services.sync import jobs, recovery, runner
from aiostore.worker import runtime
from tests.integration.sync.conftest import MarketFactory
from tests.integration.sync.marketplace import Market
from tests.integration.sync.test_propagation import _link_one_unit, _pull, sellable
from tests.integration.sync.worker_process import kill_9, served_shopee, start_worker

SLOW = {"latency_ms": 3000}  # a push's platform call takes long enough to be killed in it


async def _set_stock(market: Market, variant_id: uuid.UUID, on_hand: int) -> None:
    """A stock change committed: the shop's push is queued."""
    async with market.db.transaction(market.org_id) as session:
        await session.execute(
            update(Inventory).where(Inventory.variant_id == variant_id).values(on_hand=on_hand)
        )
        await inventory.stock_changed(session, market.org_id, [variant_id])


async def _pushes(market: Market) -> dict[uuid.UUID, SyncJob]:
    async with market.db.transaction(market.org_id) as session:
        rows = (await session.scalars(select(SyncJob).where(SyncJob.kind == "push_stock"))).all()
    return {j.id: j for j in rows}


async def _killed_push(market: Market, port: int, variant_id: uuid.UUID, on_hand: int) -> SyncJob:
    """A worker process runs the push of a stock change and is SIGKILLed while the push waits for the
    platform; the push's row as it was left."""
    market.shops["shopee"].set_faults(SLOW)
    before = set(await _pushes(market))
    worker = await start_worker(market, port)
    try:
        await _set_stock(market, variant_id, on_hand)
        for _ in range(600):
            pushes = await _pushes(market)
            running = [j for i, j in pushes.items() if i not in before and j.status == "running"]
            if running:
                break
            await asyncio.sleep(0.05)
        else:
            raise AssertionError("the worker never ran the push")
    finally:
        await kill_9(worker)
    await asyncio.sleep(1.5)  # the dead worker's heartbeat goes stale
    [row] = running
    assert row.queue_job_id is not None  # the row names the push task that made it
    return row


async def _recover(market: Market) -> None:
    """What the periodic `sync.retry_stalled` task does (its heartbeat limit shortened)."""
    queue = configure(market.db.urls)
    async with queue.open_async():
        await retry_stalled_jobs(queue, seconds_since_heartbeat=1)
    await recovery.sweep(runtime.current().sync)


async def _open_rows(market: Market) -> list[tuple[str, str]]:
    async with market.db.transaction(market.org_id) as session:
        rows = await session.execute(
            select(SyncJob.kind, SyncJob.status).where(SyncJob.status.in_(recovery.OPEN))
        )
        return [(k, s) for k, s in rows.all()]


async def test_a_killed_push_never_stays_running(make_market: MarketFactory) -> None:
    market, owner = await make_market(["shopee"])
    await market.connect("shopee")
    variant_id, units = await _link_one_unit(market, "KILL-PUSH-1", 10)
    await _pull(market, owner)
    await market.settle()
    key = units["shopee"]
    async with served_shopee(market) as port:
        # 1. Killed mid-push, and a newer push of the shop queued meanwhile: the dead one is superseded.
        dead = await _killed_push(market, port, variant_id, 8)
        await _set_stock(market, variant_id, 6)  # the dead push's queueing lock is free: a new push waits
        await _recover(market)
        closed = (await _pushes(market))[dead.id]
        assert (closed.status, closed.error) == (jobs.CANCELLED, recovery.SUPERSEDED), closed.error
        assert closed.finished_at is not None
        market.shops["shopee"].set_faults({"latency_ms": 0})
        await market.settle()
        assert sellable(market, "shopee", key) == 6  # the newer push did the work
        assert await _open_rows(market) == []

        # 2. Killed mid-push with no newer push: the push goes back to the queue and runs again.
        dead = await _killed_push(market, port, variant_id, 5)
        await _recover(market)
        assert (await _pushes(market))[dead.id].status == jobs.RUNNING  # its queue job is back in line
        market.shops["shopee"].set_faults({"latency_ms": 0})
        await market.settle()
        pushes = await _pushes(market)
        closed = pushes[dead.id]
        assert (closed.status, closed.error) == (jobs.CANCELLED, recovery.KILLED), closed.error
        again = [j for j in pushes.values() if j.queue_job_id == dead.queue_job_id and j.id != dead.id]
        assert [j.status for j in again] == [jobs.SUCCEEDED]  # the same queue job's second attempt
        assert sellable(market, "shopee", key) == 5
        assert await _open_rows(market) == []
    listed = (await owner.get("/api/jobs", params={"kind": "push_stock", "status": "cancelled"})).json()
    assert {j["error"] for j in listed["items"]} == {recovery.SUPERSEDED, recovery.KILLED}


async def test_a_row_whose_queue_job_ended_runs_again(make_market: MarketFactory) -> None:
    market, owner = await make_market(["shopee"])
    channel = await market.connect("shopee")
    body = {"channel_account_ids": [str(channel)], "kinds": ["products"]}
    [lost] = (await owner.post("/api/sync/pull", json=body)).json()
    job_id = uuid.UUID(lost["id"])
    async with market.db.transaction(market.org_id) as session:
        row = await session.get(SyncJob, job_id)
        assert row is not None and row.queue_job_id is not None
        first = row.queue_job_id
        # The worker claimed it, then its task raised outside the runner (procrastinate: failed).
        row.status, row.attempts = jobs.RUNNING, 1
    async with market.db.engine.begin() as conn:
        await conn.execute(
            text("UPDATE procrastinate_jobs SET status = 'failed' WHERE id = :id"), {"id": first}
        )
    sc = runtime.current().sync
    # A queue job that does not own the row (a stale retry of another one) leaves it as it is.
    assert await runner.run_job(sc, market.org_id, job_id, queue_job_id=first + 10_000) == jobs.RUNNING
    assert await recovery.sweep_org(sc, market.org_id) == {jobs.RETRYING: 1}
    async with market.db.transaction(market.org_id) as session:
        row = await session.get(SyncJob, job_id)
        assert row is not None and row.status == jobs.RETRYING and row.queue_job_id not in (None, first)
        assert row.error == recovery.LOST.format(state="failed")
    assert await recovery.sweep_org(sc, market.org_id) == {}  # its new queue job waits: nothing to close
    await market.settle()
    done = (await owner.get(f"/api/jobs/{job_id}")).json()
    assert (done["status"], done["attempts"], done["error"]) == ("succeeded", 2, None), done

    # A queued row whose queue job is gone (deleted) is queued again too.
    [gone] = (await owner.post("/api/sync/pull", json=body)).json()
    async with market.db.transaction(market.org_id) as session:
        queued = await session.scalar(select(SyncJob.queue_job_id).where(SyncJob.id == uuid.UUID(gone["id"])))
    async with market.db.engine.begin() as conn:
        await conn.execute(text("DELETE FROM procrastinate_jobs WHERE id = :id"), {"id": queued})
    assert await recovery.sweep_org(sc, market.org_id) == {jobs.RETRYING: 1}
    await market.settle()
    assert (await owner.get(f"/api/jobs/{gone['id']}")).json()["status"] == "succeeded"
    assert await _open_rows(market) == []
