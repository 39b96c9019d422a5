"""Push delivery as the platforms do it: a few deliveries in flight, first attempts in queue order, each
failed one retried on its own schedule (re-signed with a fresh send time) while the others go on."""

from __future__ import annotations

import asyncio
import hashlib
import json
from typing import Any

import httpx

from aiostore.sandbox.common import FaultInjector, PushDispatcher, PushMessage
from aiostore.sandbox.common.push import signed_json, stamped_now


def _dispatcher(handler: Any, lost: list[PushMessage] | None = None, **options: Any) -> PushDispatcher:
    """A dispatcher delivering to `handler` (accepting any 2xx), giving up into `lost`."""
    return PushDispatcher(
        faults=FaultInjector(),
        accept=lambda r: r.is_success,
        transport=httpx.MockTransport(handler),
        on_lost=None if lost is None else lost.append,
        **options,
    )


def _sign(body: bytes) -> dict[str, str]:
    return {"Authorization": hashlib.sha256(b"secret" + body).hexdigest()}


async def test_a_failing_push_does_not_delay_the_next() -> None:
    arrived: list[bytes] = []
    good_arrived = asyncio.Event()

    def handler(request: httpx.Request) -> httpx.Response:
        arrived.append(request.content)
        if request.content == b"good":
            good_arrived.set()
            return httpx.Response(200)
        return httpx.Response(503)

    lost: list[PushMessage] = []
    dispatcher = _dispatcher(
        handler,
        lost,
        max_attempts=3,
        retry_delay=3600,  # the failing push's retry is an hour away: the next one must not wait for it
        concurrency=1,
    )
    dispatcher.submit(PushMessage("http://r/push", b"bad", {}))
    dispatcher.submit(PushMessage("http://r/push", b"good", {}))
    await asyncio.wait_for(good_arrived.wait(), 30)
    assert arrived == [b"bad", b"good"]
    assert [(d.body, d.attempt, d.ok) for d in dispatcher.deliveries] == [
        (b"bad", 1, False),
        (b"good", 1, True),
    ]
    assert dispatcher.queued == 1 and not lost  # the failed one waits for its own retry
    await dispatcher.aclose()


async def test_first_attempts_keep_the_queue_order_with_several_in_flight() -> None:
    arrived: list[bytes] = []
    in_flight = 0
    peak = 0

    async def handler(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, peak
        arrived.append(request.content)
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0.01)
        in_flight -= 1
        return httpx.Response(200)

    dispatcher = _dispatcher(
        handler,
        concurrency=3,
    )
    bodies = [str(n).encode() for n in range(30)]
    for body in bodies:
        dispatcher.submit(PushMessage("http://r/push", body, {}))
    await dispatcher.drain()
    assert arrived == bodies and 1 < peak <= 3 and dispatcher.queued == 0
    await dispatcher.aclose()


async def test_a_retry_is_signed_afresh_with_the_time_it_is_sent() -> None:
    now = [1_700_000_000.0]
    received: list[tuple[dict[str, Any], str]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        received.append((json.loads(request.content), request.headers["Authorization"]))
        assert request.headers["Authorization"] == _sign(request.content)["Authorization"]
        now[0] += 400  # the next attempt is sent later than a 300 s replay window
        return httpx.Response(500 if len(received) < 3 else 200)

    def restamp(payload: dict[str, Any]) -> dict[str, Any]:
        return stamped_now(payload, now[0])

    lost: list[PushMessage] = []
    dispatcher = _dispatcher(
        handler,
        lost,
        max_attempts=3,
        retry_delay=0,
    )
    payload = {"order": "A1", "status": "SHIPPED", "timestamp": int(now[0])}
    dispatcher.submit(signed_json("http://r/push", payload, _sign, restamp=restamp))
    await dispatcher.drain()
    stamps = [body["timestamp"] for body, _ in received]
    assert stamps == [1_700_000_000, 1_700_000_400, 1_700_000_800]  # each attempt: its own send time
    assert all(body["order"] == "A1" and body["status"] == "SHIPPED" for body, _ in received)
    assert len({signature for _, signature in received}) == 3 and not lost


def test_a_send_time_keeps_its_unit() -> None:
    assert stamped_now({"timestamp": 1_700_000_000_000, "x": 1}, 1_700_000_123.456) == {
        "timestamp": 1_700_000_123_456,
        "x": 1,
    }
    assert stamped_now({"timestamp": 1_700_000_000}, 1_700_000_123.9) == {"timestamp": 1_700_000_123}
    assert stamped_now({}, 5.0) == {"timestamp": 5}


async def test_a_push_failing_every_attempt_is_lost_after_its_own_retries() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.content == b"down":
            raise httpx.ConnectError("refused", request=request)
        return httpx.Response(200)

    lost: list[PushMessage] = []
    dispatcher = _dispatcher(
        handler,
        lost,
        max_attempts=4,
        retry_delay=0,
        concurrency=2,
    )
    for body in (b"down", b"a", b"b"):
        dispatcher.submit(PushMessage("http://r/push", body, {}))
    await dispatcher.drain()
    attempts = [(d.body, d.attempt, d.ok) for d in dispatcher.deliveries if d.body == b"down"]
    assert attempts == [(b"down", n, False) for n in range(1, 5)]
    assert all(d.error.startswith("ConnectError") for d in dispatcher.deliveries if d.body == b"down")
    assert [m.body for m in lost] == [b"down"] and dispatcher.queued == 0
    assert sorted(d.body for d in dispatcher.deliveries if d.ok) == [b"a", b"b"]
    await dispatcher.aclose()
