"""Per-platform circuit breaker: opens after N failures, fails fast, probes after the recovery time."""

from __future__ import annotations

import pytest
import time_machine

from aiostore.http.breaker import BreakerRegistry
from aiostore.http.errors import CircuitOpen, InvalidRequest, NotFound, PlatformUnavailable, RateLimited
from aiostore.http.shared import policy_for
from aiostore.settings import Settings


class Platform:
    def __init__(self) -> None:
        self.calls = 0
        self.down = True

    async def call(self) -> str:
        self.calls += 1
        if self.down:
            raise PlatformUnavailable("503")
        return "ok"


async def through(breakers: BreakerRegistry, platform: Platform, name: str = "shopee") -> str:
    async with breakers.guard(name):
        return await platform.call()


async def fail(breakers: BreakerRegistry, platform: Platform, times: int) -> None:
    for _ in range(times):
        with pytest.raises(PlatformUnavailable):
            await through(breakers, platform)


async def test_opens_fails_fast_half_opens_and_closes() -> None:
    with time_machine.travel(1_700_000_000, tick=False) as clock:
        breakers = BreakerRegistry(threshold=3, recovery_seconds=30)
        platform = Platform()
        await fail(breakers, platform, 3)
        assert await breakers.state("shopee") == "opened"

        with pytest.raises(CircuitOpen):
            await through(breakers, platform)
        assert platform.calls == 3  # refused without calling

        clock.shift(31)
        platform.down = False
        assert await through(breakers, platform) == "ok"  # the half-open probe
        assert await breakers.state("shopee") == "closed"
        assert platform.calls == 4


async def test_failed_probe_reopens() -> None:
    with time_machine.travel(1_700_000_000, tick=False) as clock:
        breakers = BreakerRegistry(threshold=1, recovery_seconds=10)
        platform = Platform()
        with pytest.raises(PlatformUnavailable):
            await through(breakers, platform)
        clock.shift(11)
        with pytest.raises(PlatformUnavailable):
            await through(breakers, platform)  # probe sent, failed
        assert await breakers.state("shopee") == "opened"
        with pytest.raises(CircuitOpen):
            await through(breakers, platform)
        assert platform.calls == 2


@pytest.mark.parametrize("error", [InvalidRequest("bad"), NotFound("gone"), RateLimited("slow")])
async def test_answers_from_a_live_platform_do_not_count(error: Exception) -> None:
    breakers = BreakerRegistry(threshold=2, recovery_seconds=30)
    for _ in range(5):
        with pytest.raises(type(error)):
            async with breakers.guard("shopee"):
                raise error
    assert await breakers.state("shopee") == "closed"


async def test_success_resets_the_count_and_platforms_are_separate() -> None:
    breakers = BreakerRegistry(threshold=2, recovery_seconds=30)
    platform = Platform()
    with pytest.raises(PlatformUnavailable):
        await through(breakers, platform)
    platform.down = False
    await through(breakers, platform)
    platform.down = True
    with pytest.raises(PlatformUnavailable):
        await through(breakers, platform)
    assert await breakers.state("shopee") == "closed"
    with pytest.raises(PlatformUnavailable):
        await through(breakers, platform)
    assert await breakers.state("shopee") == "opened"
    assert await breakers.state("lazada") == "closed"


async def refused_for(breakers: BreakerRegistry, platform: Platform) -> float | None:
    """How long the open circuit said it stays open."""
    with pytest.raises(CircuitOpen) as refused:
        await through(breakers, platform)
    return refused.value.retry_after


async def test_an_open_circuit_says_how_long_until_its_probe() -> None:
    with time_machine.travel(1_700_000_000, tick=False) as clock:
        breakers = BreakerRegistry(threshold=2, recovery_seconds=30)
        platform = Platform()
        await fail(breakers, platform, 2)
        assert await refused_for(breakers, platform) == 30
        clock.shift(12)
        assert await refused_for(breakers, platform) == 18
        clock.shift(18.5)
        await fail(breakers, platform, 1)  # the probe went out and failed: open for 30 s again
        clock.shift(5)
        assert await refused_for(breakers, platform) == 25
        assert platform.calls == 3


async def test_the_settings_shape_a_process_breakers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIOSTORE_BREAKER_THRESHOLD", "2")
    monkeypatch.setenv("AIOSTORE_BREAKER_RECOVERY_SECONDS", "7.5")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    breakers = policy_for(settings, None).breakers
    assert isinstance(breakers, BreakerRegistry)
    with time_machine.travel(1_700_000_000, tick=False):
        platform = Platform()
        await fail(breakers, platform, 1)
        assert await breakers.state("shopee") == "closed"  # one failure is not the threshold
        await fail(breakers, platform, 1)
        assert await refused_for(breakers, platform) == 7.5
