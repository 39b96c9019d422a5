"""Orders, stock and pushes in the Lazada sandbox (lazada-tokopedia.md §A4, §A5, §A8; the inventory
calculation guide): list pages, the stock each item holds as it moves, fulfilment, cancelling, partial
price/quantity failures, product payloads, pushes and the control API."""

from __future__ import annotations

import hashlib
import hmac
import json

import httpx
import pytest

from aiostore.sandbox.common import ManualClock
from aiostore.sandbox.lazada import LazadaSandbox
from tests.integration.sandbox.lazada.conftest import APP_KEY, APP_SECRET, SELLER_ID, Lazada

SINCE = "2023-01-01T00:00:00+07:00"


async def test_orders_get_pages_and_sorts(lazada: Lazada, sandbox: LazadaSandbox) -> None:
    asc = (
        await lazada.get(
            "/orders/get", update_after=SINCE, sort_by="updated_at", sort_direction="ASC", limit=7
        )
    ).json()["data"]
    assert (asc["count"], asc["countTotal"]) == (7, 20)
    times = [o["updated_at"] for o in asc["orders"]]
    assert times == sorted(times) and all(o["price"].count(".") == 1 for o in asc["orders"])
    desc = (await lazada.get("/orders/get", created_after=SINCE, offset=14, limit=7)).json()["data"]
    assert desc["count"] == 6 and [o["created_at"] for o in desc["orders"]] == sorted(
        (o["created_at"] for o in desc["orders"]), reverse=True
    )
    pending = (await lazada.get("/orders/get", update_after=SINCE, status="pending")).json()["data"]
    assert all("pending" in o["statuses"] for o in pending["orders"])
    assert pending["countTotal"] == sum(1 for o in sandbox.orders.orders.values() if "pending" in o.statuses)


async def test_order_items_for_many_orders(lazada: Lazada, sandbox: LazadaSandbox) -> None:
    ids = sorted(sandbox.orders.orders)[:3]
    data = (await lazada.get("/orders/items/get", order_ids=json.dumps(ids))).json()["data"]
    assert [d["order_id"] for d in data] == ids
    item = data[0]["order_items"][0]
    assert {
        "order_item_id",
        "status",
        "sku",
        "shop_sku",
        "sku_id",
        "item_price",
        "paid_price",
        "currency",
    } <= set(item)
    assert item["currency"] == "IDR" and item["shop_sku"].endswith(f"-{item['sku_id']}")
    assert (await lazada.get("/orders/items/get", order_ids=json.dumps([*ids, 42]))).json()["code"] == "37"


async def test_stock_follows_each_order_item(lazada: Lazada, sandbox: LazadaSandbox) -> None:
    product = next(iter(sandbox.catalog.products.values()))
    sku = next(iter(product.skus.values()))
    sku.quantity, sku.withhold, sku.occupy = 10, 0, 0
    order = sandbox.place_order([(product.item_id, sku.sku_id, 3)])
    assert len(order.items) == 3 and (sku.withhold, sku.occupy, sku.sellable) == (3, 0, 7)
    sandbox.set_order_status(order.order_id, "pending")
    assert (sku.withhold, sku.occupy, sku.quantity) == (0, 3, 10)
    items = [
        i["order_item_id"]
        for i in (await lazada.get("/order/items/get", order_id=order.order_id)).json()["data"]
    ]
    pack = {
        "pack_order_list": [{"order_id": order.order_id, "order_item_list": items[:2]}],
        "delivery_type": "dropship",
        "shipping_allocate_type": "TFS",
    }
    packed = (await lazada.post("/order/fulfill/pack", packReq=json.dumps(pack))).json()["result"]
    results = packed["data"]["pack_order_list"][0]["order_item_list"]
    assert packed["success"] and [r["item_err_code"] for r in results] == ["0", "0"]
    package = results[0]["package_id"]
    rts = (
        await lazada.post(
            "/order/package/rts", readyToShipReq=json.dumps({"packages": [{"package_id": package}]})
        )
    ).json()
    assert rts["result"]["data"]["packages"][0]["item_err_code"] == "0"
    assert (sku.occupy, sku.quantity, sku.sellable) == (1, 8, 7)  # two left the warehouse
    again = (
        await lazada.post(
            "/order/package/rts", readyToShipReq=json.dumps({"packages": [{"package_id": package}]})
        )
    ).json()
    assert again["result"]["data"]["packages"][0]["item_err_code"] == "700000"
    repack = (await lazada.post("/order/fulfill/pack", packReq=json.dumps(pack))).json()["result"]["data"]
    assert {r["item_err_code"] for r in repack["pack_order_list"][0]["order_item_list"]} == {"700026"}

    check = (
        await lazada.get(
            "/order/reverse/cancel/validate",
            order_id=order.order_id,
            order_item_id_list=json.dumps(items[2:]),
        )
    ).json()["data"]
    assert (
        check["tip_type"] == "warn"
        and {"reason_id": "10000015", "reason_name": "Out of stock"} in check["reason_options"]
    )
    done = await lazada.post(
        "/order/reverse/cancel/create",
        order_id=order.order_id,
        order_item_id_list=json.dumps(items[2:]),
        reason_id="10000015",
    )
    assert done.json()["code"] == "0" and (sku.occupy, sku.sellable) == (0, 8)
    late = (
        await lazada.get(
            "/order/reverse/cancel/validate",
            order_id=order.order_id,
            order_item_id_list=json.dumps(items[:1]),
        )
    ).json()["data"]
    assert late["tip_type"] == "error" and late["reason_options"] == []
    refused = await lazada.post(
        "/order/reverse/cancel/create",
        order_id=order.order_id,
        order_item_id_list=json.dumps(items[:1]),
        reason_id="10000015",
    )
    assert refused.json()["code"] == "123"
    sandbox.set_order_status(order.order_id, "canceled", force=True)  # a later cancellation gives units back
    assert (sku.quantity, sku.reserved) == (10, 0)


async def test_price_quantity_partial_failure(lazada: Lazada, sandbox: LazadaSandbox) -> None:
    (first, second) = list(sandbox.catalog.products.values())[:2]
    a, b = next(iter(first.skus.values())), next(iter(second.skus.values()))
    b.occupy, b.special_price = 4, 0
    xml = (
        "<Request><Product><Skus>"
        f"<Sku><ItemId>{first.item_id}</ItemId><SkuId>{a.sku_id}</SkuId><Quantity>33</Quantity><Price></Price></Sku>"
        f"<Sku><SellerSku>{b.seller_sku}</SellerSku><Quantity>3</Quantity></Sku>"
        "<Sku><ItemId>1</ItemId><SkuId>2</SkuId><Quantity>1</Quantity></Sku>"
        f"<Sku><SellerSku>{b.seller_sku}</SellerSku><Price>12.5</Price></Sku>"
        "</Skus></Product></Request>"
    )
    answer = (await lazada.post("/product/price_quantity/update", payload=xml)).json()
    assert (answer["code"], answer["message"]) == ("501", "Update product failed")
    assert [d["message"].split()[0] for d in answer["detail"]] == [
        "Quantity",
        "ItemId",
        "BIZ_CHECK_PRICE_PRECISION_INVALID:",
    ]
    assert a.quantity == 33 and b.quantity != 3  # the good SKU was applied, the refused ones not


async def test_product_payloads_xml_and_json(lazada: Lazada, sandbox: LazadaSandbox) -> None:
    for name in ["https://i/x.jpg", "https://i/y.jpg"]:
        sandbox.images.issue(name)  # as if uploaded
    created = (
        await lazada.post(
            "/product/create",
            payload=json.dumps(
                {
                    "Request": {
                        "Product": {
                            "PrimaryCategory": "10002019",
                            "Images": {"Image": ["https://i/x.jpg"]},
                            "Attributes": {"name": "J"},
                            "Skus": {"Sku": [{"SellerSku": "J-1", "price": "15000", "quantity": "4"}]},
                        }
                    }
                }
            ),
        )
    ).json()
    assert created["code"] == "0" and created["data"]["sku_list"][0]["seller_sku"] == "J-1"
    duplicate = "<Request><Product><PrimaryCategory>8707</PrimaryCategory><Images><Image>https://i/y.jpg</Image></Images><Attributes><name>K</name></Attributes><Skus><Sku><SellerSku>J-1</SellerSku><price>1</price></Sku></Skus></Product></Request>"
    assert (await lazada.post("/product/create", payload=duplicate)).json()["code"] == "4105"
    cents = duplicate.replace("J-1", "K-1").replace("<price>1</price>", "<price>1.5</price>")
    assert (await lazada.post("/product/create", payload=cents)).json()["code"] == "4104"  # IDR is whole
    item = (await lazada.get("/product/item/get", seller_sku="J-1")).json()["data"]
    assert item["skus"][0]["price"] == 15000.0 and item["skus"][0]["quantity"] == 4
    assert (await lazada.get("/product/item/get", item_id=1)).json()["code"] == "4137"


async def test_pushes_are_signed_as_lazada_signs_them(sandbox: LazadaSandbox, clock: ManualClock) -> None:
    received: list[httpx.Request] = []

    def receiver(request: httpx.Request) -> httpx.Response:
        received.append(request)
        return httpx.Response(200 if len(received) > 1 else 503)  # the first delivery fails once

    sandbox.app().push_url = "https://app.example/push"
    sandbox.pushes.set_transport(httpx.MockTransport(receiver))
    order = sandbox.place_order(paid=True)
    await sandbox.drain_pushes()
    assert len(received) == 2 and received[0].content == received[1].content
    body = received[1].content
    expected = hmac.new(APP_SECRET.encode(), APP_KEY.encode() + body, hashlib.sha256).hexdigest()
    assert received[1].headers["authorization"] == expected
    push = json.loads(body)
    assert list(push) == ["seller_id", "message_type", "data", "timestamp", "site"]
    assert (push["seller_id"], push["message_type"], push["site"], push["timestamp"]) == (
        SELLER_ID,
        0,
        "lazada_id",
        int(clock() * 1000),
    )
    assert push["data"]["trade_order_id"] == str(order.order_id) and push["data"]["order_status"] == "pending"


@pytest.mark.parametrize("paid", [False, True])
async def test_control_api_orders(http: httpx.AsyncClient, sandbox: LazadaSandbox, paid: bool) -> None:
    product = next(
        p for p in sandbox.catalog.products.values() if all(s.sellable > 2 for s in p.skus.values())
    )
    sku = next(iter(product.skus.values()))
    placed = (
        await http.post(
            "http://s/_sandbox/orders",
            json={"lines": [{"item_id": product.item_id, "sku_id": sku.sku_id, "quantity": 2}], "paid": paid},
        )
    ).json()
    (order,) = placed["orders"]
    assert order["statuses"] == ["pending" if paid else "unpaid"] and len(order["items"]) == 2
    advanced = (await http.post(f"http://s/_sandbox/orders/{order['order_id']}/advance")).json()
    assert advanced["statuses"] == ["packed" if paid else "pending"]
    forced = (
        await http.post(
            f"http://s/_sandbox/orders/{order['order_id']}/status",
            json={"status": "delivered", "force": True},
        )
    ).json()
    assert forced["statuses"] == ["delivered"] and {i["stock_state"] for i in forced["items"]} == {"deducted"}
    refused = await http.post(
        f"http://s/_sandbox/orders/{order['order_id']}/status", json={"status": "unpaid"}
    )
    assert refused.status_code == 409
    state = (await http.get("http://s/_sandbox/state")).json()
    assert state["sellers"][0]["orders"] == 21 and state["sellers"][0]["currency"] == "IDR"
    seeded = (await http.post("http://s/_sandbox/seed", json={"products": 2, "orders": 1})).json()
    assert len(seeded["item_ids"]) == 2 and len(seeded["order_ids"]) == 1
    assert (await http.get(f"http://s/_sandbox/products/{product.item_id}")).json()["skus"][0][
        "sku_id"
    ] == sku.sku_id
    assert (
        await http.post("http://s/_sandbox/sellers", json={"seller_id": "9", "country": "TH"})
    ).status_code == 422
