"""One circuit breaker per platform (purgatory).

After ``threshold`` consecutive failures (the platform unavailable: 5xx, time-outs, busy codes) the
circuit opens: calls fail at once with ``CircuitOpen`` without being sent. After ``recovery_seconds``
the next call goes through as a probe (half-open): success closes the circuit, failure re-opens it.
``CircuitOpen.retry_after`` says how long until then. The threshold and the recovery time are the
settings ``AIOSTORE_BREAKER_THRESHOLD`` and ``AIOSTORE_BREAKER_RECOVERY_SECONDS`` (``shared.policy_for``).
Answers that prove the platform is up (4xx, not found, refusals, rate limits) never count as failures.
purgatory reads ``time.time()``; tests move it with time-machine.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Protocol

from purgatory import AsyncCircuitBreakerFactory
from purgatory.domain.model import OpenedState

from aiostore.http.errors import CircuitOpen, PlatformUnavailable


def counts_as_failure(exc: BaseException) -> bool:
    return isinstance(exc, PlatformUnavailable) and not isinstance(exc, CircuitOpen)


def open_message(name: str) -> str:
    return f"circuit {name} is open; not calling"


def _not_a_failure(exc: BaseException) -> bool:
    return not counts_as_failure(exc)


class Breakers(Protocol):
    """This process's breakers (``BreakerRegistry``) or every process's (``http/shared.SharedBreakers``)."""

    def guard(self, name: str) -> AbstractAsyncContextManager[None]: ...

    async def state(self, name: str) -> str: ...


THRESHOLD = 5  # consecutive failures that open a circuit
RECOVERY_SECONDS = 30.0  # how long it stays open before a probe goes through


class BreakerRegistry:
    def __init__(self, *, threshold: int = THRESHOLD, recovery_seconds: float = RECOVERY_SECONDS) -> None:
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
            left = max(exc.opened_at + breaker.context.ttl - time.time(), 0.0)
            raise CircuitOpen(open_message(name), retry_after=left, platform=name) from exc

    async def state(self, name: str) -> str:
        """'closed', 'opened' or 'half-opened' (for dashboards and tests)."""
        breaker = await self._factory.get_breaker(name)
        return str(breaker.context.state)
