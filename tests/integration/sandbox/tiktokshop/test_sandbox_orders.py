"""TikTok Shop sandbox orders (§B4-§B5): search pages, detail, stock held and released, ship, cancel, returns,
pushes signed as TikTok signs them."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import httpx
import pytest

from aiostore.sandbox.common import ManualClock
from aiostore.sandbox.tiktokshop import TikTokShopSandbox
from tests.integration.sandbox.tiktokshop.conftest import APP_KEY, APP_SECRET, TTS, data, error

ORDERS = "/order/202309/orders"
SEARCH = "/order/202309/orders/search"


async def all_pages(tts: TTS, body: dict[str, Any], **params: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    token = ""
    while True:
        page = data(await tts.post(SEARCH, body, **params, **({"page_token": token} if token else {})))
        found += page["orders"]
        token = page["next_page_token"]
        if not token:
            return found


@pytest.mark.parametrize("sort_order", ["ASC", "DESC"])
async def test_search_pages_each_order_once(tts: TTS, sandbox: TikTokShopSandbox, sort_order: str) -> None:
    sandbox.seed(products=10, orders=57)
    found = await all_pages(tts, {}, page_size=10, sort_field="update_time", sort_order=sort_order)
    assert sorted(o["id"] for o in found) == sorted(sandbox.orders.orders)
    times = [o["update_time"] for o in found]
    assert times == sorted(times, reverse=sort_order == "DESC")
    first = data(await tts.post(SEARCH, {}, page_size=10))
    assert first["total_count"] == 57
    awaiting = await all_pages(tts, {"order_status": "AWAITING_SHIPMENT"}, page_size=7)
    assert {o["status"] for o in awaiting} == {"AWAITING_SHIPMENT"}
    assert len(awaiting) == sum(1 for o in sandbox.orders.orders.values() if o.status == "AWAITING_SHIPMENT")


async def test_update_time_window(tts: TTS, sandbox: TikTokShopSandbox, clock: ManualClock) -> None:
    sandbox.seed(products=5, orders=10)
    clock.advance(3600)
    order = sandbox.place_order()
    now = int(clock())
    window = await all_pages(
        tts, {"update_time_ge": now, "update_time_lt": now + 1}, page_size=10, sort_field="update_time"
    )
    assert [o["id"] for o in window] == [order.order_id]
    assert await all_pages(tts, {"update_time_ge": now + 1}, page_size=10, sort_field="update_time") == []


async def test_detail_and_line_items(tts: TTS, sandbox: TikTokShopSandbox) -> None:
    sandbox.seed(products=3, variants_per_product=1)
    product = sandbox.product(min(sandbox.catalog.products))
    sku = next(iter(product.skus.values()))
    sku.quantity = 5
    unpaid = sandbox.place_order([(product.product_id, sku.sku_id, 3)])
    assert (sku.quantity, sku.committed) == (2, 3)  # sold units leave the available stock at once
    (shown,) = data(await tts.get(ORDERS, ids=f"{unpaid.order_id},1"))["orders"]
    assert len(shown["line_items"]) == 3 and {i["sku_id"] for i in shown["line_items"]} == {sku.sku_id}
    assert "recipient_address" not in shown and shown["packages"] == [] and "paid_time" not in shown
    assert (
        shown["payment"]["currency"] == "IDR" and int(shown["payment"]["total_amount"]) == unpaid.total_amount
    )
    sandbox.set_order_status(unpaid.order_id, "AWAITING_SHIPMENT")
    (paid,) = data(await tts.get(ORDERS, ids=unpaid.order_id))["orders"]
    assert paid["packages"] == [{"id": unpaid.package.package_id}] and paid["recipient_address"][
        "name"
    ].count("*")
    sandbox.set_order_status(unpaid.order_id, "IN_TRANSIT")
    assert (sku.quantity, sku.committed) == (2, 0)  # shipped: out of the shop
    with pytest.raises(Exception, match="cannot go"):
        sandbox.set_order_status(unpaid.order_id, "UNPAID")


async def test_ship_and_cancel(tts: TTS, sandbox: TikTokShopSandbox) -> None:
    sandbox.seed(products=3)
    order = sandbox.place_order(status="AWAITING_SHIPMENT")
    package = order.package.package_id
    slots = data(await tts.get(f"/fulfillment/202309/packages/{package}/handover_time_slots"))
    assert slots["can_pickup"] and len(slots["pickup_slots"]) == 3
    slot = slots["pickup_slots"][0]
    wrong = {"handover_method": "PICKUP", "pickup_slot": {"start_time": 1, "end_time": 2}}
    error(await tts.post(f"/fulfillment/202309/packages/{package}/ship", wrong), 200, 21001001)
    body = {
        "handover_method": "PICKUP",
        "pickup_slot": {"start_time": slot["start_time"], "end_time": slot["end_time"]},
    }
    assert data(await tts.post(f"/fulfillment/202309/packages/{package}/ship", body)) == {}
    assert order.status == "AWAITING_COLLECTION" and order.package.tracking_number
    error(await tts.post(f"/fulfillment/202309/packages/{package}/ship", body), 200, 21011003)
    error(await tts.get("/fulfillment/202309/packages/1/handover_time_slots"), 200, 21011001)

    cancel = "/return_refund/202309/cancellations"
    error(
        await tts.post(
            cancel, {"order_id": order.order_id, "cancel_reason": "seller_cancel_reason_out_of_stock"}
        ),
        200,
        25001009,
    )
    unpaid = sandbox.place_order()
    paid_reason = {"order_id": unpaid.order_id, "cancel_reason": "seller_cancel_reason_out_of_stock"}
    error(await tts.post(cancel, paid_reason), 200, 25000001)  # an UNPAID order takes the unpaid reasons
    partial = {
        "order_id": unpaid.order_id,
        "cancel_reason": "seller_cancel_unpaid_reason_out_of_stock",
        "order_line_item_ids": [unpaid.line_items[0].line_id, "x"],
    }
    error(await tts.post(cancel, partial), 200, 25000001)
    before = {(p, s): sandbox.product(p).skus[s].quantity for (p, s) in unpaid.units()}
    done = data(
        await tts.post(
            cancel, {"order_id": unpaid.order_id, "cancel_reason": "seller_cancel_unpaid_reason_out_of_stock"}
        )
    )
    assert done["cancel_status"] == "CANCELLATION_REQUEST_COMPLETE" and unpaid.status == "CANCELLED"
    assert unpaid.cancellation_initiator == "SELLER"
    assert all(
        sandbox.product(p).skus[s].quantity == before[p, s] + n for (p, s), n in unpaid.units().items()
    )
    error(await tts.post(cancel, {"order_id": "1", "cancel_reason": "x"}), 200, 25000004)


async def test_returns_search(tts: TTS, sandbox: TikTokShopSandbox) -> None:
    sandbox.seed(products=3)
    orders = [sandbox.place_order(status="AWAITING_SHIPMENT") for _ in range(3)]
    for order in orders[:2]:
        sandbox.return_order(order.order_id)
    found = data(
        await tts.post(
            "/return_refund/202309/returns/search", {"order_ids": [o.order_id for o in orders]}, page_size=1
        )
    )
    assert found["total_count"] == 2 and len(found["return_orders"]) == 1 and found["next_page_token"]
    entry = found["return_orders"][0]
    assert (entry["return_type"], entry["return_status"]) == (
        "RETURN_AND_REFUND",
        "RETURN_OR_REFUND_REQUEST_COMPLETE",
    )
    assert orders[0].status == "DELIVERED"


async def test_pushes_signed_like_tiktok(sandbox: TikTokShopSandbox, tts: TTS) -> None:
    received: list[httpx.Request] = []

    def receiver(request: httpx.Request) -> httpx.Response:
        received.append(request)
        return httpx.Response(200)

    sandbox.seed(products=3)
    sandbox.app.push_url = "https://receiver.example/tts"
    sandbox.pushes.set_transport(httpx.MockTransport(receiver))
    order = sandbox.place_order()
    data(
        await tts.request(
            "PUT",
            "/event/202309/webhooks",
            {"address": "https://receiver.example/cancel", "event_type": "ORDER_STATUS_CHANGE"},
        )
    )
    listed = data(await tts.get("/event/202309/webhooks"))["webhooks"]
    assert listed == [{"event_type": "ORDER_STATUS_CHANGE", "address": "https://receiver.example/cancel"}]
    sandbox.set_order_status(order.order_id, "CANCELLED")
    await sandbox.drain_pushes()
    assert [str(r.url) for r in received] == [
        "https://receiver.example/tts",
        "https://receiver.example/cancel",
    ]
    for request in received:
        body = request.content
        expected = hmac.new(APP_SECRET.encode(), APP_KEY.encode() + body, hashlib.sha256).hexdigest()
        assert request.headers["authorization"] == expected
        push = json.loads(body)
        assert list(push) == ["type", "tts_notification_id", "shop_id", "timestamp", "data"]
        assert push["type"] == 1 and push["data"]["order_id"] == order.order_id
    assert [json.loads(r.content)["data"]["order_status"] for r in received] == ["UNPAID", "CANCELLED"]
    data(await tts.request("DELETE", "/event/202309/webhooks", {"event_type": "ORDER_STATUS_CHANGE"}))
    assert sandbox.shop().webhooks == {}


async def test_failed_pushes_are_retried(sandbox: TikTokShopSandbox) -> None:
    answers = iter([500, 503, 200])
    seen: list[str] = []

    def flaky(request: httpx.Request) -> httpx.Response:
        seen.append(json.loads(request.content)["tts_notification_id"])
        return httpx.Response(next(answers))

    sandbox.seed(products=2)
    sandbox.app.push_url = "https://receiver.example/tts"
    sandbox.pushes.set_transport(httpx.MockTransport(flaky))
    sandbox.place_order()
    await sandbox.drain_pushes()
    assert len(seen) == 3 and len(set(seen)) == 1  # the same notification, delivered again
    assert [d.ok for d in sandbox.pushes.deliveries] == [False, False, True]
