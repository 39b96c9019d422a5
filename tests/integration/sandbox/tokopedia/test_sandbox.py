"""The Tokopedia sandbox over raw HTTP: what it serves and everything it refuses, as Tokopedia would."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

import httpx
import pytest

from aiostore.sandbox.common import FaultConfig, ManualClock, ScriptedFault
from aiostore.sandbox.tokopedia import TokopediaSandbox, TokopediaSandboxConfig, create_app
from tests.integration.sandbox.tokopedia.conftest import (
    CLIENT_ID,
    FS_ID,
    SHOP_ID,
    TOKEN,
    Tokopedia,
)

INFO = "/inventory/v1/fs/{fs}/product/info"
STOCK = "/inventory/v1/fs/{fs}/stock/update"


def error(response: httpx.Response) -> tuple[int, Any]:
    header = response.json()["header"]
    assert response.json()["data"] is None and header["messages"] and "reason" in header
    return response.status_code, header["error_code"]


# -- the accounts host ----------------------------------------------------------------------------------


async def test_token_with_basic_auth(tkp: Tokopedia, sandbox: TokopediaSandbox, clock: ManualClock) -> None:
    answer = await tkp.token_call()
    assert answer.status_code == 200
    assert answer.json() == {"access_token": TOKEN, "expires_in": 14 * 86400, "token_type": "Bearer"}
    clock.advance(3600)
    assert (await tkp.token_call()).json()[
        "expires_in"
    ] == 14 * 86400 - 3600  # the same one, until it expires
    clock.advance(14 * 86400)
    renewed = (await tkp.token_call()).json()["access_token"]
    assert (
        renewed != TOKEN
        and (await Tokopedia(tkp.http, renewed).get(INFO, shop_id=SHOP_ID, page=1, per_page=5)).is_success
    )
    assert (await tkp.get(INFO, shop_id=SHOP_ID, page=1, per_page=5)).status_code == 401


@pytest.mark.parametrize(("client_id", "secret"), [(CLIENT_ID, "wrong"), ("nobody", "x")])
async def test_token_refused(tkp: Tokopedia, client_id: str, secret: str) -> None:
    answer = await tkp.token_call(client_id, secret)
    assert answer.status_code == 401 and answer.json()["error"] == "invalid_client"
    other = await tkp.http.post("/token", params={"grant_type": "password"})
    assert other.status_code == 400 and other.json()["error"] == "unsupported_grant_type"


@pytest.mark.parametrize("authorization", [None, "Bearer nope", "Basic abc", f"bearer{TOKEN}"])
async def test_calls_without_a_valid_bearer_token(tkp: Tokopedia, authorization: str | None) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    answer = await tkp.http.get(
        INFO.format(fs=FS_ID), params={"shop_id": SHOP_ID, "page": 1, "per_page": 5}, headers=headers
    )
    assert error(answer) == (401, "UNAUTHORIZED")


async def test_an_expired_token(tkp: Tokopedia, sandbox: TokopediaSandbox) -> None:
    sandbox.expire_access_tokens()
    assert error(await tkp.get(INFO, shop_id=SHOP_ID, page=1, per_page=5)) == (401, "UNAUTHORIZED")


async def test_another_apps_fs_id_and_unlinked_shops(tkp: Tokopedia, sandbox: TokopediaSandbox) -> None:
    other = await tkp.http.get(
        "/inventory/v1/fs/99/product/info", params={"shop_id": SHOP_ID}, headers=tkp.headers()
    )
    assert error(other) == (403, "RBAC_MDLW_001")
    sandbox.add_shop(600_001)
    assert error(await tkp.get(INFO, shop_id=600_001, page=1, per_page=5)) == (403, "RBAC_MDLW_001")
    assert error(await tkp.get(INFO, shop_id=777, page=1, per_page=5)) == (403, "RBAC_MDLW_001")  # unknown
    assert error(await tkp.get(INFO, shop_id="abc", page=1, per_page=5)) == (400, "ORD_DLV_006")


async def test_unknown_paths_and_methods(tkp: Tokopedia) -> None:
    assert error(await tkp.get("/v9/nothing")) == (404, "NOT_FOUND")
    assert error(await tkp.get(STOCK, shop_id=SHOP_ID)) == (405, "METHOD_NOT_ALLOWED")


# -- products -------------------------------------------------------------------------------------------


async def test_listing_pages_and_limits(tkp: Tokopedia, sandbox: TokopediaSandbox) -> None:
    rows = []
    for page in range(1, 10):
        answer = await tkp.get(INFO, shop_id=SHOP_ID, page=page, per_page=7)
        assert answer.status_code == 200 and answer.json()["header"]["messages"]
        rows += answer.json()["data"]
        if len(answer.json()["data"]) < 7:
            break
    assert len(rows) == 8 * 4 == len({r["basic"]["productID"] for r in rows})
    parent = rows[0]
    assert parent["variant"]["isParent"] and len(parent["variant"]["childrenID"]) == 3
    assert parent["stock"]["value"] == sum(
        sandbox.catalog.products[c].stock for c in parent["variant"]["childrenID"]
    )
    assert error(await tkp.get(INFO, shop_id=SHOP_ID, page=1, per_page=51)) == (400, "PRD_API_007")
    assert error(await tkp.get(INFO, shop_id=SHOP_ID, page=0, per_page=5)) == (400, "PRD_API_007")
    assert error(await tkp.get(INFO)) == (400, "PRD_API_007")


async def test_last_sort_past_ten_thousand(tkp: Tokopedia, sandbox: TokopediaSandbox) -> None:
    sandbox.config.last_sort_after = 10
    assert error(await tkp.get(INFO, shop_id=SHOP_ID, page=3, per_page=5)) == (400, "PRD_API_007")
    second = (await tkp.get(INFO, shop_id=SHOP_ID, page=2, per_page=5)).json()["data"]
    after = second[-1]["basic"]["productID"]
    third = (await tkp.get(INFO, shop_id=SHOP_ID, page=3, per_page=5, last_sort=after)).json()["data"]
    assert third[0]["basic"]["productID"] > after


async def test_product_by_ids_and_sku(tkp: Tokopedia, sandbox: TokopediaSandbox) -> None:
    ids = sorted(sandbox.catalog.products)[:3]
    found = (await tkp.get(INFO, product_id=",".join(map(str, [*ids, 1])))).json()["data"]
    assert [r["basic"]["productID"] for r in found] == ids
    sku = sandbox.catalog.products[ids[1]].sku
    assert [r["other"]["sku"] for r in (await tkp.get(INFO, sku=sku)).json()["data"]] == [sku]
    assert error(await tkp.get(INFO, product_id=",".join(str(i) for i in range(51)))) == (400, "PRD_API_007")


async def test_stock_update_rows(tkp: Tokopedia, sandbox: TokopediaSandbox) -> None:
    unit = next(sandbox.catalog.sellable(SHOP_ID))
    parent = sandbox.catalog.products[unit.parent_id or 0]
    answer = await tkp.post(
        STOCK,
        [
            {"product_id": unit.product_id, "new_stock": 40},
            {"sku": unit.sku, "product_id": 1, "new_stock": 41},  # the SKU wins over the product id
            {"product_id": 151231699, "new_stock": 40},
            {"sku": "NOPE", "new_stock": 30},
            {"product_id": parent.product_id, "new_stock": 3},
            {"product_id": unit.product_id, "new_stock": -1},
        ],
        shop_id=SHOP_ID,
    )
    assert answer.status_code == 200 and "error_code" not in answer.json()["header"]
    data = answer.json()["data"]
    assert (data["succeed_rows"], data["failed_rows"]) == (2, 4)
    assert [f["message"] for f in data["failed_rows_data"]] == [
        "Invalid Product ID.", "Invalid SKU.", "Product has variants: update its variant products.",
        "Stock must be between 0 and 999999.",
    ]  # fmt: skip
    assert unit.stock == 41


@pytest.mark.parametrize(
    "body",
    [
        [],
        [{"product_id": 1, "new_stock": 1}] * 101,
        {"product_id": 1},
        [{"new_stock": 1}],
        [{"product_id": 1}],
    ],
)
async def test_stock_update_refusals(tkp: Tokopedia, body: Any) -> None:
    assert error(await tkp.post(STOCK, body, shop_id=SHOP_ID)) == (400, "PRD_API_007")
    assert error(await tkp.post(STOCK, [{"product_id": 1, "new_stock": 1}])) == (400, "ORD_DLV_006")


async def test_price_update(tkp: Tokopedia, sandbox: TokopediaSandbox) -> None:
    unit = next(sandbox.catalog.sellable(SHOP_ID))
    path = "/inventory/v1/fs/{fs}/price/update"
    rows = [
        {"product_id": unit.product_id, "new_price": 10000},
        {"product_id": unit.product_id, "new_price": 99},
    ]
    data = (await tkp.post(path, rows, shop_id=SHOP_ID)).json()["data"]
    assert (data["succeed_rows"], data["failed_rows"], unit.price) == (1, 1, 10000)


# -- orders ---------------------------------------------------------------------------------------------


async def test_order_list_window_and_pages(
    tkp: Tokopedia, sandbox: TokopediaSandbox, clock: ManualClock
) -> None:
    now = int(clock())
    base = {"fs_id": FS_ID, "shop_id": SHOP_ID, "page": 1, "per_page": 100}
    listed = (await tkp.get("/v2/order/list", **base, from_date=now - 3 * 86400, to_date=now)).json()["data"]
    expected = [
        o for o in sandbox.orders.orders.values() if o.payment_time and o.create_time >= now - 3 * 86400
    ]
    assert sorted(r["order_id"] for r in listed) == sorted(o.order_id for o in expected)
    assert all(r["order_status"] >= 220 or r["order_status"] in (0, 3, 10) for r in listed)
    too_long = await tkp.get("/v2/order/list", **base, from_date=now - 3 * 86400 - 1, to_date=now)
    assert error(too_long) == (400, "ORD_API_002")
    assert error(
        await tkp.get("/v2/order/list", **{**base, "per_page": 101}, from_date=now - 10, to_date=now)
    ) == (
        400,
        "ORD_API_002",
    )


async def test_order_actions_follow_the_status_rules(tkp: Tokopedia, sandbox: TokopediaSandbox) -> None:
    order = sandbox.place_order()
    pickup = "/inventory/v1/fs/{fs}/pick-up"
    body = {"order_id": order.order_id, "shop_id": SHOP_ID}
    assert error(await tkp.post(pickup, body)) == (400, "LGS_USC_012")  # not accepted yet
    assert (await tkp.post(f"/v1/order/{order.order_id}/fs/{{fs}}/ack")).json()["data"] == "success"
    assert error(await tkp.post(f"/v1/order/{order.order_id}/fs/{{fs}}/ack")) == (400, "ORD_USC_001")
    picked = (await tkp.post(pickup, body)).json()["data"]
    assert picked["result"] == "success" and order.status == 450
    nack = await tkp.post(f"/v1/order/{order.order_id}/fs/{{fs}}/nack", {"reason_code": 5, "reason": "x"})
    assert error(nack) == (400, "ORD_USC_014")
    assert error(await tkp.get("/v2/fs/{fs}/order", order_id=1)) == (404, "ORD_API_008")
    detail = (await tkp.get("/v2/fs/{fs}/order", invoice_num=order.invoice)).json()["data"]
    assert detail["order_id"] == order.order_id and detail["order_status"] == 450


@pytest.mark.parametrize(
    "body",
    [
        {"reason_code": 9},
        {"reason_code": 8},
        {"reason_code": 7, "reason": "x" * 201},
        {"reason_code": 4, "reason": "x"},
        {"reason_code": 1, "reason": "x"},
        {"reason_code": 1, "empty_products": [1]},
    ],
)
async def test_reject_refusals(tkp: Tokopedia, sandbox: TokopediaSandbox, body: dict[str, Any]) -> None:
    order = sandbox.place_order()
    assert error(await tkp.post(f"/v1/order/{order.order_id}/fs/{{fs}}/nack", body)) == (400, "ORD_USC_014")
    assert order.status == 220


# -- faults, rate limits, webhooks ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "status", "code"),
    [("server_error", 500, 0), ("busy", 503, "ORD_API_006"), ("rate_limit", 429, "TOO_MANY_REQUESTS")],
)
async def test_injected_faults(
    tkp: Tokopedia, sandbox: TokopediaSandbox, kind: Any, status: int, code: Any
) -> None:
    sandbox.set_faults(FaultConfig(script=[ScriptedFault(kind=kind, path="product/info")]))
    assert error(await tkp.get(INFO, shop_id=SHOP_ID, page=1, per_page=5)) == (status, code)
    assert (await tkp.get(INFO, shop_id=SHOP_ID, page=1, per_page=5)).status_code == 200
    assert sandbox.call_count("product/info") == 2


async def test_rate_limit_per_endpoint_with_headers(clock: ManualClock) -> None:
    ticks = ManualClock(0)
    config = TokopediaSandboxConfig(
        access_token=TOKEN, products=2, rate_limit_rps=5.0, rate_limit_burst=2, monotonic=ticks
    )
    app = create_app(config)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://fs.test") as http:
        tkp = Tokopedia(http)
        shop = config.shop_id
        first = await tkp.get(INFO, shop_id=shop, page=1, per_page=5)
        assert (
            first.headers["X-Ratelimit-Limit"] == "5 req/s (burst 2)"
            and first.headers["X-Ratelimit-Remaining"] == "1"
        )
        assert first.headers["X-Ratelimit-Reset-After"] == "-0.000000"
        await tkp.get(INFO, shop_id=shop, page=1, per_page=5)
        refused = await tkp.get(INFO, shop_id=shop, page=1, per_page=5)
        assert (
            error(refused) == (429, "TOO_MANY_REQUESTS")
            and float(refused.headers["X-Ratelimit-Reset-After"]) == 0.2
        )
        assert (
            await tkp.get("/v1/shop/fs/{fs}/shop-info", shop_id=shop)
        ).status_code == 200  # another endpoint
        ticks.advance(0.2)
        assert (await tkp.get(INFO, shop_id=shop, page=1, per_page=5)).status_code == 200
    await app.state.sandbox.aclose()


async def test_webhook_register_trigger_and_signature(tkp: Tokopedia, sandbox: TokopediaSandbox) -> None:
    received: list[httpx.Request] = []

    def receiver(request: httpx.Request) -> httpx.Response:
        received.append(request)
        return httpx.Response(200)

    sandbox.pushes.set_transport(httpx.MockTransport(receiver))
    url = "https://partner.example/tkp/status"
    registered = await tkp.post(
        "/v1/fs/{fs}/register", {"fs_id": FS_ID, "order_status_url": url, "webhook_secret": "s3"}
    )
    assert registered.status_code == 200
    assert (await tkp.get("/v1/fs/{fs}")).json()["data"]["order_status_url"] == url
    order = next(o for o in sandbox.orders.orders.values() if o.payment_time)
    trigger = await tkp.post("/v1/fs/{fs}/trigger", {"Type": "order_status", "order_id": order.order_id})
    assert trigger.status_code == 200
    await sandbox.drain_pushes()
    (push,) = received
    assert push.headers["Authorization-Hmac"] == hmac.new(b"s3", push.content, hashlib.sha256).hexdigest()
    payload = (await tkp.get(f"/v1/order/{order.order_id}/fs/{{fs}}/webhook", type="order_status")).json()[
        "data"
    ]
    assert payload["order_id"] == order.order_id and "product_details" in payload
