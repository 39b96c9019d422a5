"""Per-endpoint token buckets that report their state as Tokopedia's ``X-Ratelimit-*`` headers (§B7).

| header | meaning |
|---|---|
| X-Ratelimit-Limit | the limit of this endpoint, e.g. "5 req/s (burst 5)" |
| X-Ratelimit-Remaining | requests left before a 429 |
| X-Ratelimit-Reset-After | seconds until one request is regained; "-0.000000" while requests remain |
| X-Ratelimit-Full-Reset-After | seconds until the whole burst is regained |
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    headers: dict[str, str]


class EndpointLimiter:
    def __init__(self, rate: float | None, burst: int, clock: Callable[[], float]) -> None:
        self.rate = rate
        self.burst = max(1, burst)
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}

    def acquire(self, key: str) -> Decision:
        if self.rate is None:
            return Decision(True, {})
        now = self._clock()
        tokens, last = self._buckets.get(key, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - last) * self.rate)
        allowed = tokens >= 1.0
        if allowed:
            tokens -= 1.0
        self._buckets[key] = (tokens, now)
        reset = "-0.000000" if tokens >= 1.0 else f"{(1.0 - tokens) / self.rate:.6f}"
        full = f"{(self.burst - tokens) / self.rate:.6f}"
        limit = f"{self.rate:g} req/s (burst {self.burst})"
        return Decision(
            allowed,
            {
                "X-Ratelimit-Limit": limit,
                "X-Ratelimit-Remaining": str(int(tokens)),
                "X-Ratelimit-Reset-After": reset,
                "X-Ratelimit-Full-Reset-After": full,
            },
        )
