"""A worker killed mid-job (kill -9) loses nothing: the job is picked up again and done once."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys

import uvicorn
from sqlalchemy import func, select

from aiostore.db.models import Listing, SyncJob
from aiostore.jobqueue import configure, retry_stalled_jobs
from tests.conftest import APP_PASSWORD
from tests.integration.sync.conftest import MarketFactory


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_kill_9_mid_pull_then_recovery(make_market: MarketFactory) -> None:
    market, owner = await make_market(["shopee"], products=300, variants=2)
    h = market.shops["shopee"]
    h.set_faults({"latency_ms": 150})  # slow enough to be killed mid-pull
    port = _free_port()
    sandbox_app = market.app.state.connectors.http._transport.transports["shopee.sandbox"].app  # type: ignore[attr-defined]
    server = uvicorn.Server(
        uvicorn.Config(
            sandbox_app, host="127.0.0.1", port=port, log_level="warning", date_header=False, lifespan="off"
        )
    )
    serving = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110  (uvicorn exposes a flag, not an event)
        await asyncio.sleep(0.05)
    channel = await market.connect("shopee")
    s = market.settings
    assert s.secret_key is not None and s.database_url
    env = {
        **os.environ,
        "AIOSTORE_DATABASE_URL": s.database_url,
        "AIOSTORE_DB_APP_PASSWORD": APP_PASSWORD,
        "AIOSTORE_DATA_DIR": str(s.data_dir),
        "AIOSTORE_WRITE_MODE": "live",
        "AIOSTORE_SECRET_KEY": s.secret_key.get_secret_value(),
        "AIOSTORE_ENCRYPTION_KEYS": ",".join(k.get_secret_value() for k in s.encryption_keys),
        "AIOSTORE_SHOPEE_PARTNER_ID": h.app_key,
        "AIOSTORE_SHOPEE_PARTNER_KEY": h.app_secret,
        "AIOSTORE_SHOPEE_API_BASE_URL": f"http://127.0.0.1:{port}",
        "AIOSTORE_LOG_LEVEL": "WARNING",
    }
    worker = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "aiostore.cli.main",
        "worker",
        "--concurrency",
        "2",
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
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
        worker.send_signal(signal.SIGKILL)
        await asyncio.wait_for(worker.wait(), timeout=10)
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
    finally:
        if worker.returncode is None:
            worker.kill()
            await worker.wait()
        server.should_exit = True
        await serving
