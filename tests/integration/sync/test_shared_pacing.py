"""The push pacer shared through PostgreSQL: a shop's push task runs in whichever worker process takes it,
so a process that never sent to a slow-quota shop still waits for the slot the other's calls left it
(two pacers, each with its own engine, as two worker processes have; the in-memory arithmetic is
tests/unit/services/test_pacing.py's)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest

from aiostore.connectors.shopee.connector import SHOPEE_LIMITS
from aiostore.connectors.tokopedia.connector import TOKOPEDIA_LIMITS
from aiostore.db.engine import DatabaseURLs
from aiostore.db.session import Database
from aiostore.services.sync.pacing import Pacer


@pytest.fixture
async def other(urls: DatabaseURLs) -> AsyncIterator[Database]:
    second = Database.connect(urls, pool_size=2)
    try:
        yield second
    finally:
        await second.dispose()


class Sleeps:
    def __init__(self) -> None:
        self.slept: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.slept.append(seconds)


async def test_a_process_that_never_sent_waits_for_the_slot_another_left(
    db: Database, other: Database
) -> None:
    shop = uuid.uuid4()
    sleeps = Sleeps()
    first, second = Pacer(), Pacer(sleep=sleeps)
    assert await second.shared_delay(other.engine, shop) == 0.0  # nobody has sent to it
    # 5 calls/s, bursts of 5, 50 ms of lateness allowed: 6 calls at once leave the next 0.45 s ahead
    at = first.now()
    await first.shared_sent(db.engine, shop, TOKOPEDIA_LIMITS, 6, at)
    assert first.delay(shop) == pytest.approx(0.45, abs=0.05)
    ahead = await second.shared_delay(other.engine, shop)
    assert 0.3 < ahead <= 0.45  # the same slot, less the time since the calls left
    await second.wait(shop, other.engine)
    assert len(sleeps.slept) == 1
    assert 0.3 < sleeps.slept[0] <= 0.45
    # its own calls then move the slot on for both: one more call, 200 ms later
    await second.shared_sent(other.engine, shop, TOKOPEDIA_LIMITS, 1, second.now())
    assert await first.shared_delay(db.engine, shop) > ahead


async def test_a_fast_quota_keeps_its_estimate_in_memory(db: Database, other: Database) -> None:
    shop = uuid.uuid4()
    first, second = Pacer(), Pacer()
    await first.shared_sent(db.engine, shop, SHOPEE_LIMITS, 200, first.now())  # 100 calls/s
    assert first.delay(shop) > 0  # it knows, in memory
    assert await first.shared_delay(db.engine, shop) == pytest.approx(first.delay(shop), abs=0.05)
    assert await second.shared_delay(other.engine, shop) == 0.0  # nothing was shared


async def test_nothing_sent_shares_nothing(db: Database, other: Database) -> None:
    shop = uuid.uuid4()
    await Pacer().shared_sent(db.engine, shop, TOKOPEDIA_LIMITS, 0, 0.0)
    assert await Pacer().shared_delay(other.engine, shop) == 0.0
