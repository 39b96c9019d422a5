"""When a shop's next stock call could leave, as this process saw its last ones: a push round waits for that
moment before it reads the dirty listings, not after.

Where the platform's quota, not the work, sets the pace (Tokopedia: 5 calls/s per endpoint, while sales
needing a push come faster), a round that read first and then waited in the quota for its slot sent what
was dirty up to 200 ms before the call; a sale in that gap waited for the next slot as well. Waiting
first, the call carries every sale up to the moment it leaves. This is only an estimate kept in memory
(another process may have used the quota): the shared quota (http/shared.py) still decides when a call
goes, so the pace never exceeds it whatever this says.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable

from aiostore.connectors.dtos import ConnectorLimits
from aiostore.http.quota import Quota
from aiostore.http.shared import DEFAULT_JITTER


class Pacer:
    def __init__(
        self,
        clock: Callable[[], float] | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self._next: dict[uuid.UUID, tuple[float, Quota]] = {}  # shop -> (its estimated tat, its quota)

    def _now(self) -> float:
        return self._clock() if self._clock else asyncio.get_running_loop().time()

    def delay(self, shop_id: uuid.UUID) -> float:
        """Seconds until the shop's next stock call could leave (0: now)."""
        found = self._next.get(shop_id)
        if found is None:
            return 0.0
        tat, quota = found
        return max(0.0, tat - quota.tolerance - self._now())

    async def wait(self, shop_id: uuid.UUID) -> None:
        delay = self.delay(shop_id)
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

    def now(self) -> float:
        return self._now()


PACER = Pacer()  # one per process, like its quota buckets
