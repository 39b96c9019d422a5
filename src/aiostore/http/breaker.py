"""One circuit breaker per platform (purgatory).

After ``threshold`` consecutive failures (the platform unavailable: 5xx, time-outs, busy codes) the
circuit opens: calls fail at once with ``CircuitOpen`` without being sent. After ``recovery_seconds``
the next call goes through as a probe (half-open): success closes the circuit, failure re-opens it.
Answers that prove the platform is up (4xx, not found, refusals, rate limits) never count as failures.
purgatory reads ``time.time()``; tests move it with time-machine.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Protocol

from purgatory import AsyncCircuitBreakerFactory
from purgatory.domain.model import OpenedState

from aiostore.http.errors import CircuitOpen, PlatformUnavailable


def counts_as_failure(exc: BaseException) -> bool:
    return isinstance(exc, PlatformUnavailable) and not isinstance(exc, CircuitOpen)


def _not_a_failure(exc: BaseException) -> bool:
    return not counts_as_failure(exc)


class Breakers(Protocol):
    """This process's breakers (``BreakerRegistry``) or every process's (``http/shared.SharedBreakers``)."""

    def guard(self, name: str) -> AbstractAsyncContextManager[None]: ...

    async def state(self, name: str) -> str: ...


class BreakerRegistry:
    def __init__(self, *, threshold: int = 5, recovery_seconds: float = 30.0) -> None:
        self.threshold = threshold
        self.recovery_seconds = recovery_seconds
        self._factory = AsyncCircuitBreakerFactory(
            default_threshold=threshold,
            default_ttl=recovery_seconds,
            exclude=[(BaseException, _not_a_failure)],
        )

    @asynccontextmanager
    async def guard(self, name: str) -> AsyncIterator[None]:
        """Run the block under the breaker ``name``; raise ``CircuitOpen`` fast while it is open."""
        breaker = await self._factory.get_breaker(name)
        try:
            async with breaker:
                yield
        except OpenedState as exc:
            raise CircuitOpen(f"circuit {name} is open; not calling", platform=name) from exc

    async def state(self, name: str) -> str:
        """'closed', 'opened' or 'half-opened' (for dashboards and tests)."""
        breaker = await self._factory.get_breaker(name)
        return str(breaker.context.state)
