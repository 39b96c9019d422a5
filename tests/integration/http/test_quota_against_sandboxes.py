"""Each platform's real limits through the shared quota (PostgreSQL) against its sandbox over HTTP: more
calls than the platform's burst, from more callers than one job has, with this process's event loop
stalled once (a CPU-bound step, a garbage collection): the platform never answers with its rate-limit
error. Each sandbox enforces its default limit, or for Tokopedia the documented 5 req/s with bursts of 5
(its default is looser so that other tests run fast). tests/integration/http/test_quota_stalls.py
drives the stalls at a pace this shared machine keeps up with."""

from __future__ import annotations

import asyncio
import dataclasses
import time

import pytest

from aiostore.connectors import registry
from aiostore.connectors.dtos import ShopAccount
from aiostore.db.session import Database
from aiostore.domain.market import MarketCode
from aiostore.http.client import HttpPolicy
from aiostore.http.errors import RateLimited
from aiostore.http.retry import RetryConfig
from aiostore.http.shared import SharedBreakers, SharedLimiters
from aiostore.sandbox.common.config import SandboxConfig
from aiostore.sandbox.common.faults import FaultConfig
from aiostore.sandbox.lazada import LazadaSandboxConfig
from aiostore.sandbox.shopee import ShopeeSandboxConfig
from aiostore.sandbox.tiktokshop import TikTokShopSandboxConfig
from tests.integration.connectors.platforms import CASES, Case


def defaults(config: type[SandboxConfig]) -> dict[str, object]:
    """The sandbox's own rate limit (the connector tests' environments switch it off)."""
    fields = {f.name: f.default for f in dataclasses.fields(config)}
    return {"rate_limit_rps": fields["rate_limit_rps"], "rate_limit_burst": fields["rate_limit_burst"]}


SANDBOX_LIMITS: dict[str, dict[str, object]] = {
    "lazada": defaults(LazadaSandboxConfig),
    "shopee": defaults(ShopeeSandboxConfig),
    "tiktokshop": defaults(TikTokShopSandboxConfig),
    "tokopedia": {"rate_limit_rps": 5.0, "rate_limit_burst": 5},  # the Rate Limit page's example
}
LATENCY_MS = 20
STALL = 0.3  # seconds the event loop is blocked
CALLERS = 32  # calls waiting at once: several jobs or processes on one shop


@pytest.mark.parametrize("case", CASES, ids=str)
async def test_the_platform_never_refuses_a_call_for_its_rate(case: Case, db: Database) -> None:
    overrides = SANDBOX_LIMITS[case.name]
    async with case.open_env(faults=FaultConfig(latency_ms=LATENCY_MS), **overrides) as env:
        burst = env.sandbox.config.rate_limit_burst
        assert env.sandbox.config.rate_limit_rps is not None  # the sandbox enforces a limit
        policy = HttpPolicy(
            retry=RetryConfig(attempts=1),  # a refusal is seen, not retried
            limiters=SharedLimiters(db.engine),
            breakers=SharedBreakers(db.engine),
        )
        connector = registry.get_connector(
            case.name,
            case.app,
            ShopAccount(shop_id=case.shop_id, market=MarketCode.ID, tokens=env.tokens()),
            env.http,
            write_mode="live",
            policy=policy,
            limits=registry.default_limits(case.name),  # the connector's real limits
            clock=env.clock,
        )
        calls = 4 * burst
        refused = answered = 0
        callers = asyncio.Semaphore(CALLERS)
        loop = asyncio.get_running_loop()

        async def one() -> None:
            nonlocal refused, answered
            async with callers:
                try:
                    await connector.shop_info()
                except RateLimited:
                    refused += 1
                answered += 1
                if answered == 1:
                    loop.call_soon(time.sleep, STALL)  # blocks the loop: nothing runs meanwhile

        await asyncio.gather(*(one() for _ in range(calls)))
    assert refused == 0
