"""Retry policy: what is repeated, how long it waits (injected sleep: nothing waits for real)."""

from __future__ import annotations

import random

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from aiostore.http.errors import (
    AuthExpired,
    CircuitOpen,
    ConnectorError,
    InvalidRequest,
    NotFound,
    PlatformUnavailable,
    RateLimited,
    Refused,
)
from aiostore.http.retry import RetryConfig, backoff_delay, is_retryable, retry_after_seconds, with_retries


class Sleeps:
    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def config(sleeps: Sleeps, attempts: int = 4) -> RetryConfig:
    return RetryConfig(attempts=attempts, base_delay=0.5, max_delay=8.0, sleep=sleeps, rng=random.Random(1))


class Flaky:
    """Fails with the given errors, then answers "ok"."""

    def __init__(self, *errors: BaseException) -> None:
        self.errors = list(errors)
        self.calls = 0

    async def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "ok"


async def test_transient_failures_are_retried_for_safe_calls() -> None:
    sleeps = Sleeps()
    fn = Flaky(PlatformUnavailable("502"), PlatformUnavailable("busy"))
    assert await with_retries(fn, config=config(sleeps), safe_to_repeat=True) == "ok"
    assert fn.calls == 3
    assert len(sleeps.waits) == 2
    assert 0 <= sleeps.waits[0] <= 0.5 and 0 <= sleeps.waits[1] <= 1.0


async def test_unsafe_calls_are_not_repeated_after_the_request_left() -> None:
    fn = Flaky(PlatformUnavailable("read timeout"))
    with pytest.raises(PlatformUnavailable):
        await with_retries(fn, config=config(Sleeps()), safe_to_repeat=False)
    assert fn.calls == 1


async def test_unsafe_calls_are_repeated_when_nothing_was_sent() -> None:
    fn = Flaky(PlatformUnavailable("connect refused", request_sent=False))
    assert await with_retries(fn, config=config(Sleeps()), safe_to_repeat=False) == "ok"
    assert fn.calls == 2


async def test_rate_limit_waits_what_the_platform_asked() -> None:
    sleeps = Sleeps()
    fn = Flaky(RateLimited("slow", retry_after=7.0), RateLimited("slow"))
    assert await with_retries(fn, config=config(sleeps), safe_to_repeat=False) == "ok"
    assert sleeps.waits[0] == 7.0
    assert 0 <= sleeps.waits[1] <= 1.0  # no hint: jittered backoff


async def test_a_wait_longer_than_we_accept_fails_at_once() -> None:
    sleeps = Sleeps()
    fn = Flaky(RateLimited("daily quota", retry_after=10_000.0))
    with pytest.raises(RateLimited):
        await with_retries(fn, config=config(sleeps), safe_to_repeat=True)
    assert fn.calls == 1 and sleeps.waits == []


@pytest.mark.parametrize(
    "error",
    [InvalidRequest("bad"), Refused("no"), NotFound("gone"), AuthExpired("token"), CircuitOpen("open")],
)
async def test_never_retried(error: ConnectorError) -> None:
    fn = Flaky(error)
    with pytest.raises(type(error)):
        await with_retries(fn, config=config(Sleeps()), safe_to_repeat=True)
    assert fn.calls == 1


async def test_gives_up_after_the_attempts() -> None:
    sleeps = Sleeps()
    fn = Flaky(*[PlatformUnavailable(str(n)) for n in range(10)])
    with pytest.raises(PlatformUnavailable, match="2"):
        await with_retries(fn, config=config(sleeps, attempts=3), safe_to_repeat=True)
    assert fn.calls == 3 and len(sleeps.waits) == 2


@given(st.integers(min_value=1, max_value=30), st.integers(min_value=0, max_value=2**32))
def test_backoff_is_full_jitter_and_capped(attempt: int, seed: int) -> None:
    cfg = RetryConfig(base_delay=0.5, max_delay=8.0, rng=random.Random(seed))
    delay = backoff_delay(attempt, cfg)
    assert 0 <= delay <= min(8.0, 0.5 * 2 ** (attempt - 1))


def test_retryable_table() -> None:
    assert is_retryable(RateLimited("x"), safe_to_repeat=False)
    assert is_retryable(PlatformUnavailable("x"), safe_to_repeat=True)
    assert not is_retryable(PlatformUnavailable("x"), safe_to_repeat=False)
    assert not is_retryable(ValueError("x"), safe_to_repeat=True)


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("3", 3.0),
        ("0.5", 0.5),
        ("-2", 0.0),
        ("Wed, 21 Oct 2015 07:28:10 GMT", 10.0),
        ("soon", None),
        (None, None),
    ],
)
def test_retry_after_header(header: str | None, seconds: float | None) -> None:
    headers = {"Retry-After": header} if header is not None else {}
    response = httpx.Response(429, headers=headers)
    assert retry_after_seconds(response, now=1445412480.0) == seconds


async def test_a_repeat_refused_by_the_open_circuit_raises_the_failure_that_was_sent() -> None:
    """The call's own failures (or another's failed probe) opened the circuit before its repeat: the call
    was sent and failed, so that is what it raises; only a call refused before any try is CircuitOpen."""
    sent = PlatformUnavailable("HTTP 502")
    fn = Flaky(sent, CircuitOpen("open", retry_after=30))
    with pytest.raises(PlatformUnavailable) as raised:
        await with_retries(fn, config=config(Sleeps()), safe_to_repeat=True)
    assert raised.value is sent and fn.calls == 2  # the open circuit is not repeated
    limited = RateLimited("slow down", retry_after=1)
    fn = Flaky(limited, CircuitOpen("open"))
    with pytest.raises(RateLimited) as slowed:
        await with_retries(fn, config=config(Sleeps()), safe_to_repeat=False)
    assert slowed.value is limited
    refused = CircuitOpen("open", retry_after=12)
    with pytest.raises(CircuitOpen) as first:
        await with_retries(Flaky(refused), config=config(Sleeps()), safe_to_repeat=True)
    assert first.value is refused and first.value.retry_after == 12
