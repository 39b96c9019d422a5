"""Quotas and breakers shared through PostgreSQL: two processes' worth of limiters and breakers (each
with its own engine, as two worker processes have) share one shop's quota and one platform's breaker."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text

from aiostore.db.engine import DatabaseURLs
from aiostore.db.session import Database
from aiostore.http.errors import CircuitOpen, PlatformUnavailable, RateLimited
from aiostore.http.shared import SharedBreakers, SharedLimiters
from aiostore.sandbox.common.core import RateLimiter


@pytest.fixture
async def two(urls: DatabaseURLs, db: Database) -> AsyncIterator[tuple[Database, Database]]:
    other = Database.connect(urls, pool_size=2)
    try:
        yield db, other
    finally:
        await other.dispose()


async def test_two_processes_together_stay_within_the_shop_quota(two: tuple[Database, Database]) -> None:
    rate, burst = 50.0, 10
    platform = RateLimiter(rate, burst)  # the sandbox's own bucket, on the real clock
    limiters = [SharedLimiters(d.engine, jitter=0.05) for d in two]
    buckets = [lim.get("shopee:1", rate_per_second=rate, burst=burst) for lim in limiters]
    refused = 0

    async def call(i: int) -> None:
        nonlocal refused
        await buckets[i % 2].acquire()
        refused += not platform.acquire("shop")

    await asyncio.gather(*(call(i) for i in range(60)))
    assert refused == 0
    # the 30 calls waiting in each process were reserved by one round trip each, not 30 (and one more
    # per batch of calls that woke too late for their slots on a busy machine and took new ones)
    assert all(b.round_trips <= 1 + b.forfeited for b in buckets)


async def test_shops_have_their_own_shared_bucket(db: Database) -> None:
    limiters = SharedLimiters(db.engine)
    a = limiters.get("shopee:1", rate_per_second=0.001, burst=1)
    b = limiters.get("shopee:2", rate_per_second=0.001, burst=1)
    await a.acquire()
    await asyncio.wait_for(b.acquire(), timeout=5)  # not held up by shop 1
    blocked = asyncio.create_task(limiters.get("shopee:1", rate_per_second=0.001, burst=1).acquire())
    await asyncio.sleep(0.3)
    assert not blocked.done()  # shop 1's next slot is 1,000 s away
    blocked.cancel()
    assert limiters.get("shopee:1", rate_per_second=0.001, burst=1) is a
    assert limiters.get("shopee:1", rate_per_second=0.002, burst=1) is not a
    assert "shopee:2" in limiters


async def test_the_bucket_survives_a_new_process(two: tuple[Database, Database]) -> None:
    """A restarted worker does not get a fresh burst: the quota is the row's, not the process's."""
    first, restarted = (SharedLimiters(d.engine, jitter=0) for d in two)
    await first.get("lazada:9", rate_per_second=0.001, burst=2).acquire()
    await first.get("lazada:9", rate_per_second=0.001, burst=2).acquire()
    blocked = asyncio.create_task(restarted.get("lazada:9", rate_per_second=0.001, burst=2).acquire())
    await asyncio.sleep(0.3)
    assert not blocked.done()
    blocked.cancel()


async def fail(breakers: SharedBreakers, name: str = "shopee") -> None:
    with pytest.raises(PlatformUnavailable):
        async with breakers.guard(name):
            raise PlatformUnavailable("HTTP 503", platform=name)


async def test_one_process_open_breaker_stops_the_other(two: tuple[Database, Database]) -> None:
    a, b = (SharedBreakers(d.engine, threshold=3, recovery_seconds=0.5, refresh_seconds=0) for d in two)
    for _ in range(3):
        await fail(a)
    assert await b.state("shopee") == "opened"
    with pytest.raises(CircuitOpen):
        async with b.guard("shopee"):
            pytest.fail("the open circuit let a call through")
    async with b.guard("lazada"):  # another platform's circuit is its own
        pass
    await asyncio.sleep(0.6)
    assert await a.state("shopee") == "half-opened"
    async with a.guard("shopee"):  # a's probe: while it runs, b is not let through
        with pytest.raises(CircuitOpen) as refused:
            async with b.guard("shopee"):
                pytest.fail("a second probe went out")
        assert refused.value.retry_after is not None and 0 < refused.value.retry_after <= 0.5  # a's claim
    assert await b.state("shopee") == "closed"
    async with b.guard("shopee"):
        pass


async def test_work_refused_while_a_probe_is_in_flight_looks_again_soon(
    two: tuple[Database, Database],
) -> None:
    """The probe's claim keeps the circuit open a whole recovery time: without the mark of a probe in
    flight, a call refused meanwhile was told to wait all of it, though the probe's answer may close the
    circuit a moment later. Refused while the probe is out, it looks again after a tenth of it; once
    the probe has failed, the circuit is open for the whole recovery time again."""
    recovery = 600.0
    a, b = (SharedBreakers(d.engine, threshold=1, recovery_seconds=recovery, refresh_seconds=0) for d in two)
    await fail(a)
    async with two[0].engine.connect() as conn:  # the recovery time has passed: the next call probes
        await conn.execute(
            text(
                "UPDATE circuit_breakers SET opened_until = "
                "CAST(extract(epoch FROM clock_timestamp()) AS float8) WHERE name = 'shopee'"
            )
        )
        await conn.commit()
    with pytest.raises(PlatformUnavailable):
        async with a.guard("shopee"):  # a's probe
            with pytest.raises(CircuitOpen) as during:
                async with b.guard("shopee"):
                    pytest.fail("a second probe went out")
            raise PlatformUnavailable("HTTP 503", platform="shopee")  # ... and it fails
    assert during.value.retry_after is not None
    assert 0 < during.value.retry_after <= recovery / 10
    with pytest.raises(CircuitOpen) as after:
        async with b.guard("shopee"):
            pytest.fail("the reopened circuit let a call through")
    assert after.value.retry_after is not None and after.value.retry_after > recovery - 5


async def test_a_failed_probe_reopens_for_all(two: tuple[Database, Database]) -> None:
    a, b = (SharedBreakers(d.engine, threshold=2, recovery_seconds=0.3, refresh_seconds=0) for d in two)
    await fail(a)
    await fail(b)  # consecutive failures count across processes
    assert await a.state("shopee") == "opened"
    await asyncio.sleep(0.4)
    await fail(b)  # b's probe fails
    assert await a.state("shopee") == "opened"


async def test_answers_that_prove_the_platform_up_are_not_failures(db: Database) -> None:
    breakers = SharedBreakers(db.engine, threshold=1, refresh_seconds=0)
    with pytest.raises(RateLimited):
        async with breakers.guard("tiktokshop"):
            raise RateLimited("slow down", platform="tiktokshop")
    assert await breakers.state("tiktokshop") == "closed"
    await fail(breakers, "tiktokshop")
    assert await breakers.state("tiktokshop") == "opened"


async def refusal(breakers: SharedBreakers) -> tuple[float, float]:
    """The open circuit's wait, and our loop's time after the refusal."""
    with pytest.raises(CircuitOpen) as refused:
        async with breakers.guard("lazada"):
            pytest.fail("the open circuit let a call through")
    assert refused.value.retry_after is not None
    return refused.value.retry_after, asyncio.get_running_loop().time()


async def test_an_open_circuit_says_how_long_until_its_probe(two: tuple[Database, Database]) -> None:
    a = SharedBreakers(two[0].engine, threshold=1, refresh_seconds=0)
    b = SharedBreakers(two[1].engine, threshold=1, refresh_seconds=3600)
    await fail(a, "lazada")
    loop = asyncio.get_running_loop()
    start = loop.time()
    async with two[0].engine.connect() as conn:  # as if it had opened 18 s ago, 30 s recovery
        await conn.execute(
            text(
                "UPDATE circuit_breakers SET opened_until = "
                "CAST(extract(epoch FROM clock_timestamp()) AS float8) + 12 WHERE name = 'lazada'"
            )
        )
        await conn.commit()
    read = loop.time()
    first, end = await refusal(b)  # b reads the row now, then keeps it for an hour
    assert 12 - (end - start) <= first <= 12
    await asyncio.sleep(0.05)
    later = loop.time()
    second, _ = await refusal(b)  # b's view of the row, less the time since b read it
    assert later - end <= first - second <= loop.time() - read
    fresh, _ = await refusal(a)  # a reads the row each time: the same time left
    assert 12 - (loop.time() - start) <= fresh <= 12
