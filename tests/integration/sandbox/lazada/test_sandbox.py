"""The Lazada sandbox's gateway: signing checked as Lazada does, system parameters, tokens, gateways, page
and batch limits, faults and rate limits (lazada-tokopedia.md §A1, §A2, §A6, §A7)."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import httpx
import pytest

from aiostore.sandbox.common import FaultConfig, ManualClock
from aiostore.sandbox.lazada import LazadaSandbox, LazadaSandboxConfig, create_app
from tests.integration.sandbox.lazada.conftest import (
    APP_SECRET,
    GATEWAY,
    SELLER_ID,
    TOKEN,
    Lazada,
    lazada_sign,
)


def error_of(response: httpx.Response) -> tuple[int, str, str]:
    body = response.json()
    assert set(body) >= {"type", "code", "message", "request_id"}, body
    return response.status_code, body["type"], body["code"]


async def test_a_signed_call_answers_lazadas_envelope(lazada: Lazada) -> None:
    response = await lazada.get("/seller/get")
    body = response.json()
    assert response.status_code == 200 and body["code"] == "0" and body["request_id"]
    assert str(body["data"]["seller_id"]) == SELLER_ID and body["data"]["status"] == "ACTIVE"
    assert response.headers["date"].endswith("GMT")


async def test_signature_refusals(lazada: Lazada) -> None:
    system = lazada.system()
    good = lazada_sign(APP_SECRET, "/seller/get", system)
    assert (await lazada.call("GET", "/seller/get", system=dict(system), sign=good)).json()["code"] == "0"
    for wrong in (good.lower(), lazada_sign(APP_SECRET, "/rest/seller/get", system), "0" * 64):
        refused = await lazada.call("GET", "/seller/get", system=dict(system), sign=wrong)
        assert error_of(refused) == (200, "ISV", "IncompleteSignature")
    assert refused.json()["message"] == "The request signature does not conform to lazada standards"


async def test_values_are_signed_raw_not_url_encoded(lazada: Lazada) -> None:
    params = {"update_after": "2023-11-01T00:00:00+07:00", "limit": "1"}
    assert (await lazada.get("/orders/get", **params)).json()["code"] == "0"
    system = lazada.system()
    encoded = lazada_sign(
        APP_SECRET, "/orders/get", {**system, **params, "update_after": "2023-11-01T00%3A00%3A00%2B07%3A00"}
    )
    refused = await lazada.call("GET", "/orders/get", params, system=system, sign=encoded)
    assert error_of(refused)[2] == "IncompleteSignature"


@pytest.mark.parametrize("keep_empty", [False, True])
async def test_an_empty_value_signs_either_way(lazada: Lazada, keep_empty: bool) -> None:
    system = lazada.system()
    signed = {**system, "filter": "all", **({"sku_seller_list": ""} if keep_empty else {})}
    base = "/products/get" + "".join(f"{k}{v}" for k, v in sorted(signed.items()))
    sign = hmac.new(APP_SECRET.encode(), base.encode(), hashlib.sha256).hexdigest().upper()
    response = await lazada.call(
        "GET", "/products/get", {"filter": "all", "sku_seller_list": ""}, system=system, sign=sign
    )
    assert response.json()["code"] == "0"


async def test_timestamps(lazada: Lazada, clock: ManualClock) -> None:
    system = lazada.system()
    for offset, code in ((7000, "0"), (-7000, "0"), (7300, "InvalidTimestamp"), (-7300, "InvalidTimestamp")):
        system["timestamp"] = str(int((clock() + offset) * 1000))
        answer = (await lazada.call("GET", "/seller/get", system=dict(system))).json()
        assert answer["code"] == code
    system["timestamp"] = "2023-11-14T22:13:20Z"  # the documented UTC form of START
    assert (await lazada.call("GET", "/seller/get", system=dict(system))).json()["code"] == "0"


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"sign_method": "md5"}, "InvalidParameter"),
        ({"app_key": "999"}, "InvalidAppKey"),
        ({"access_token": "50000unknown"}, "IllegalAccessToken"),
    ],
)
async def test_system_parameter_refusals(lazada: Lazada, change: dict[str, str], code: str) -> None:
    system = {**lazada.system(), **change}
    assert error_of(await lazada.call("GET", "/seller/get", system=system))[2] == code


async def test_missing_parameters(lazada: Lazada) -> None:
    for name in ("app_key", "timestamp", "sign_method", "access_token"):
        system = lazada.system()
        del system[name]
        answer = (await lazada.call("GET", "/seller/get", system=system)).json()
        assert (answer["code"], name in answer["message"]) == ("MissingParameter", True)


async def test_the_legacy_hmac_md5_method(lazada: Lazada) -> None:
    system = {**lazada.system(), "sign_method": "hmac"}
    base = "/seller/get" + "".join(f"{k}{system[k]}" for k in sorted(system))
    sign = hmac.new(APP_SECRET.encode(), base.encode(), hashlib.md5).hexdigest().upper()
    assert (await lazada.call("GET", "/seller/get", system=system, sign=sign)).json()["code"] == "0"


async def test_expired_and_revoked_tokens(lazada: Lazada, sandbox: LazadaSandbox, clock: ManualClock) -> None:
    clock.advance(7 * 86400 + 1)
    assert error_of(await lazada.get("/seller/get"))[2] == "IllegalAccessToken"
    sandbox.grant_access_token(access_token="50000fresh")
    lazada.token = "50000fresh"
    assert (await lazada.get("/seller/get")).json()["code"] == "0"
    sandbox.expire_access_tokens()
    assert error_of(await lazada.get("/seller/get"))[2] == "IllegalAccessToken"


async def test_a_token_of_an_unknown_seller_is_refused(lazada: Lazada, sandbox: LazadaSandbox) -> None:
    del sandbox.sellers[SELLER_ID]  # the shop is gone: its token names no seller any more
    assert error_of(await lazada.get("/seller/get"))[2] == "IllegalAccessToken"


async def test_gateways_by_host_and_by_prefix(lazada: Lazada, sandbox: LazadaSandbox) -> None:
    for base in (GATEWAY, "http://127.0.0.1:8803/rest", "http://127.0.0.1:8803/id/rest"):
        assert (await lazada.call("GET", "/seller/get", base=base)).json()["code"] == "0", base
    for base in ("https://api.lazada.sg/rest", "http://127.0.0.1:8803/my/rest"):
        refused = (await lazada.call("GET", "/seller/get", base=base)).json()
        assert refused["code"] == "InvalidParameter" and "ID gateway" in refused["message"]
    for base in ("https://auth.lazada.com/rest", "http://127.0.0.1:8803/th/rest"):
        assert error_of(await lazada.call("GET", "/seller/get", base=base))[2] == "InvalidApiPath"
    assert error_of(await lazada.get("/no/such/api")) == (200, "SYSTEM", "InvalidApiPath")
    assert sandbox.call_count("/no/such/api") == 1


async def test_a_json_body_is_taken_too(lazada: Lazada, sandbox: LazadaSandbox) -> None:
    product = next(iter(sandbox.catalog.products.values()))
    business = {
        "payload": f"<Request><Product><ItemId>{product.item_id}</ItemId>"
        "<Attributes><name>By JSON</name></Attributes></Product></Request>"
    }
    query = lazada.system()
    query["sign"] = lazada_sign(APP_SECRET, "/product/update", {**query, **business})
    response = await lazada.http.post(GATEWAY + "/product/update", params=query, json=business)
    assert response.json()["code"] == "0" and product.name == "By JSON"


@pytest.mark.parametrize(
    ("path", "params", "code"),
    [
        ("/products/get", {"filter": "all", "limit": 51}, "19"),
        ("/products/get", {"filter": "all", "offset": 10_001}, "14"),
        ("/products/get", {"filter": "nope"}, "36"),
        ("/products/get", {}, "MissingParameter"),
        ("/orders/get", {"update_after": "2023-11-01T00:00:00+07:00", "limit": 101}, "19"),
        ("/orders/get", {"update_after": "2023-11-01T00:00:00+07:00", "offset": 5001}, "14"),
        ("/orders/get", {"update_after": "yesterday"}, "17"),
        ("/orders/get", {"limit": 10}, "MissingParameter"),
        ("/orders/items/get", {"order_ids": json.dumps(list(range(1, 52)))}, "38"),
        ("/orders/items/get", {"order_ids": "1,2"}, "56"),
        ("/order/get", {"order_id": 42}, "16"),
    ],
)
async def test_page_and_batch_limits(lazada: Lazada, path: str, params: dict[str, Any], code: str) -> None:
    assert error_of(await lazada.get(path, **params))[2] == code


async def test_price_quantity_takes_at_most_50_skus(lazada: Lazada, sandbox: LazadaSandbox) -> None:
    sku = "<Sku><SellerSku>none</SellerSku><Quantity>1</Quantity></Sku>"
    refused = await lazada.post(
        "/product/price_quantity/update",
        payload=f"<Request><Product><Skus>{sku * 51}</Skus></Product></Request>",
    )
    assert error_of(refused)[2] == "4171"
    entity = '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa">]><Request>&a;</Request>'
    assert error_of(await lazada.post("/product/price_quantity/update", payload=entity))[2] == "5"
    pack = {
        "pack_order_list": [{"order_id": 1, "order_item_list": [1]}] * 21,
        "delivery_type": "dropship",
        "shipping_allocate_type": "TFS",
    }
    assert error_of(await lazada.post("/order/fulfill/pack", packReq=json.dumps(pack)))[2] == "700022"


async def test_injected_faults_use_lazadas_envelope(lazada: Lazada, sandbox: LazadaSandbox) -> None:
    sandbox.set_faults(FaultConfig(error_rate=1.0))
    assert error_of(await lazada.get("/seller/get")) == (500, "ISP", "InternalError")
    sandbox.set_faults(FaultConfig(error_rate=1.0, busy_share=1.0))
    assert error_of(await lazada.get("/seller/get")) == (200, "ISP", "ServiceUnavailable")
    sandbox.set_faults(FaultConfig(rate_limit_rate=1.0))
    assert error_of(await lazada.get("/seller/get")) == (200, "ISV", "ApiCallLimit")
    sandbox.set_faults(FaultConfig(timeout_rate=1.0, timeout_seconds=0.0))
    assert error_of(await lazada.get("/seller/get")) == (504, "ISP", "ServiceTimeout")
    sandbox.set_faults({"endpoint_error_rates": {"products/get": 1.0}})
    assert (await lazada.get("/seller/get")).json()["code"] == "0"
    assert (await lazada.get("/products/get", filter="all")).status_code == 500


async def test_error_rate_is_deterministic(config: LazadaSandboxConfig, clock: ManualClock) -> None:
    runs = []
    for _ in range(2):
        config.faults = FaultConfig(error_rate=0.4, seed=3)
        app = create_app(config)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app)) as http:
            runs.append([(await Lazada(http, clock).get("/seller/get")).status_code for _ in range(30)])
        await app.state.sandbox.aclose()
    assert runs[0] == runs[1] and set(runs[0]) == {200, 500}


async def test_the_rate_limit_per_app_and_seller(config: LazadaSandboxConfig, clock: ManualClock) -> None:
    now = [0.0]
    config.rate_limit_rps, config.rate_limit_burst, config.monotonic = 2.0, 3, lambda: now[0]
    app = create_app(config)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app)) as http:
        client = Lazada(http, clock)
        codes = [(await client.get("/seller/get")).json()["code"] for _ in range(5)]
        assert codes == ["0", "0", "0", "ApiCallLimit", "ApiCallLimit"]
        now[0] += 1.0
        assert [(await client.get("/seller/get")).json()["code"] for _ in range(3)] == [
            "0",
            "0",
            "ApiCallLimit",
        ]
    await app.state.sandbox.aclose()
    assert TOKEN
