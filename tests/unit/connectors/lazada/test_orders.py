"""Lazada orders: the status table, an order's status from its items, order mapping, cancel reasons."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from aiostore.connectors.dtos import CancelReason
from aiostore.connectors.errors import InvalidRequest, UnexpectedResponse
from aiostore.connectors.lazada.order_mapping import (
    ORDER_STATUS,
    cancel_reason_id,
    item_ids,
    order,
    order_ref,
    order_status,
    unified_status,
)
from aiostore.domain.market import Currency
from aiostore.domain.money import Money
from aiostore.domain.orders import OrderStatus

# Every status the shared doc (§A5) and GetOrders' status filter name, and what it means to us.
TABLE = {
    "unpaid": OrderStatus.UNPAID,
    "pending": OrderStatus.TO_SHIP,
    "topack": OrderStatus.TO_SHIP,
    "packed": OrderStatus.TO_SHIP,
    "repacked": OrderStatus.TO_SHIP,
    "ready_to_ship": OrderStatus.TO_SHIP,
    "ready_to_ship_pending": OrderStatus.TO_SHIP,
    "toship": OrderStatus.TO_SHIP,
    "shipped": OrderStatus.SHIPPED,
    "lost_by_3pl": OrderStatus.SHIPPED,
    "damaged_by_3pl": OrderStatus.SHIPPED,
    "delivered": OrderStatus.COMPLETED,
    "confirmed": OrderStatus.COMPLETED,
    "canceled": OrderStatus.CANCELLED,
    "returned": OrderStatus.RETURNED,
    "failed": OrderStatus.RETURNED,
    "failed_delivery": OrderStatus.RETURNED,
    "shipped_back_success": OrderStatus.RETURNED,
}


@pytest.mark.parametrize(("platform", "unified"), TABLE.items())
def test_status_table(platform: str, unified: OrderStatus) -> None:
    assert unified_status(platform) is unified and unified_status(platform.upper()) is unified


def test_every_unified_status_is_reachable_and_unknown_is_none() -> None:
    assert set(ORDER_STATUS.values()) == set(OrderStatus)
    assert unified_status("something_new") is None


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        (["pending"], OrderStatus.TO_SHIP),
        (["shipped", "pending"], OrderStatus.TO_SHIP),  # still something to ship
        (["delivered", "canceled"], OrderStatus.COMPLETED),
        (["canceled", "canceled"], OrderStatus.CANCELLED),
        (["returned", "canceled"], OrderStatus.RETURNED),
        (["pending", "mystery"], None),
        ([], None),
    ],
)
def test_order_status_from_item_statuses(statuses: list[str], expected: OrderStatus | None) -> None:
    assert order_status(statuses) is expected


HEADER = {
    "order_id": 300000000082000,
    "statuses": ["pending", "canceled"],
    "price": "1438000.00",
    "shipping_fee": "12000.00",
    "voucher": "10000.00",
    "payment_method": "COD",
    "created_at": "2026-10-26 11:49:52 +0700",
    "updated_at": "2026-10-26 15:27:04 +0700",
    "promised_shipping_times": "2026-10-28 11:49:52 +0700",
    "customer_first_name": "Rina",
    "customer_last_name": "Wijaya",
    "remarks": "Tolong dikirim cepat ya",
    "address_shipping": {
        "first_name": "Rina",
        "last_name": "Wijaya",
        "phone": "+62800",
        "address1": "Jl. Sudirman 1",
        "address3": "Jawa Barat",
        "address4": "Bandung",
        "city": "Bandung",
        "post_code": "40132",
        "country": "Indonesia",
        "addressDistrict": "Coblong",
    },
}
ITEMS = [
    {
        "order_item_id": 1,
        "status": "pending",
        "sku": "LZ-1",
        "shop_sku": "2800000037_ID-13400000109",
        "item_price": "680000.00",
        "voucher_seller": "10000.00",
        "currency": "IDR",
        "name": "Pack",
        "variation": "color_family:Pink",
        "buyer_id": "425942973",
        "payment_time": 1793000465000,
        "package_id": "FP1",
        "shipment_provider": "LEX ID",
        "tracking_code": "LX1",
    },
    {
        "order_item_id": 2,
        "status": "canceled",
        "sku_id": "13400000160",
        "product_id": "2800000054",
        "item_price": "758000.00",
        "currency": "IDR",
        "reason": "Out of stock",
        "cancel_return_initiator": "cancellation-seller",
    },
]


def test_order_with_items() -> None:
    dto = order(HEADER, ITEMS, None)
    assert (dto.order_id, dto.status, dto.platform_status, dto.currency) == (
        "300000000082000",
        OrderStatus.TO_SHIP,
        "pending,canceled",
        "IDR",
    )
    assert dto.total == Money(1440000, Currency.IDR)  # price + shipping - vouchers
    assert dto.created_at == datetime(2026, 10, 26, 4, 49, 52, tzinfo=UTC) and dto.ship_by is not None
    first, second = dto.lines
    assert (first.line_id, first.item_id, first.variant_id, first.quantity) == (
        "1",
        "2800000037",
        "13400000109",
        1,
    )
    assert first.unit_price == Money(670000, Currency.IDR) and first.original_unit_price == Money(
        680000, Currency.IDR
    )
    assert (second.item_id, second.variant_id) == ("2800000054", "13400000160")
    assert dto.cod and dto.buyer.user_id == "425942973" and dto.buyer.username == "Rina Wijaya"
    assert (dto.buyer.address.city, dto.buyer.address.district, dto.buyer.address.postal_code) == (
        "Bandung",
        "Coblong",
        "40132",
    )
    assert dto.packages[0].tracking_number == "LX1" and dto.carrier == "LEX ID"
    assert (dto.cancel_reason, dto.cancelled_by, dto.buyer_note) == (
        "Out of stock",
        "seller",
        "Tolong dikirim cepat ya",
    )
    assert dto.paid_at == datetime.fromtimestamp(1793000465, UTC)


def test_an_order_needs_a_currency_and_items_their_ids() -> None:
    with pytest.raises(UnexpectedResponse):
        order(HEADER, [{**ITEMS[0], "currency": None}], None)
    assert order(HEADER, [], Currency.IDR).platform_status == "pending,canceled"
    with pytest.raises(UnexpectedResponse):
        item_ids({"order_item_id": 9})


def test_order_ref() -> None:
    ref = order_ref(HEADER)
    assert (ref.order_id, ref.status, ref.platform_status) == (
        "300000000082000",
        OrderStatus.TO_SHIP,
        "pending,canceled",
    )
    assert ref.updated_at == datetime(2026, 10, 26, 8, 27, 4, tzinfo=UTC)


def test_cancel_reason_ids() -> None:
    options = [
        {"reason_id": "15", "reason_name": "Out of Stock"},
        {"reason_id": "21", "reason_name": "Customer requested"},
    ]
    assert cancel_reason_id(CancelReason.OUT_OF_STOCK, options) == "15"
    assert cancel_reason_id(CancelReason.CUSTOMER_REQUEST, options) == "21"
    with pytest.raises(InvalidRequest, match="offered: Out of Stock, Customer requested"):
        cancel_reason_id(CancelReason.UNDELIVERABLE_AREA, options)
