"""SignedClient over httpx: signs, builds without sending, limits, breaks, retries and maps transport errors.

The network is an ``httpx.MockTransport`` standing in for a platform; nothing of ours is mocked.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable

import httpx
import pytest

from aiostore.http.breaker import BreakerRegistry
from aiostore.http.client import ApiRequest, HttpPolicy, JSONObject, Signature, SignedClient
from aiostore.http.errors import CircuitOpen, InvalidRequest, PlatformUnavailable, RateLimited
from aiostore.http.retry import RetryConfig, retry_after_seconds


def signer(request: ApiRequest, body: bytes | None) -> Signature:
    return Signature(
        params=(("access_token", "secret-token"), ("sign", f"sig-{len(body or b'')}")),
        headers={"X-Test": "1"},
    )


def decoder(request: ApiRequest, response: httpx.Response) -> JSONObject:
    if response.status_code == 429:
        raise RateLimited("slow", retry_after=retry_after_seconds(response))
    if response.status_code >= 500:
        raise PlatformUnavailable(f"HTTP {response.status_code}")
    if response.status_code >= 400:
        raise InvalidRequest(f"HTTP {response.status_code}")
    data: JSONObject = response.json()
    return data


class Sleeps:
    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def make(
    handler: Callable[[httpx.Request], httpx.Response], **policy_kw: object
) -> tuple[SignedClient, Sleeps]:
    sleeps = Sleeps()
    policy = HttpPolicy(retry=RetryConfig(attempts=3, sleep=sleeps, rng=random.Random(0)), **policy_kw)  # type: ignore[arg-type]
    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    client = SignedClient(
        http,
        platform="testplat",
        base_url="https://api.example/",
        signer=signer,
        decoder=decoder,
        policy=policy,
        limiter_key="testplat:1",
        rate_per_second=1000,
        burst=100,
    )
    return client, sleeps


def test_build_request_signs_and_serialises_once() -> None:
    client, _ = make(lambda r: httpx.Response(200, json={}))
    built = client.build_request(
        ApiRequest("POST", "/v2/x", (("a", "1"), ("a", "2")), body={"k": 1.5, "s": "é"}, op="x")
    )
    assert built.method == "POST"
    assert str(built.url).startswith("https://api.example/v2/x?")
    assert built.url.params.get_list("a") == ["1", "2"]
    assert built.url.params["sign"] == f"sig-{len(built.content)}"
    assert json.loads(built.content) == {"k": 1.5, "s": "é"}
    assert built.headers["content-type"] == "application/json"
    assert built.headers["x-test"] == "1"
    assert built.extensions["timeout"] == {"connect": 5.0, "read": 30.0, "write": 30.0, "pool": 10.0}


def test_record_masks_secrets() -> None:
    client, _ = make(lambda r: httpx.Response(200, json={}))
    rec = client.record(ApiRequest("POST", "/v2/x", (("item", "1"),), body={"a": 1}, op="x.y"))
    assert "secret-token" not in rec.url and dict(rec.params)["access_token"] == "***"
    assert dict(rec.params)["sign"] == "***" and dict(rec.params)["item"] == "1"
    assert (rec.op, rec.method, rec.path, rec.body) == ("x.y", "POST", "/v2/x", {"a": 1})


async def test_5xx_retried_for_safe_calls_only() -> None:
    statuses = [503, 200]
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(statuses.pop(0), json={"ok": True})

    client, sleeps = make(handler)
    assert await client.call(ApiRequest("GET", "/r", op="read", safe_to_repeat=True)) == {"ok": True}
    assert len(seen) == 2 and len(sleeps.waits) == 1 and client.calls["read"] == 2

    statuses[:] = [503, 200]
    with pytest.raises(PlatformUnavailable):
        await client.call(ApiRequest("POST", "/w", body={}, op="write"))
    assert client.calls["write"] == 1


async def test_4xx_not_retried() -> None:
    client, sleeps = make(lambda r: httpx.Response(400, json={}))
    with pytest.raises(InvalidRequest):
        await client.call(ApiRequest("GET", "/r", op="read", safe_to_repeat=True))
    assert client.total_calls == 1 and sleeps.waits == []


async def test_429_honours_retry_after() -> None:
    answers = [httpx.Response(429, headers={"Retry-After": "2"}), httpx.Response(200, json={"n": 1})]
    client, sleeps = make(lambda r: answers.pop(0))
    assert await client.call(ApiRequest("POST", "/w", body={}, op="write")) == {"n": 1}
    assert sleeps.waits == [2.0]


async def test_transport_errors_become_platform_unavailable() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    client, _ = make(refuse)
    with pytest.raises(PlatformUnavailable) as info:
        await client.send(ApiRequest("POST", "/w", body={}, op="write"))
    assert info.value.request_sent is False

    def time_out(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    client, _ = make(time_out)
    with pytest.raises(PlatformUnavailable) as info:
        await client.call(ApiRequest("POST", "/w", body={}, op="write"))
    assert info.value.request_sent is True
    assert client.total_calls == 1  # a write that may have arrived is not repeated


async def test_breaker_opens_and_stops_calling() -> None:
    hits: list[int] = []

    def down(request: httpx.Request) -> httpx.Response:
        hits.append(1)
        return httpx.Response(502)

    client, _ = make(down, breakers=BreakerRegistry(threshold=3, recovery_seconds=60))
    with pytest.raises(PlatformUnavailable):
        await client.call(ApiRequest("GET", "/r", op="read", safe_to_repeat=True))  # 3 failures open it
    assert len(hits) == 3
    assert await client.policy.breakers.state("testplat") == "opened"
    with pytest.raises(CircuitOpen):
        await client.call(ApiRequest("GET", "/r", op="read", safe_to_repeat=True))
    assert len(hits) == 3


async def test_per_endpoint_quota_keeps_one_bucket_per_operation() -> None:
    client, _ = make(lambda request: httpx.Response(200, json={"ok": True}))
    await client.send(ApiRequest("GET", "/a", op="orders.read", safe_to_repeat=True))
    assert "testplat:1" in client.policy.limiters
    client.per_endpoint = True
    await client.send(ApiRequest("GET", "/order/1", op="order.get", safe_to_repeat=True))
    await client.send(ApiRequest("GET", "/order/2", op="order.get", safe_to_repeat=True))
    await client.send(ApiRequest("POST", "/stock", op="stock.update"))
    assert "testplat:1:order.get" in client.policy.limiters  # one bucket for the operation, not per order id
    assert "testplat:1:stock.update" in client.policy.limiters
    assert "testplat:1:/order/1" not in client.policy.limiters
