"""Orders, logistics and pushes of the Shopee sandbox (§A4 order rows, §A5, §A8): cursor pages, optional
fields, ship/cancel rules, stock effects, and signed pushes to a receiver app."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from aiostore.sandbox.common import ManualClock
from aiostore.sandbox.shopee import ShopeeSandbox, ShopeeSandboxConfig
from tests.integration.sandbox.conftest import PARTNER_KEY, SHOP_ID, Shopee

ORDER_LIST = "/api/v2/order/get_order_list"
DETAIL = "/api/v2/order/get_order_detail"
SHIP = "/api/v2/logistics/ship_order"
CANCEL = "/api/v2/order/cancel_order"
PUSH_URL = "https://erp.example/shopee/push"
DAY = 86400


def _seed_one(sandbox: ShopeeSandbox, seed: int = 8) -> tuple[int, int]:
    """One item with one model holding 100 units: (item_id, model_id)."""
    item = sandbox.item(sandbox.seed(products=1, variants_per_product=1, seed=seed).item_ids[0])
    model = next(iter(item.models.values()))
    model.stock = 100
    return item.item_id, model.model_id


async def _all_orders(shopee: Shopee, time_from: int, time_to: int, **extra: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    cursor = ""
    while True:
        params = {
            "time_range_field": "create_time",
            "time_from": time_from,
            "time_to": time_to,
            "page_size": 40,
        }
        page = (await shopee.get(ORDER_LIST, **params, cursor=cursor, **extra)).json()["response"]
        found += page["order_list"]
        if not page["more"]:
            assert page["next_cursor"] == ""
            return found
        cursor = page["next_cursor"]


async def test_order_pages_return_every_order_once(shopee: Shopee, sandbox: ShopeeSandbox) -> None:
    sandbox.seed(products=30, orders=300, seed=11, order_days=14)
    now = sandbox.now()
    listed = await _all_orders(shopee, now - 15 * DAY, now)
    sns = [o["order_sn"] for o in listed]
    assert len(sns) == len(set(sns)) == 300 and "order_status" not in listed[0]
    ready = await _all_orders(
        shopee, now - 15 * DAY, now, order_status="READY_TO_SHIP", response_optional_fields="order_status"
    )
    expected = {o.order_sn for o in sandbox.orders.orders.values() if o.status == "READY_TO_SHIP"}
    assert {o["order_sn"] for o in ready} == expected and {o["order_status"] for o in ready} == {
        "READY_TO_SHIP"
    }


async def test_order_list_window_and_page_limits(shopee: Shopee, sandbox: ShopeeSandbox) -> None:
    now = sandbox.now()
    base = {"time_range_field": "update_time", "page_size": 10}
    too_wide = await shopee.get(ORDER_LIST, **base, time_from=now - 15 * DAY - 1, time_to=now)
    assert too_wide.status_code == 400 and too_wide.json() | {"request_id": ""} == {
        "request_id": "",
        "error": "order.order_list_invalid_time",
        "message": "Start time must be earlier than end time and diff in 15days.",
    }
    inverted = await shopee.get(ORDER_LIST, **base, time_from=now, time_to=now - 1)
    assert inverted.json()["error"] == "order.order_list_invalid_time"
    over = await shopee.get(
        ORDER_LIST, time_range_field="update_time", time_from=now - DAY, time_to=now, page_size=101
    )
    assert over.json()["error"] == "error_param"
    exact = await shopee.get(ORDER_LIST, **base, time_from=now - 15 * DAY, time_to=now)
    assert exact.status_code == 200


async def test_order_detail_gates_optional_fields(shopee: Shopee, sandbox: ShopeeSandbox) -> None:
    item_id, model_id = _seed_one(sandbox, 2)
    unpaid = sandbox.place_order([(item_id, model_id, 1)])
    paid = sandbox.place_order([(item_id, model_id, 1)], status="READY_TO_SHIP")
    plain = (await shopee.get(DETAIL, order_sn_list=unpaid.order_sn)).json()
    order = plain["response"]["order_list"][0]
    assert order["order_status"] == "UNPAID" and order["currency"] == "IDR"
    assert "item_list" not in order and "recipient_address" not in order and plain["warning"] == []
    fields = "item_list,recipient_address,buyer_username,total_amount,pay_time,package_list,cancel_reason"
    both = await shopee.get(
        DETAIL, order_sn_list=f"{unpaid.order_sn},{paid.order_sn}", response_optional_fields=fields
    )
    first, second = both.json()["response"]["order_list"]
    assert "total_amount" not in first and "pay_time" not in first
    assert second["total_amount"] == paid.total_amount and second["pay_time"] == sandbox.now()
    assert second["recipient_address"]["name"] == paid.buyer.name and second["recipient_address"]["phone"]
    assert second["item_list"][0]["model_id"] == model_id and second["buyer_username"] == paid.buyer.username
    assert second["package_list"][0]["logistics_status"] == "LOGISTICS_READY"
    missing = await shopee.get(DETAIL, order_sn_list=f"{paid.order_sn},NOPE")
    assert missing.status_code == 404 and missing.json()["error"] == "error_not_found"


async def test_completed_orders_mask_recipient(shopee: Shopee, sandbox: ShopeeSandbox) -> None:
    order = sandbox.place_order([(*_seed_one(sandbox, 3), 1)], status="READY_TO_SHIP")
    for _ in range(4):
        sandbox.advance_order(order.order_sn)
    assert order.status == "COMPLETED"
    detail = (
        await shopee.get(DETAIL, order_sn_list=order.order_sn, response_optional_fields="recipient_address")
    ).json()
    assert "******" in detail["response"]["order_list"][0]["recipient_address"]["name"]


async def test_ship_order_rules_and_stock(shopee: Shopee, sandbox: ShopeeSandbox) -> None:
    item = sandbox.item(sandbox.seed(products=1, variants_per_product=2, seed=4).item_ids[0])
    model = next(iter(item.models.values()))
    model.stock, model.reserved = 10, 0
    order = sandbox.place_order([(item.item_id, model.model_id, 3)])
    assert (model.stock, model.reserved) == (10, 3)
    early = await shopee.post(SHIP, {"order_sn": order.order_sn, "dropoff": {}})
    assert early.status_code == 400 and early.json()["error"] == "error_param"
    sandbox.set_order_status(order.order_sn, "READY_TO_SHIP")
    params = (await shopee.get("/api/v2/logistics/get_shipping_parameter", order_sn=order.order_sn)).json()
    address = params["response"]["pickup"]["address_list"][0]
    pickup = {
        "address_id": address["address_id"],
        "pickup_time_id": address["time_slot_list"][0]["pickup_time_id"],
    }
    both = await shopee.post(SHIP, {"order_sn": order.order_sn, "pickup": pickup, "dropoff": {}})
    assert both.json()["error"] == "error_param"
    empty_package = await shopee.post(
        SHIP, {"order_sn": order.order_sn, "package_number": "", "pickup": pickup}
    )
    assert empty_package.json()["error"] == "error_param"
    shipped = await shopee.post(SHIP, {"order_sn": order.order_sn, "pickup": pickup})
    assert shipped.status_code == 200 and shipped.json()["error"] == "" and "response" not in shipped.json()
    assert order.status == "PROCESSED" and order.package.logistics_status == "LOGISTICS_REQUEST_CREATED"
    assert order.package.tracking_number and (model.stock, model.reserved) == (7, 0)
    again = await shopee.post(SHIP, {"order_sn": order.order_sn, "pickup": pickup})
    assert again.json() | {"request_id": ""} == {
        "request_id": "",
        "error": "logistics.package_already_shipped",
        "message": "This parcel has already been shipped",
    }


async def test_cancel_order_rules_and_stock(shopee: Shopee, sandbox: ShopeeSandbox) -> None:
    item = sandbox.item(sandbox.seed(products=1, variants_per_product=2, seed=5).item_ids[0])
    model = next(iter(item.models.values()))
    model.stock, model.reserved = 5, 0
    order = sandbox.place_order([(item.item_id, model.model_id, 2)])
    no_items = await shopee.post(CANCEL, {"order_sn": order.order_sn, "cancel_reason": "OUT_OF_STOCK"})
    assert no_items.json()["error"] == "error_param" and model.reserved == 2
    wrong_area = await shopee.post(
        CANCEL, {"order_sn": order.order_sn, "cancel_reason": "UNDELIVERABLE_AREA"}
    )
    assert wrong_area.json()["error"] == "error_param"
    body = {
        "order_sn": order.order_sn,
        "cancel_reason": "OUT_OF_STOCK",
        "item_list": [{"item_id": item.item_id, "model_id": model.model_id}],
    }
    cancelled = (await shopee.post(CANCEL, body)).json()
    assert cancelled["response"]["update_time"] == order.update_time
    assert (order.status, order.cancel_by, model.reserved, model.stock) == ("CANCELLED", "seller", 0, 5)
    assert (await shopee.post(CANCEL, body)).json()["error"] == "error_param"


async def test_place_order_refuses_missing_stock(sandbox: ShopeeSandbox) -> None:
    item = sandbox.item(sandbox.seed(products=1, variants_per_product=1, seed=6).item_ids[0])
    model = next(iter(item.models.values()))
    model.stock = 1
    with pytest.raises(Exception, match="not enough stock"):
        sandbox.place_order([(item.item_id, model.model_id, 2)])


class Receiver:
    """A tiny push receiver: records raw bodies and headers, answers with `status` and an empty body."""

    def __init__(self) -> None:
        self.pushes: list[tuple[bytes, dict[str, str]]] = []
        self.status = 200

    def app(self) -> Starlette:
        async def receive(request: Request) -> Response:
            self.pushes.append((await request.body(), dict(request.headers)))
            return Response(status_code=self.status)

        return Starlette(routes=[Route("/shopee/push", receive, methods=["POST"])])


@pytest.fixture
def receiver(config: ShopeeSandboxConfig) -> Receiver:
    """Points the sandbox's pushes at a Receiver; list it before the fixtures that build the app."""
    receiver = Receiver()
    config.push_url = PUSH_URL
    config.push_transport = httpx.ASGITransport(app=receiver.app())
    return receiver


async def test_placed_order_sends_a_signed_push(
    receiver: Receiver, sandbox: ShopeeSandbox, clock: ManualClock
) -> None:
    order = sandbox.place_order([(*_seed_one(sandbox), 1)])
    clock.advance(5)
    sandbox.set_order_status(order.order_sn, "READY_TO_SHIP")
    await sandbox.drain_pushes()
    assert len(receiver.pushes) == 2
    body, headers = receiver.pushes[1]
    expected = hmac.new(PARTNER_KEY.encode(), PUSH_URL.encode() + b"|" + body, hashlib.sha256).hexdigest()
    assert headers["authorization"] == expected
    payload = json.loads(body)
    assert payload["code"] == 3 and payload["shop_id"] == SHOP_ID and payload["timestamp"] == sandbox.now()
    assert payload["data"] == {
        "items": [],
        "ordersn": order.order_sn,
        "status": "READY_TO_SHIP",
        "completed_scenario": "",
        "update_time": order.update_time,
    }
    assert json.loads(receiver.pushes[0][0])["data"]["status"] == "UNPAID"


async def test_duplicate_and_out_of_order_pushes(receiver: Receiver, sandbox: ShopeeSandbox) -> None:
    line = (*_seed_one(sandbox), 1)
    sandbox.set_faults({"push_duplicate_rate": 1.0})
    first = sandbox.place_order([line])
    await sandbox.drain_pushes()
    assert [json.loads(b)["data"]["ordersn"] for b, _ in receiver.pushes] == [first.order_sn] * 2
    receiver.pushes.clear()
    sandbox.set_faults({"push_reorder_rate": 1.0})
    a, b = sandbox.place_order([line]), sandbox.place_order([line])
    await sandbox.drain_pushes()
    assert [json.loads(body)["data"]["ordersn"] for body, _ in receiver.pushes] == [b.order_sn, a.order_sn]


async def test_failed_pushes_become_lost_pushes(
    receiver: Receiver, sandbox: ShopeeSandbox, shopee: Shopee
) -> None:
    receiver.status = 500
    order = sandbox.place_order([(*_seed_one(sandbox), 1)])
    await sandbox.drain_pushes()
    assert len(receiver.pushes) == sandbox.config.push_max_attempts
    lost = (await shopee.get("/api/v2/push/get_lost_push_message", shop=False)).json()["response"]
    assert lost["has_next_page"] is False and len(lost["push_message_list"]) == 1
    message = lost["push_message_list"][0]
    assert message["code"] == 3 and json.loads(message["data"])["data"]["ordersn"] == order.order_sn
    confirm = {"last_message_id": lost["last_message_id"]}
    assert (
        await shopee.post("/api/v2/push/confirm_consumed_lost_push_message", confirm, shop=False)
    ).status_code == 200
    after = (await shopee.get("/api/v2/push/get_lost_push_message", shop=False)).json()["response"]
    assert after["push_message_list"] == []
