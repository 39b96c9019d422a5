"""Per-shop token buckets: a burst passes, the next call waits; shops do not share buckets."""

from __future__ import annotations

import asyncio

import pytest

from aiostore.http.ratelimit import LimiterRegistry


async def test_burst_then_wait() -> None:
    limiter = LimiterRegistry().get("shopee:1", rate_per_second=0.001, burst=3)
    for _ in range(3):
        await asyncio.wait_for(limiter.acquire(), timeout=1)
    blocked = asyncio.create_task(limiter.acquire())
    for _ in range(5):
        await asyncio.sleep(0)
    assert not blocked.done()  # the fourth call waits for a token (about 1000 s at this rate)
    blocked.cancel()


async def test_shops_have_their_own_bucket() -> None:
    registry = LimiterRegistry()
    a = registry.get("shopee:1", rate_per_second=0.001, burst=1)
    b = registry.get("shopee:2", rate_per_second=0.001, burst=1)
    await a.acquire()
    await asyncio.wait_for(b.acquire(), timeout=1)  # not held up by shop 1
    assert not a.has_capacity()


def test_same_key_same_bucket_new_rate_new_bucket() -> None:
    registry = LimiterRegistry()
    first = registry.get("k", rate_per_second=10, burst=5)
    assert registry.get("k", rate_per_second=10, burst=5) is first
    assert registry.get("k", rate_per_second=20, burst=5) is not first
    assert "k" in registry


@pytest.mark.parametrize(("rate", "burst"), [(0, 1), (1, 0), (-1, 5)])
def test_bad_limits(rate: float, burst: int) -> None:
    with pytest.raises(ValueError, match="rate"):
        LimiterRegistry().get("k", rate_per_second=rate, burst=burst)
