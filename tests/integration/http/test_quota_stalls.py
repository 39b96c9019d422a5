"""The shared quota against the Shopee sandbox over HTTP when a clock stalls: the connector's limit and the
sandbox's are the same numbers (as Shopee's are), and the platform never refuses a call for its rate.

- This process's event loop blocked (a CPU-bound step, a garbage collection): the calls whose slots
  passed meanwhile wake together; sent so, they would meet the calls slotted after them at once.
- The platform's side held up (here the sandbox's own event loop, in its thread, behind a real TCP
  port): the calls sent meanwhile are counted when it resumes, all at once, and the calls sent when
  their answers come back would follow them at once.

The pace is scaled down (10 calls/s, bursts of 8) so that a loaded two-core machine sends every call on
time outside the stalls; the arithmetic is the same at any rate."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import httpx
import uvicorn

from aiostore.connectors.dtos import AppCredentials, TokenSet
from aiostore.connectors.shopee import SHOPEE_LIMITS, ShopeeConnector
from aiostore.db.session import Database
from aiostore.domain.market import MarketCode
from aiostore.http.client import HttpPolicy
from aiostore.http.errors import RateLimited
from aiostore.http.retry import RetryConfig
from aiostore.http.shared import SharedBreakers, SharedLimiters
from aiostore.sandbox.shopee import ShopeeSandbox, ShopeeSandboxConfig, create_app
from tests.integration.connectors.conftest import (
    PARTNER_ID,
    PARTNER_KEY,
    REFRESH,
    SHOP_ID,
    TOKEN,
    open_env,
    sandbox_config,
)

RATE, BURST = 10.0, 8
LIMITS = replace(SHOPEE_LIMITS, rate_per_second=RATE, burst=BURST)
STALL = 1.5  # seconds


def shared_policy(db: Database) -> HttpPolicy:
    """The worker's policy on the test database; a refusal is seen, not retried."""
    return HttpPolicy(
        retry=RetryConfig(attempts=1), limiters=SharedLimiters(db.engine), breakers=SharedBreakers(db.engine)
    )


async def drive(
    connector: ShopeeConnector, calls: int, callers: int, stall_after: int, stall: Callable[[], object]
) -> int:
    """``calls`` calls from ``callers`` at once; ``stall()`` after the ``stall_after``-th answer; refusals."""
    refused = answered = 0
    gate = asyncio.Semaphore(callers)

    async def one() -> None:
        nonlocal refused, answered
        async with gate:
            try:
                await connector.shop_info()
            except RateLimited:
                refused += 1
            answered += 1
            if answered == stall_after:
                stall()

    await asyncio.gather(*(one() for _ in range(calls)))
    return refused


async def test_calls_that_wake_late_do_not_meet_the_next_ones(db: Database) -> None:
    async with open_env(rate_limit_rps=RATE, rate_limit_burst=BURST) as env:
        connector = env.connector(limits=LIMITS, policy=shared_policy(db))
        loop = asyncio.get_running_loop()
        # 16 callers: a full burst and a second of calls wait in the quota when the loop blocks
        refused = await drive(connector, 60, 16, 20, lambda: loop.call_soon(time.sleep, STALL))
    assert refused == 0
    assert env.sandbox.call_count("shop/get_shop_info") == 60  # every call went, none twice


@asynccontextmanager
async def served(config: ShopeeSandboxConfig) -> AsyncIterator[tuple[str, asyncio.AbstractEventLoop]]:
    """The sandbox behind a loopback port, its event loop in its own thread: (URL, that loop)."""
    app = create_app(config)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    ready = threading.Event()
    holder: list[asyncio.AbstractEventLoop] = []

    async def serve() -> None:
        holder.append(asyncio.get_running_loop())
        await server.serve()

    thread = threading.Thread(target=asyncio.run, args=(serve(),), daemon=True)
    thread.start()
    for _ in range(500):
        if server.started:
            ready.set()
            break
        await asyncio.sleep(0.01)
    assert ready.is_set(), "the sandbox did not start"
    port = server.servers[0].sockets[0].getsockname()[1]
    sandbox: ShopeeSandbox = app.state.sandbox
    try:
        yield f"http://127.0.0.1:{port}", holder[0]
    finally:
        server.should_exit = True
        await asyncio.to_thread(thread.join, 10)
        await sandbox.aclose()


async def test_calls_the_platform_counts_late_hold_back_the_next_ones(db: Database) -> None:
    config = sandbox_config(rate_limit_rps=RATE, rate_limit_burst=BURST)  # the real clock
    now = datetime.now(UTC)
    tokens = TokenSet(TOKEN, REFRESH, now + timedelta(hours=4), now + timedelta(days=30), str(SHOP_ID))
    async with served(config) as (url, sandbox_loop), httpx.AsyncClient() as http:
        connector = ShopeeConnector(
            http,
            AppCredentials(app_key=str(PARTNER_ID), app_secret=PARTNER_KEY, base_url=url),
            shop_id=str(SHOP_ID),
            tokens=tokens,
            market=MarketCode.ID,
            policy=shared_policy(db),
            limits=LIMITS,
        )
        # 6 callers, fewer than the burst: what is in flight during the stall fits the platform's bucket
        refused = await drive(
            connector, 60, 6, 20, lambda: sandbox_loop.call_soon_threadsafe(time.sleep, STALL)
        )
    assert refused == 0
