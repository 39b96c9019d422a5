"""The push pacer: when a shop's next stock call could leave, from the calls this process sent (a fake
clock; the shared quota itself is tests/unit/http/test_quota.py's)."""

from __future__ import annotations

import uuid
from dataclasses import replace

import pytest

from aiostore.connectors.shopee.connector import SHOPEE_LIMITS
from aiostore.connectors.tokopedia.connector import TOKOPEDIA_LIMITS
from aiostore.services.sync.pacing import Pacer


class Clock:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_a_shop_never_seen_can_be_called_now() -> None:
    clock = Clock()
    assert Pacer(lambda: clock.now, clock.sleep).delay(uuid.uuid4()) == 0.0


def test_the_burst_goes_at_once_then_the_pace_is_the_quotas() -> None:
    clock, shop = Clock(), uuid.uuid4()
    pacer = Pacer(lambda: clock.now, clock.sleep)
    # 5 calls/s, bursts of 5, 50 ms of allowed lateness: 0.75 s ahead of the steady pace at most
    for _ in range(3):
        pacer.sent(shop, TOKOPEDIA_LIMITS, 1, clock.now)
        assert pacer.delay(shop) == 0.0
    pacer.sent(shop, TOKOPEDIA_LIMITS, 1, clock.now)  # the burst less the lateness allowed is spent
    assert pacer.delay(shop) == pytest.approx(0.05)
    pacer.sent(shop, TOKOPEDIA_LIMITS, 1, clock.now)
    assert pacer.delay(shop) == pytest.approx(0.25)
    clock.now += 0.1
    assert pacer.delay(shop) == pytest.approx(0.15)
    pacer.sent(shop, TOKOPEDIA_LIMITS, 2, clock.now)  # two more calls went anyway (queued in the quota)
    assert pacer.delay(shop) == pytest.approx(0.55)


async def test_wait_sleeps_until_the_slot_and_a_fast_platform_never_waits() -> None:
    clock, slow, fast = Clock(), uuid.uuid4(), uuid.uuid4()
    pacer = Pacer(lambda: clock.now, clock.sleep)
    pacer.sent(slow, TOKOPEDIA_LIMITS, 6, clock.now)
    pacer.sent(fast, SHOPEE_LIMITS, 6, clock.now)  # 100 calls/s, bursts of 20
    await pacer.wait(fast)
    assert clock.slept == []
    await pacer.wait(slow)
    assert clock.slept == [pytest.approx(0.45)]
    assert pacer.delay(slow) == 0.0


def test_other_limits_start_afresh_and_nothing_sent_changes_nothing() -> None:
    clock, shop = Clock(), uuid.uuid4()
    pacer = Pacer(lambda: clock.now, clock.sleep)
    pacer.sent(shop, TOKOPEDIA_LIMITS, 0, clock.now)
    assert pacer.delay(shop) == 0.0
    pacer.sent(shop, TOKOPEDIA_LIMITS, 10, clock.now)
    assert pacer.delay(shop) > 1
    pacer.sent(shop, replace(TOKOPEDIA_LIMITS, rate_per_second=50.0, burst=50), 1, clock.now)
    assert pacer.delay(shop) == 0.0
