"""When a shop's next stock call could leave: a push round waits for that moment before it reads the dirty
listings, not after.

Where the platform's quota, not the work, sets the pace (Tokopedia: 5 calls/s per endpoint, while sales
needing a push come faster), a round that read first and then waited in the quota for its slot sent what
was dirty up to 200 ms before the call; a sale in that gap waited for the next slot as well. Waiting
first, the call carries every sale up to the moment it leaves. This is only an estimate: the shared quota
(http/shared.py) still decides when a call goes, so the pace never exceeds it whatever this says.

A shop whose quota is slow enough to pace its rounds (`SHARED_BELOW` calls a second) keeps its estimate
in the database, where every worker process reads it: a shop's push tasks run in whichever process takes
them from the queue, and an estimate kept in one process's memory left the next task, elsewhere, reading
first and waiting after (two worker processes: Tokopedia's pushes 330 ms p50 against 174 in one). It is
one row of `quota_buckets` per shop (key `pace:<shop id>`: when its next call could leave, in the
database's clock): one read before a round, one write after its calls. Faster quotas never delay a round
and keep theirs in memory.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncEngine

from aiostore.connectors.dtos import ConnectorLimits
from aiostore.http.quota import Quota
from aiostore.http.shared import DEFAULT_JITTER, autocommit, clock_sql

SHARED_BELOW = 10.0  # calls a second: a quota this slow can pace push rounds (a round takes ~100 ms)

# The row holds when the shop's next stock call could leave (the quota's tat less its tolerance), so a
# process that has not sent to the shop needs no quota to read it.
_NEXT = clock_sql("SELECT tat - NOW FROM quota_buckets WHERE key = :key")
_SENT = clock_sql(
    "INSERT INTO quota_buckets AS b (key, tat) "
    "VALUES (:key, NOW - CAST(:ago AS float8) + CAST(:cost AS float8) - CAST(:tolerance AS float8)) "
    "ON CONFLICT (key) DO UPDATE SET tat = GREATEST(b.tat + CAST(:tolerance AS float8), "
    "NOW - CAST(:ago AS float8)) + CAST(:cost AS float8) - CAST(:tolerance AS float8)"
)


def _key(shop_id: uuid.UUID) -> str:
    return f"pace:{shop_id}"


class Pacer:
    def __init__(
        self,
        clock: Callable[[], float] | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self._next: dict[uuid.UUID, tuple[float, Quota]] = {}  # shop -> (its estimated tat, its quota)
        self._fast: set[uuid.UUID] = set()  # shops whose quota never paces a round: no shared estimate

    def _now(self) -> float:
        return self._clock() if self._clock else asyncio.get_running_loop().time()

    def delay(self, shop_id: uuid.UUID) -> float:
        """Seconds until the shop's next stock call could leave (0: now), as this process saw its calls."""
        found = self._next.get(shop_id)
        if found is None:
            return 0.0
        tat, quota = found
        return max(0.0, tat - quota.tolerance - self._now())

    async def shared_delay(self, engine: AsyncEngine, shop_id: uuid.UUID) -> float:
        """Seconds until the shop's next stock call could leave, as every process saw its calls; for a
        shop whose quota is fast (or that no process has sent to yet), this process's own estimate."""
        if shop_id in self._fast:
            return self.delay(shop_id)
        async with autocommit(engine).connect() as conn:
            ahead = (await conn.execute(_NEXT, {"key": _key(shop_id)})).scalar()
        return self.delay(shop_id) if ahead is None else max(0.0, float(ahead))

    async def wait(self, shop_id: uuid.UUID, engine: AsyncEngine | None = None) -> None:
        delay = self.delay(shop_id) if engine is None else await self.shared_delay(engine, shop_id)
        if delay > 0:
            await self._sleep(delay)

    def sent(self, shop_id: uuid.UUID, limits: ConnectorLimits, calls: int, at: float) -> None:
        """`calls` stock calls to the shop left from `at` (this pacer's clock)."""
        if calls <= 0:
            return
        quota = Quota(limits.rate_per_second, limits.burst, DEFAULT_JITTER)
        found = self._next.get(shop_id)
        tat = found[0] if found and found[1] == quota else at
        self._next[shop_id] = (max(tat, at) + calls * quota.interval, quota)

    async def shared_sent(
        self, engine: AsyncEngine, shop_id: uuid.UUID, limits: ConnectorLimits, calls: int, at: float
    ) -> None:
        """`sent`, and for a slow quota the shop's estimate in the database too, for every process."""
        self.sent(shop_id, limits, calls, at)
        if calls <= 0:
            return
        if limits.rate_per_second >= SHARED_BELOW:
            self._fast.add(shop_id)
            return
        self._fast.discard(shop_id)
        quota = self._next[shop_id][1]
        params = {
            "key": _key(shop_id),
            "ago": max(0.0, self._now() - at),
            "cost": calls * quota.interval,
            "tolerance": quota.tolerance,
        }
        async with autocommit(engine).connect() as conn:
            await conn.execute(_SENT, params)

    def now(self) -> float:
        return self._now()


PACER = Pacer()  # one per process, like its quota buckets
