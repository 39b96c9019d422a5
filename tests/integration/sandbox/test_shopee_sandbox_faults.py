"""Fault injection, rate limiting and the /_sandbox control API of the Shopee sandbox (DESIGN.md
"Marketplace sandboxes", §A6 error codes, §A7 rate limits)."""

from __future__ import annotations

import httpx

from aiostore.sandbox.common import FaultConfig, ManualClock, ScriptedFault
from aiostore.sandbox.shopee import ShopeeSandbox, ShopeeSandboxConfig, create_app
from tests.integration.sandbox.conftest import SHOP_ID, Shopee

INFO = "/api/v2/shop/get_shop_info"


async def _statuses(shopee: Shopee, count: int) -> list[int]:
    return [(await shopee.get(INFO)).status_code for _ in range(count)]


async def test_error_rate_is_deterministic(config: ShopeeSandboxConfig, clock: ManualClock) -> None:
    runs = []
    for _ in range(2):
        config.faults = FaultConfig(error_rate=0.4, seed=3)
        app = create_app(config)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://s") as http:
            runs.append(await _statuses(Shopee(http, clock), 30))
        await app.state.sandbox.aclose()
    assert runs[0] == runs[1]
    assert set(runs[0]) == {200, 500}


async def test_injected_errors_use_shopee_codes(shopee: Shopee, sandbox: ShopeeSandbox) -> None:
    sandbox.set_faults(FaultConfig(error_rate=1.0, busy_share=1.0))
    busy = await shopee.get(INFO)
    assert busy.status_code == 503 and busy.json()["error"] == "error_system_busy"
    sandbox.set_faults(FaultConfig(error_rate=1.0))
    server = await shopee.get(INFO)
    assert server.status_code == 500 and server.json() | {"request_id": ""} == {
        "request_id": "",
        "error": "error_server",
        "message": "Something wrong. Please try later.",
    }


async def test_per_endpoint_error_rate(shopee: Shopee, sandbox: ShopeeSandbox) -> None:
    sandbox.set_faults({"endpoint_error_rates": {"product/get_item_list": 1.0}})
    assert (await shopee.get(INFO)).status_code == 200
    listed = await shopee.get("/api/v2/product/get_item_list", offset=0, page_size=1, item_status="NORMAL")
    assert listed.status_code == 500


async def test_scripted_faults_then_success(shopee: Shopee, sandbox: ShopeeSandbox) -> None:
    sandbox.set_faults(
        FaultConfig(
            script=[
                ScriptedFault(kind="rate_limit"),
                ScriptedFault(kind="server_error", path="shop/get_shop_info"),
                ScriptedFault(kind="timeout"),
            ],
            timeout_seconds=0.0,
        )
    )
    limited = await shopee.get(INFO)
    assert limited.status_code == 429 and limited.json()["error"] == "error_rate_limit"
    assert limited.json()["message"].startswith("Too many requests.")
    assert (await shopee.get(INFO)).status_code == 500
    timed_out = await shopee.get(INFO)
    assert timed_out.status_code == 504 and timed_out.json()["error"] == "error_server"
    assert await _statuses(shopee, 3) == [200, 200, 200]


async def test_forced_rate_limit_share_and_latency(shopee: Shopee, sandbox: ShopeeSandbox) -> None:
    sandbox.set_faults(FaultConfig(rate_limit_rate=1.0, latency_ms=1, latency_jitter_ms=1))
    assert await _statuses(shopee, 2) == [429, 429]


async def test_rate_limit_per_partner_and_shop(config: ShopeeSandboxConfig, clock: ManualClock) -> None:
    ticks = ManualClock(0)
    config.rate_limit_rps, config.rate_limit_burst, config.monotonic = 2.0, 2, ticks
    app = create_app(config)
    sandbox: ShopeeSandbox = app.state.sandbox
    sandbox.add_shop(700000, "SG")
    sandbox.grant_access_token(700000, "sg-token")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://s") as http:
        shopee, other = Shopee(http, clock), Shopee(http, clock, shop_id=700000, token="sg-token")
        assert await _statuses(shopee, 3) == [200, 200, 429]
        assert await _statuses(other, 1) == [200]
        ticks.advance(0.5)
        assert await _statuses(shopee, 2) == [200, 429]
    await sandbox.aclose()


async def test_control_api_drives_the_sandbox(
    http: httpx.AsyncClient, shopee: Shopee, sandbox: ShopeeSandbox
) -> None:
    seeded = (await http.post("/_sandbox/seed", json={"products": 5, "orders": 0, "seed": 9})).json()
    item = sandbox.item(seeded["item_ids"][0])
    model = next(iter(item.models.values()))
    model.stock = 50
    placed = await http.post(
        "/_sandbox/orders",
        json={"lines": [{"item_id": item.item_id, "model_id": model.model_id, "quantity": 2}]},
    )
    order = placed.json()["orders"][0]
    assert placed.status_code == 200 and order["order_status"] == "UNPAID" and model.reserved == 2
    moved = await http.post(f"/_sandbox/orders/{order['order_sn']}/status", json={"status": "READY_TO_SHIP"})
    assert moved.json()["order_status"] == "READY_TO_SHIP"
    advanced = await http.post(f"/_sandbox/orders/{order['order_sn']}/advance")
    assert advanced.json()["order_status"] == "PROCESSED" and model.reserved == 0 and model.stock == 48
    invalid = await http.post(f"/_sandbox/orders/{order['order_sn']}/status", json={"status": "UNPAID"})
    assert invalid.status_code == 409 and "cannot go from PROCESSED" in invalid.json()["detail"]
    assert (await http.get("/_sandbox/orders/NOPE")).status_code == 404
    stock = (await http.get(f"/_sandbox/items/{item.item_id}")).json()
    assert {"model_id": model.model_id, "stock": 48, "reserved": 0}.items() <= stock["models"][0].items()

    random_orders = (await http.post("/_sandbox/orders", json={"count": 3, "status": "READY_TO_SHIP"})).json()
    assert [o["order_status"] for o in random_orders["orders"]] == ["READY_TO_SHIP"] * 3

    await http.delete("/_sandbox/calls")
    await shopee.get(INFO)
    calls = (await http.get("/_sandbox/calls")).json()
    assert calls == {"total": 1, "calls": {INFO: 1}}

    faults = await http.post("/_sandbox/faults", json={"error_rate": 1.0, "seed": 4})
    assert faults.json()["error_rate"] == 1.0 and (await shopee.get(INFO)).status_code == 500
    assert (await http.post("/_sandbox/faults", json={"error_rate": 2})).status_code == 422
    await http.post("/_sandbox/faults", json={})

    expired = (await http.post("/_sandbox/tokens/expire", json={"shop_id": SHOP_ID})).json()
    assert expired == {"expired": 1} and (await shopee.get(INFO)).status_code == 403
    granted = (await http.post("/_sandbox/tokens", json={"access_token": "fresh-token"})).json()
    shopee.token = granted["access_token"]
    assert (await shopee.get(INFO)).status_code == 200

    state = (await http.get("/_sandbox/state")).json()
    assert state["shops"][0]["items"] == 5 and state["shops"][0]["orders"] == 4
    assert (await http.post("/_sandbox/pushes/drain")).json()["queued"] == 0
