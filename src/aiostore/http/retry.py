"""Retry policy for platform calls, on tenacity: exponential backoff with full jitter, capped.

A failed attempt is retried only when repeating it cannot do harm:
- ``RateLimited``: the platform refused before acting; wait ``retry_after`` when it gave one;
- ``PlatformUnavailable`` (5xx, time-outs, "system busy", connection errors): only for calls marked safe
  to repeat (reads, absolute stock/price sets), or when the request provably never left (connect errors);
- never ``InvalidRequest``, ``Refused``, ``NotFound``, ``AuthExpired`` (the connector refreshes and
  repeats once itself), nor an open circuit (``CircuitOpen``): that one should fail fast.

A repeat that meets an open circuit (the call's own failures opened it, or another call's probe failed
meanwhile) raises the failure that made us repeat, not ``CircuitOpen``: the call was tried and failed.
``CircuitOpen`` comes out only for a call refused before any of its tries went out, so a job that meets
it knows it sent nothing (services/sync/runner.py then spends none of its attempts).
"""

from __future__ import annotations

import asyncio
import email.utils
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar, cast

import httpx
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt
from tenacity.wait import wait_base

from aiostore.http.errors import CircuitOpen, PlatformUnavailable, RateLimited

T = TypeVar("T")
Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class RetryConfig:
    """``attempts`` counts the first try. Inject ``sleep`` and ``rng`` in tests: nothing waits for real."""

    attempts: int = 4
    base_delay: float = 0.5
    max_delay: float = 30.0
    max_retry_after: float = 120.0  # a longer hint is not waited for inside one job: fail, reschedule
    sleep: Sleep = asyncio.sleep
    rng: random.Random = field(default_factory=random.Random)


def is_retryable(exc: BaseException, *, safe_to_repeat: bool) -> bool:
    if isinstance(exc, RateLimited):
        return True
    if isinstance(exc, CircuitOpen):
        return False
    if isinstance(exc, PlatformUnavailable):
        return safe_to_repeat or not exc.request_sent
    return False


def backoff_delay(attempt: int, config: RetryConfig) -> float:
    """Full jitter: uniform(0, min(cap, base * 2**(attempt-1))) after the ``attempt``-th failure."""
    ceiling = min(config.max_delay, config.base_delay * (2 ** max(attempt - 1, 0)))
    return config.rng.uniform(0, ceiling)


class _Wait(wait_base):
    def __init__(self, config: RetryConfig) -> None:
        self.config = config

    def __call__(self, retry_state: RetryCallState) -> float:
        outcome = retry_state.outcome
        exc = outcome.exception() if outcome is not None else None
        if isinstance(exc, RateLimited) and exc.retry_after is not None:
            return min(max(exc.retry_after, 0.0), self.config.max_retry_after)
        return backoff_delay(retry_state.attempt_number, self.config)


class _Stop:
    """Stop after the attempts, or when the platform asks for a wait longer than we accept."""

    def __init__(self, config: RetryConfig) -> None:
        self.config = config
        self._attempts = stop_after_attempt(config.attempts)

    def __call__(self, retry_state: RetryCallState) -> bool:
        outcome = retry_state.outcome
        exc = outcome.exception() if outcome is not None else None
        if (
            isinstance(exc, RateLimited)
            and exc.retry_after is not None
            and exc.retry_after > self.config.max_retry_after
        ):
            return True
        return bool(self._attempts(retry_state))


async def with_retries(fn: Callable[[], Awaitable[T]], *, config: RetryConfig, safe_to_repeat: bool) -> T:
    """Run ``fn`` (one whole attempt: sign, send, decode) until it succeeds or may not be repeated."""
    failed: list[Exception] = []  # the last try's failure, but an open circuit's refusal

    async def attempt() -> T:
        try:
            return await fn()
        except CircuitOpen:
            raise
        except Exception as exc:
            failed[:] = [exc]
            raise

    retrying = AsyncRetrying(
        sleep=config.sleep,
        stop=_Stop(config),
        wait=_Wait(config),
        retry=retry_if_exception(lambda e: is_retryable(e, safe_to_repeat=safe_to_repeat)),
        reraise=True,
    )
    try:
        return cast(T, await retrying(attempt))
    except CircuitOpen:
        if not failed:
            raise
    raise failed[0]


def retry_after_seconds(response: httpx.Response, now: float | None = None) -> float | None:
    """The ``Retry-After`` header in seconds (delta-seconds or an HTTP date), if the server sent one."""
    value = response.headers.get("retry-after")
    if not value:
        return None
    value = value.strip()
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(when.timestamp() - (time.time() if now is None else now), 0.0)
