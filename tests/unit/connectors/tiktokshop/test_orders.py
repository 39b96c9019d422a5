"""TikTok Shop orders: the status table, line items folded per SKU, returns, ship and cancel choices."""

from __future__ import annotations

from typing import Any

import pytest

from aiostore.connectors.dtos import CancelReason, ShipMethod, ShipRequest
from aiostore.connectors.errors import InvalidRequest, Refused, UnexpectedResponse
from aiostore.connectors.tiktokshop import order_mapping
from aiostore.domain.market import Currency
from aiostore.domain.money import Money
from aiostore.domain.orders import OrderStatus


@pytest.mark.parametrize(
    ("platform_status", "unified"),
    [
        ("UNPAID", OrderStatus.UNPAID),
        ("ON_HOLD", OrderStatus.TO_SHIP),
        ("AWAITING_SHIPMENT", OrderStatus.TO_SHIP),
        ("AWAITING_COLLECTION", OrderStatus.TO_SHIP),
        ("PARTIALLY_SHIPPING", OrderStatus.SHIPPED),
        ("IN_TRANSIT", OrderStatus.SHIPPED),
        ("DELIVERED", OrderStatus.SHIPPED),
        ("COMPLETED", OrderStatus.COMPLETED),
        ("CANCELLED", OrderStatus.CANCELLED),
        ("SOMETHING_NEW", None),
    ],
)
def test_status_table(platform_status: str, unified: OrderStatus | None) -> None:
    assert order_mapping.unified_status(platform_status) is unified
    dto = order_mapping.order({**ORDER, "status": platform_status}, Currency.MYR)
    assert (dto.status, dto.platform_status) == (unified, platform_status)


def item(n: int, sku: str, sale: str = "10.00") -> dict[str, Any]:
    return {
        "id": f"L{n}",
        "product_id": "P1",
        "sku_id": sku,
        "seller_sku": f"S-{sku}",
        "product_name": "Mug",
        "sku_name": "Red",
        "original_price": "12.00",
        "sale_price": sale,
        "currency": "MYR",
        "package_id": "PK1",
        "package_status": "TO_FULFILL",
    }


ORDER: dict[str, Any] = {
    "id": "576684019603311365",
    "status": "AWAITING_SHIPMENT",
    "create_time": 1700000000,
    "update_time": 1700000500,
    "paid_time": 1700000100,
    "rts_sla_time": 1700259300,
    "user_id": "7000",
    "buyer_email": "v1@scs2.tiktok.com",
    "buyer_message": "Gift wrap please",
    "is_cod": True,
    "payment": {"currency": "MYR", "total_amount": "39.90", "sub_total": "34.00"},
    "recipient_address": {
        "name": "A***n",
        "phone_number": "+60123****78",
        "full_address": "Jalan Ampang 1",
        "postal_code": "59100",
        "region_code": "MY",
        "district_info": [
            {"address_level": "L1", "address_name": "Selangor"},
            {"address_level": "L2", "address_name": "Shah Alam"},
            {"address_level": "L3", "address_name": "Petaling"},
        ],
    },
    "line_items": [item(1, "A"), item(2, "A"), item(3, "B", "14.00"), item(4, "A", "8.00")],
    "packages": [{"id": "PK1"}],
    "shipping_provider": "J&T Express",
    "shipping_provider_id": "7047405431466018565",
    "tracking_number": "",
    "cancellation_initiator": "",
}


def test_order_folds_one_line_item_per_unit() -> None:
    dto = order_mapping.order(ORDER, None)
    assert [(x.variant_id, x.quantity, x.unit_price) for x in dto.lines] == [
        ("A", 2, Money(1000, Currency.MYR)),
        ("B", 1, Money(1400, Currency.MYR)),
        ("A", 1, Money(800, Currency.MYR)),  # the same SKU at another price is its own line
    ]
    assert dto.lines[0].line_id == "L1" and dto.lines[0].original_unit_price == Money(1200, Currency.MYR)
    assert (dto.total, dto.currency, dto.cod) == (Money(3990, Currency.MYR), "MYR", True)
    address = dto.buyer.address
    assert (address.state, address.city, address.district, address.country) == (
        "Selangor",
        "Shah Alam",
        "Petaling",
        "MY",
    )
    assert dto.packages[0].package_id == "PK1" and dto.packages[0].logistics_status == "TO_FULFILL"
    assert dto.buyer_note == "Gift wrap please" and dto.paid_at is not None and dto.ship_by is not None


def test_a_quantity_field_is_honoured() -> None:
    dto = order_mapping.order({**ORDER, "line_items": [{**item(1, "A"), "quantity": 3}]}, None)
    assert dto.lines[0].quantity == 3


def test_returns_make_an_order_returned() -> None:
    done = {"return_status": "RETURN_OR_REFUND_REQUEST_COMPLETE", "return_type": "RETURN_AND_REFUND"}
    delivered = {**ORDER, "status": "DELIVERED"}
    dto = order_mapping.order(delivered, None, [done])
    assert (dto.status, dto.platform_status) == (OrderStatus.RETURNED, "RETURN_OR_REFUND_REQUEST_COMPLETE")
    pending = {**done, "return_status": "AWAITING_BUYER_SHIP"}
    refund_only = {**done, "return_type": "REFUND"}
    assert order_mapping.order(delivered, None, [pending, refund_only]).status is OrderStatus.SHIPPED


def test_unreadable_orders() -> None:
    with pytest.raises(UnexpectedResponse):
        order_mapping.order({"status": "UNPAID"}, None)
    with pytest.raises(UnexpectedResponse):
        order_mapping.order({**ORDER, "line_items": [{"id": "1"}]}, None)
    with pytest.raises(UnexpectedResponse):
        order_mapping.order({**ORDER, "payment": {}}, None)  # no currency anywhere


SLOTS = {
    "can_pickup": True,
    "can_drop_off": True,
    "pickup_slots": [
        {"start_time": 10, "end_time": 20, "avaliable": False},
        {"start_time": 30, "end_time": 40},
    ],
}


def test_ship_body() -> None:
    assert order_mapping.ship_body("o", ORDER, SLOTS, ShipRequest()) == {
        "handover_method": "PICKUP",
        "pickup_slot": {"start_time": 30, "end_time": 40},
    }
    assert order_mapping.ship_body("o", ORDER, {**SLOTS, "can_pickup": False}, ShipRequest()) == {
        "handover_method": "DROP_OFF"
    }
    assert order_mapping.ship_body("o", ORDER, SLOTS, ShipRequest(ShipMethod.PICKUP, pickup_slot_id="30"))[
        "pickup_slot"
    ] == {"start_time": 30, "end_time": 40}
    own = order_mapping.ship_body("o", ORDER, None, ShipRequest(ShipMethod.SELF, tracking_number="TRK1"))
    assert own == {
        "self_shipment": {"tracking_number": "TRK1", "shipping_provider_id": "7047405431466018565"}
    }
    with pytest.raises(InvalidRequest):
        order_mapping.ship_body("o", ORDER, SLOTS, ShipRequest(ShipMethod.PICKUP, pickup_slot_id="10"))
    with pytest.raises(InvalidRequest):
        order_mapping.ship_body("o", ORDER, None, ShipRequest(ShipMethod.SELF))
    with pytest.raises(Refused):
        order_mapping.ship_body("o", ORDER, {"can_pickup": False, "can_drop_off": False}, ShipRequest())


@pytest.mark.parametrize(
    ("status", "reason", "code"),
    [
        ("UNPAID", CancelReason.OUT_OF_STOCK, "seller_cancel_unpaid_reason_out_of_stock"),
        ("UNPAID", CancelReason.CUSTOMER_REQUEST, "seller_cancel_unpaid_reason_buyer_requested_cancellation"),
        ("AWAITING_SHIPMENT", CancelReason.OUT_OF_STOCK, "seller_cancel_reason_out_of_stock"),
        ("ON_HOLD", CancelReason.UNDELIVERABLE_AREA, "seller_cancel_paid_reason_address_not_deliver"),
        (
            "AWAITING_SHIPMENT",
            CancelReason.CUSTOMER_REQUEST,
            "seller_cancel_paid_reason_buyer_requested_cancellation",
        ),
    ],
)
def test_cancel_reasons(status: str, reason: CancelReason, code: str) -> None:
    assert order_mapping.cancel_reason("o", status, reason) == code


def test_cancel_refusals() -> None:
    with pytest.raises(InvalidRequest):
        order_mapping.cancel_reason("o", "UNPAID", CancelReason.UNDELIVERABLE_AREA)
    with pytest.raises(InvalidRequest):
        order_mapping.cancel_reason("o", "AWAITING_SHIPMENT", CancelReason.COD_NOT_SUPPORTED)
    with pytest.raises(Refused):
        order_mapping.cancel_reason("o", "IN_TRANSIT", CancelReason.OUT_OF_STOCK)
