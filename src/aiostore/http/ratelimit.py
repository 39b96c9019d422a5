"""Per-shop token buckets (aiolimiter): each shop gets its platform's published rate and burst.

One registry per process (or per test) shares the bucket between every connector instance for the same
shop, so two jobs pushing to one shop together still stay under the platform's limit.
"""

from __future__ import annotations

from typing import Protocol

from aiolimiter import AsyncLimiter


class Limiter(Protocol):
    async def acquire(self) -> None: ...

    def answered(self, sent: float) -> None:
        """The call sent at loop time ``sent`` (after ``acquire``) was answered, or failed, now."""
        ...


class LocalLimiter(AsyncLimiter):
    """aiolimiter's bucket: it counts a call when it is let through and ignores how fast it is answered."""

    def answered(self, sent: float) -> None:
        return None


class Limiters(Protocol):
    """Where a client finds the bucket of a key: this process's (``LimiterRegistry``) or every
    process's on one database (``http/shared.SharedLimiters``)."""

    def get(self, key: str, *, rate_per_second: float, burst: int) -> Limiter: ...


class LimiterRegistry:
    def __init__(self) -> None:
        self._limiters: dict[str, LocalLimiter] = {}

    def get(self, key: str, *, rate_per_second: float, burst: int) -> LocalLimiter:
        """The bucket for ``key`` (e.g. ``shopee:200001``): ``burst`` tokens, refilled at the rate."""
        if rate_per_second <= 0 or burst < 1:
            raise ValueError("rate_per_second must be > 0 and burst >= 1")
        limiter = self._limiters.get(key)
        if limiter is None or limiter.max_rate != burst or limiter.time_period != burst / rate_per_second:
            limiter = LocalLimiter(max_rate=burst, time_period=burst / rate_per_second)
            self._limiters[key] = limiter
        return limiter

    def __contains__(self, key: str) -> bool:
        return key in self._limiters
