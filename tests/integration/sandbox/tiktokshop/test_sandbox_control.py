"""Fault injection, the /_sandbox control API and the standalone command of the TikTok Shop sandbox."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
from typer.testing import CliRunner

from aiostore.cli import sandbox as cli
from aiostore.sandbox.common import FaultConfig, ManualClock, ScriptedFault, StandaloneFlags
from aiostore.sandbox.tiktokshop import TikTokShopSandbox, TikTokShopSandboxConfig, create_app
from aiostore.sandbox.tiktokshop.standalone import DEFAULT_PORT, from_flags
from tests.integration.sandbox.tiktokshop.conftest import TTS, data, error

SHOPS = "/authorization/202309/shops"


async def statuses(tts: TTS, count: int) -> list[int]:
    return [(await tts.get(SHOPS, shop=False)).status_code for _ in range(count)]


async def test_error_rate_is_deterministic(config: TikTokShopSandboxConfig, clock: ManualClock) -> None:
    runs = []
    for _ in range(2):
        config.faults = FaultConfig(error_rate=0.4, seed=3)
        app = create_app(config)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
            runs.append(await statuses(TTS(http, clock, app.state.sandbox.shop().cipher), 30))
        await app.state.sandbox.aclose()
    assert runs[0] == runs[1] and set(runs[0]) == {200, 500}


async def test_injected_errors_use_tiktok_codes(tts: TTS, sandbox: TikTokShopSandbox) -> None:
    sandbox.set_faults(
        FaultConfig(
            timeout_seconds=0,
            script=[
                ScriptedFault(kind="rate_limit"),
                ScriptedFault(kind="server_error", path="authorization/202309/shops"),
                ScriptedFault(kind="busy"),
                ScriptedFault(kind="timeout"),
            ],
        )
    )
    error(await tts.get(SHOPS, shop=False), 429, 36009002)
    error(await tts.get(SHOPS, shop=False), 500, 36009003)
    error(await tts.get(SHOPS, shop=False), 503, 36009003)
    error(await tts.get(SHOPS, shop=False), 408, 36009007)
    assert await statuses(tts, 2) == [200, 200]
    sandbox.set_faults({"endpoint_error_rates": {"orders/search": 1.0}, "latency_ms": 1})
    assert (await tts.post("/order/202309/orders/search", {}, page_size=5)).status_code == 500
    data(await tts.get(SHOPS, shop=False))
    assert sandbox.call_count("orders/search") == 1 and sandbox.call_count(SHOPS) == 7


async def test_control_api(http: httpx.AsyncClient, sandbox: TikTokShopSandbox) -> None:
    seeded = (
        await http.post("/_sandbox/seed", json={"products": 4, "orders": 3, "skus_per_product": 2})
    ).json()
    assert len(seeded["product_ids"]) == 4 and len(seeded["order_ids"]) == 3
    product = (await http.get(f"/_sandbox/products/{seeded['product_ids'][0]}")).json()
    sku = product["skus"][0]
    sandbox.product(product["product_id"]).skus[sku["sku_id"]].quantity = 10
    line = {"product_id": product["product_id"], "sku_id": sku["sku_id"], "quantity": 2}
    placed = (
        await http.post("/_sandbox/orders", json={"lines": [line], "status": "AWAITING_SHIPMENT"})
    ).json()
    order_id = placed["orders"][0]["order_id"]
    assert placed["orders"][0]["stock_state"] == "reserved"
    advanced = (await http.post(f"/_sandbox/orders/{order_id}/advance")).json()
    assert advanced["status"] == "AWAITING_COLLECTION"
    moved = (await http.post(f"/_sandbox/orders/{order_id}/status", json={"status": "IN_TRANSIT"})).json()
    assert (moved["status"], moved["stock_state"]) == ("IN_TRANSIT", "deducted")
    assert (await http.post(f"/_sandbox/orders/{order_id}/return")).json()["status"] == "DELIVERED"
    refused = await http.post(f"/_sandbox/orders/{order_id}/status", json={"status": "UNPAID"})
    assert refused.status_code == 409 and "cannot go" in refused.json()["detail"]
    assert (await http.get("/_sandbox/orders/1")).status_code == 404
    assert (await http.post("/_sandbox/orders", json={"count": 0})).status_code == 422
    granted = (await http.post("/_sandbox/tokens", json={"access_token": "ROW_x"})).json()
    assert granted["access_token"] == "ROW_x" and granted["refresh_token"].startswith("ROW_")
    assert (await http.post("/_sandbox/tokens/expire", json={})).json()["expired"] >= 2
    app = (await http.post("/_sandbox/app", json={"push_url": "https://p.example"})).json()
    assert app == {"redirect_url": "https://app.example/callback", "push_url": "https://p.example"}
    faults = (await http.post("/_sandbox/faults", json={"error_rate": 0.5})).json()
    assert faults["error_rate"] == 0.5 and sandbox.faults.config.error_rate == 0.5
    state = (await http.get("/_sandbox/state")).json()
    assert state["shops"][0]["products"] == 4 and state["shops"][0]["shop_cipher"] == sandbox.shop().cipher
    assert (await http.delete("/_sandbox/calls")).json()["total"] == 0
    assert (await http.post("/_sandbox/pushes/drain")).json()["queued"] == 0


def flags(**overrides: Any) -> StandaloneFlags:
    values: dict[str, Any] = {
        "host": "127.0.0.1",
        "port": DEFAULT_PORT,
        "app_key": "appkey",
        "app_secret": "SECRET",
        "shop_id": "7001",
        "access_token": "ROW_token",
        "region": "MY",
        "products": 3,
        "orders": 2,
        "push_url": None,
        "fault_rate": 0.1,
        "latency_ms": 0,
        "seed": 5,
    }
    return StandaloneFlags(**{**values, **overrides})


async def test_standalone_builds_the_configured_sandbox() -> None:
    built = from_flags(flags())
    sandbox: TikTokShopSandbox = built.app.state.sandbox  # type: ignore[attr-defined]
    shop = sandbox.shop("7001")
    assert (shop.region, shop.market.currency, sandbox.catalog.count("7001"), len(sandbox.orders.orders)) == (
        "MY",
        "MYR",
        3,
        2,
    )
    assert sandbox.tokens.access_grant("ROW_token", "appkey") is not None and shop.cipher in built.banner
    assert sandbox.faults.config.error_rate == 0.1
    await sandbox.aclose()
    with pytest.raises(ValueError, match="serves sellers in"):
        from_flags(flags(region="TH"))


def test_the_cli_command(monkeypatch: pytest.MonkeyPatch) -> None:
    served: dict[str, Any] = {}
    monkeypatch.setattr("aiostore.cli.sandbox.uvicorn.run", lambda app, **kw: served.update(app=app, **kw))
    args = [
        "tiktokshop",
        "--app-key",
        "k1",
        "--app-secret",
        "S",
        "--shop-id",
        "7002",
        "--access-token",
        "ROW_t",
        "--region",
        "sg",
        "--products",
        "2",
        "--orders",
        "1",
    ]
    result = CliRunner().invoke(cli.app, args)
    assert result.exit_code == 0, result.output
    assert "TikTok Shop sandbox" in result.output and served["port"] == DEFAULT_PORT == 8802
    assert served["app"].state.sandbox.shop("7002").region == "SG"
    # Without --redirect-url the app registers this service's own callback, as the printed settings say.
    registered = served["app"].state.sandbox.app.redirect_url
    assert registered.endswith("/api/channels/callback/tiktokshop") and registered in "".join(
        result.output.split()
    )


async def test_the_registered_redirect_url_gets_the_approval(monkeypatch: pytest.MonkeyPatch) -> None:
    served: dict[str, Any] = {}
    monkeypatch.setattr("aiostore.cli.sandbox.uvicorn.run", lambda app, **kw: served.update(app=app, **kw))
    args = ["tiktokshop", "--app-key", "k3", "--redirect-url", "https://seller.example/cb?from=tts"]
    result = CliRunner().invoke(cli.app, args)
    assert result.exit_code == 0, result.output
    transport = httpx.ASGITransport(app=served["app"])
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox") as browser:
        page = await browser.get("/oauth/authorize", params={"app_key": "k3", "state": "s-1"})
        assert page.status_code == 200
        session = re.search(r'name="session" value="([^"]+)"', page.text)
        assert session is not None
        approved = await browser.post("/_sandbox/oauth/approve", data={"session": session.group(1)})
        assert approved.status_code == 302
        back = urlsplit(approved.headers["location"])
        query = dict(parse_qsl(back.query))
        assert (back.netloc, back.path, query["from"], query["state"]) == (
            "seller.example",
            "/cb",
            "tts",
            "s-1",
        )
        assert query["code"]
        reused = await browser.post("/_sandbox/oauth/approve", data={"session": session.group(1)})
        assert reused.status_code == 400 and "already used" in reused.text
    await served["app"].state.sandbox.aclose()
