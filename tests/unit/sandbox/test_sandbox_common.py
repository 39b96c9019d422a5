"""Platform-neutral sandbox helpers: money, clock, counters, rate limiter, faults, pushes, fake data."""

from __future__ import annotations

import asyncio
import random
from decimal import Decimal

import httpx
import pytest

from aiostore.sandbox.common import (
    CallCounter,
    FakeData,
    FaultConfig,
    FaultInjector,
    ManualClock,
    PushDispatcher,
    PushMessage,
    RateLimiter,
    ScriptedFault,
    parse_major,
    path_matches,
    to_major,
)


def test_money_in_major_units() -> None:
    assert parse_major(150000, 0) == 150000 and parse_major(Decimal("150000.0"), 0) == 150000
    assert parse_major(Decimal("29.90"), 2) == 2990 and parse_major(12.9, 2) == 1290
    for bad in (Decimal("1500.5"), "10", True, Decimal("NaN")):
        with pytest.raises(ValueError):
            parse_major(bad, 0)
    with pytest.raises(ValueError):
        parse_major(Decimal("1.999"), 2)
    assert to_major(150000, 0) == 150000.0 and to_major(1290, 2) == 12.9


def test_counter_and_clock() -> None:
    counter, clock = CallCounter(), ManualClock(10)
    counter.record("/b")
    counter.record("/a")
    counter.record("/a")
    assert counter.count("/a") == 2 and counter.count() == 3 and list(counter.snapshot()) == ["/a", "/b"]
    counter.reset()
    assert counter.count() == 0
    clock.advance(2.5)
    assert clock() == 12.5


def test_rate_limiter_bucket_per_key() -> None:
    ticks = ManualClock(0)
    limiter = RateLimiter(1.0, 2, ticks)
    assert [limiter.acquire("a") for _ in range(3)] == [True, True, False]
    assert limiter.acquire("b")
    ticks.advance(1)
    assert limiter.acquire("a") and not limiter.acquire("a")
    assert all(RateLimiter(None, 1).acquire("x") for _ in range(100))


def test_fault_decisions_are_seeded() -> None:
    config = FaultConfig(error_rate=0.3, rate_limit_rate=0.1, timeout_rate=0.05, busy_share=0.5, seed=42)
    one, two = FaultInjector(config), FaultInjector(config)
    kinds = [one.decide("/p").kind for _ in range(200)]
    assert kinds == [two.decide("/p").kind for _ in range(200)]
    assert {"server_error", "busy", "rate_limit", "timeout", None} == set(kinds)
    one.configure(config)  # setting the faults again restarts the sequence
    assert [one.decide("/p").kind for _ in range(200)] == kinds


def test_scripted_and_per_endpoint_faults() -> None:
    injector = FaultInjector(
        FaultConfig(
            script=[ScriptedFault(kind="timeout", path="order/get_order_list"), ScriptedFault(kind="busy")],
            endpoint_error_rates={"product/update_stock": 1.0},
            latency_ms=5,
        )
    )
    assert injector.decide("/api/v2/shop/get_shop_info").kind == "busy"
    assert injector.decide("/api/v2/order/get_order_list").kind == "timeout"
    assert injector.decide("/api/v2/order/get_order_list").kind is None
    decision = injector.decide("/api/v2/product/update_stock")
    assert decision.kind == "server_error" and decision.latency == 0.005
    assert path_matches("/api/v2/product/update_stock", "/api/v2/product/update_stock")
    assert not path_matches("/api/v2/product/update_stock_x", "product/update_stock")


async def test_push_dispatcher_retries_then_reports_lost() -> None:
    seen: list[bytes] = []
    lost: list[PushMessage] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.content)
        return httpx.Response(500 if len(seen) < 2 else 200)

    dispatcher = PushDispatcher(
        faults=FaultInjector(),
        accept=lambda r: r.is_success,
        transport=httpx.MockTransport(handler),
        max_attempts=2,
        retry_delay=0,
        on_lost=lost.append,
    )
    dispatcher.submit(PushMessage("http://r/push", b"one", {}))
    await dispatcher.drain()
    assert seen == [b"one", b"one"] and not lost and [d.ok for d in dispatcher.deliveries] == [False, True]
    refusing = PushDispatcher(  # answers 200 but the platform's accept() says no (e.g. a non-empty body)
        faults=FaultInjector(),
        accept=lambda r: False,
        transport=httpx.MockTransport(lambda request: httpx.Response(200, text="ok")),
        max_attempts=2,
        retry_delay=0,
        on_lost=lost.append,
    )
    refusing.submit(PushMessage("http://r/push", b"two", {}))
    await refusing.drain()
    assert [m.body for m in lost] == [b"two"]
    await dispatcher.aclose()
    await refusing.aclose()


async def test_push_dispatcher_releases_a_held_push_by_itself() -> None:
    got: list[bytes] = []

    def handler(request: httpx.Request) -> httpx.Response:
        got.append(request.content)
        return httpx.Response(200)

    dispatcher = PushDispatcher(
        faults=FaultInjector(FaultConfig(push_reorder_rate=1.0)),
        accept=lambda r: r.is_success,
        transport=httpx.MockTransport(handler),
        reorder_hold=0.01,
    )
    dispatcher.submit(PushMessage("http://r/push", b"held", {}))
    assert dispatcher.queued == 1
    for _ in range(100):
        if got:
            break
        await asyncio.sleep(0.01)
    assert got == [b"held"]
    await dispatcher.aclose()


async def test_a_dropped_push_is_never_sent_nor_kept_as_lost() -> None:
    got: list[bytes] = []
    lost: list[PushMessage] = []

    def handler(request: httpx.Request) -> httpx.Response:
        got.append(request.content)
        return httpx.Response(200)

    faults = FaultInjector(FaultConfig(push_drop_rate=0.5, push_duplicate_rate=0.3, seed=4))
    dispatcher = PushDispatcher(
        faults=faults,
        accept=lambda r: r.is_success,
        transport=httpx.MockTransport(handler),
        on_lost=lost.append,
    )
    bodies = [str(n).encode() for n in range(200)]
    for body in bodies:
        dispatcher.submit(PushMessage("http://r/push", body, {}))
    await dispatcher.drain()
    assert 60 < dispatcher.dropped < 140 and not lost
    assert len(set(got)) == len(bodies) - dispatcher.dropped  # the others all arrive (some twice)
    # Drops have a stream of their own: the same seed without drops duplicates the same draws as before.
    plain, with_drops = (
        FaultInjector(FaultConfig(push_duplicate_rate=0.3, seed=4)),
        FaultInjector(FaultConfig(push_duplicate_rate=0.3, push_drop_rate=0.5, seed=4)),
    )
    for _ in range(50):
        with_drops.push_dropped()
    assert [plain.push_faults() for _ in range(50)] == [with_drops.push_faults() for _ in range(50)]
    never = FaultInjector()
    assert not any(never.push_dropped() for _ in range(100))
    await dispatcher.aclose()


def test_fake_data_is_deterministic_and_regional() -> None:
    a, b = FakeData(random.Random(5)), FakeData(random.Random(5))
    assert [a.product_name() for _ in range(5)] == [b.product_name() for _ in range(5)]
    person = a.person("ID")
    assert person.phone.startswith("+628") and " " in person.name and "." in person.username
    assert a.address("SG").region == "SG" and a.person("MY").phone.startswith("+601")
