"""Shopee orders: the status table, order detail mapping, shipping and cancelling bodies."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from aiostore.connectors.dtos import CancelLine, CancelReason, ShipMethod, ShipRequest
from aiostore.connectors.errors import InvalidRequest, Refused
from aiostore.connectors.shopee import order_mapping
from aiostore.domain.market import Currency
from aiostore.domain.money import Money
from aiostore.domain.orders import OrderStatus

DETAIL = {
    "order_sn": "220810QSK8S7BX",
    "region": "ID",
    "currency": "IDR",
    "cod": False,
    "order_status": "READY_TO_SHIP",
    "create_time": 1660000000,
    "update_time": 1660123127,
    "pay_time": 1660000100,
    "ship_by_date": 1660259300,
    "message_to_seller": "please wrap",
    "buyer_user_id": 42,
    "buyer_username": "budi.s",
    "total_amount": 213000.0,
    "recipient_address": {
        "name": "Budi Santoso",
        "phone": "+628123456789",
        "town": "Kebayoran Baru",
        "district": "Kebayoran Baru",
        "city": "Jakarta Selatan",
        "state": "DKI Jakarta",
        "region": "ID",
        "zipcode": "12190",
        "full_address": "Jl. Merdeka No. 1",
    },
    "item_list": [
        {
            "item_id": 800002,
            "item_name": "Batik Shirt",
            "item_sku": "BATIK",
            "model_id": 9001,
            "model_name": "Red,L",
            "model_sku": "B-RED-L",
            "model_quantity_purchased": 2,
            "model_original_price": 110000,
            "model_discounted_price": 99000,
            "order_item_id": 800002,
        }
    ],
    "package_list": [
        {"package_number": "PKG1", "logistics_status": "LOGISTICS_READY", "shipping_carrier": "JNE"}
    ],
}

ALL_A5 = [
    *("UNPAID", "READY_TO_SHIP", "PROCESSED", "RETRY_SHIP", "SHIPPED", "TO_CONFIRM_RECEIVE"),
    *("IN_CANCEL", "CANCELLED", "TO_RETURN", "COMPLETED", "INVOICE_PENDING", "PENDING"),
]


@pytest.mark.parametrize(
    ("platform", "ours"),
    [
        ("UNPAID", OrderStatus.UNPAID),
        ("READY_TO_SHIP", OrderStatus.TO_SHIP),
        ("PROCESSED", OrderStatus.TO_SHIP),
        ("RETRY_SHIP", OrderStatus.TO_SHIP),
        ("SHIPPED", OrderStatus.SHIPPED),
        ("TO_CONFIRM_RECEIVE", OrderStatus.SHIPPED),
        ("COMPLETED", OrderStatus.COMPLETED),
        ("IN_CANCEL", OrderStatus.CANCELLED),
        ("CANCELLED", OrderStatus.CANCELLED),
        ("TO_RETURN", OrderStatus.RETURNED),
    ],
)
def test_status_table(platform: str, ours: OrderStatus) -> None:
    assert order_mapping.unified_status(platform) is ours


def test_every_documented_status_is_mapped_and_unknown_is_none() -> None:
    assert all(order_mapping.unified_status(s) is not None for s in ALL_A5)
    assert order_mapping.unified_status("NEW_STATUS") is None


def test_order_detail() -> None:
    o = order_mapping.order(DETAIL, None)
    assert (o.order_id, o.status, o.platform_status, o.currency) == (
        "220810QSK8S7BX",
        OrderStatus.TO_SHIP,
        "READY_TO_SHIP",
        "IDR",
    )
    assert o.total == Money(213000, Currency.IDR)
    assert o.updated_at == datetime.fromtimestamp(1660123127, UTC)
    assert o.paid_at == datetime.fromtimestamp(1660000100, UTC)
    assert (o.buyer.user_id, o.buyer.username, o.buyer.address.name) == ("42", "budi.s", "Budi Santoso")
    assert (o.buyer.address.phone, o.buyer.address.postal_code, o.buyer.address.city) == (
        "+628123456789",
        "12190",
        "Jakarta Selatan",
    )
    (line,) = o.lines
    assert (line.item_id, line.variant_id, line.seller_sku, line.quantity) == ("800002", "9001", "B-RED-L", 2)
    assert line.unit_price == Money(99000, Currency.IDR)
    assert line.original_unit_price == Money(110000, Currency.IDR)
    assert o.packages[0].package_id == "PKG1"
    assert o.buyer_note == "please wrap"


def test_unknown_order_status_keeps_the_platform_word() -> None:
    o = order_mapping.order({**DETAIL, "order_status": "SOMETHING_NEW"}, None)
    assert o.status is None and o.platform_status == "SOMETHING_NEW"


def test_order_ref() -> None:
    ref = order_mapping.order_ref({"order_sn": "A1", "order_status": "SHIPPED"})
    assert (ref.order_id, ref.status, ref.platform_status) == ("A1", OrderStatus.SHIPPED, "SHIPPED")


PICKUP_PARAMS = {
    "info_needed": {"pickup": ["address_id", "pickup_time_id"]},
    "pickup": {
        "address_list": [{"address_id": 11, "time_slot_list": [{"pickup_time_id": "slot-1", "date": 1}]}]
    },
}


def test_ship_auto_pickup_takes_first_address_and_slot() -> None:
    body = order_mapping.ship_order_body("O1", PICKUP_PARAMS, ShipRequest())
    assert body == {"order_sn": "O1", "pickup": {"address_id": 11, "pickup_time_id": "slot-1"}}


def test_ship_dropoff_sends_empty_object() -> None:
    body = order_mapping.ship_order_body("O1", {"info_needed": {"dropoff": []}}, ShipRequest())
    assert body == {"order_sn": "O1", "dropoff": {}}


def test_ship_self_needs_tracking_number() -> None:
    params = {"info_needed": {"non_integrated": ["tracking_number"]}}
    with pytest.raises(InvalidRequest, match="tracking"):
        order_mapping.ship_order_body("O1", params, ShipRequest(ShipMethod.SELF))
    body = order_mapping.ship_order_body("O1", params, ShipRequest(ShipMethod.SELF, tracking_number="T1"))
    assert body == {"order_sn": "O1", "non_integrated": {"tracking_number": "T1"}}


def test_ship_method_not_offered() -> None:
    with pytest.raises(InvalidRequest, match="not offered"):
        order_mapping.ship_order_body("O1", PICKUP_PARAMS, ShipRequest(ShipMethod.DROPOFF))
    with pytest.raises(Refused):
        order_mapping.ship_order_body("O1", {"info_needed": {}}, ShipRequest())


def test_cancel_body() -> None:
    body = order_mapping.cancel_body("O1", CancelReason.OUT_OF_STOCK, [CancelLine("5", "0")])
    assert body == {
        "order_sn": "O1",
        "cancel_reason": "OUT_OF_STOCK",
        "item_list": [{"item_id": 5, "model_id": 0}],
    }
    assert order_mapping.cancel_body("O1", CancelReason.CUSTOMER_REQUEST, []) == {
        "order_sn": "O1",
        "cancel_reason": "CUSTOMER_REQUEST",
    }
