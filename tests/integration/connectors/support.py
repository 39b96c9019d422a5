"""What every platform's connector tests share: recorded (not slept) retry delays and a test policy."""

from __future__ import annotations

import random

from aiostore.http.breaker import BreakerRegistry
from aiostore.http.client import HttpPolicy
from aiostore.http.ratelimit import LimiterRegistry
from aiostore.http.retry import RetryConfig


class Sleeps:
    """Stands in for asyncio.sleep in the retry policy: records each wait, waits for nothing."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def make_policy(
    sleeps: Sleeps, *, threshold: int = 5, recovery: float = 30.0, attempts: int = 4
) -> HttpPolicy:
    return HttpPolicy(
        retry=RetryConfig(
            attempts=attempts, base_delay=0.5, max_delay=8.0, sleep=sleeps, rng=random.Random(7)
        ),
        limiters=LimiterRegistry(),
        breakers=BreakerRegistry(threshold=threshold, recovery_seconds=recovery),
    )
