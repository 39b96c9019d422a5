"""Tokopedia orders: the status table, times, the single-order detail, reject (NACK) bodies."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from aiostore.connectors.dtos import CancelLine, CancelReason
from aiostore.connectors.errors import UnexpectedResponse
from aiostore.connectors.tokopedia import order_mapping
from aiostore.domain.market import Currency
from aiostore.domain.money import Money
from aiostore.domain.orders import OrderStatus

# Every documented code (lazada-tokopedia.md §B5) and where it lands.
DOCUMENTED = {
    0: OrderStatus.CANCELLED, 3: OrderStatus.CANCELLED, 5: OrderStatus.CANCELLED, 6: OrderStatus.CANCELLED,
    10: OrderStatus.CANCELLED, 15: OrderStatus.CANCELLED, 100: OrderStatus.UNPAID, 103: OrderStatus.UNPAID,
    220: OrderStatus.TO_SHIP, 221: OrderStatus.TO_SHIP, 400: OrderStatus.TO_SHIP, 450: OrderStatus.TO_SHIP,
    500: OrderStatus.SHIPPED, 501: OrderStatus.SHIPPED, 520: OrderStatus.SHIPPED, 530: OrderStatus.SHIPPED,
    540: OrderStatus.SHIPPED, 550: OrderStatus.RETURNED, 600: OrderStatus.SHIPPED, 601: OrderStatus.SHIPPED,
    690: OrderStatus.UNPAID, 700: OrderStatus.COMPLETED,
}  # fmt: skip


@pytest.mark.parametrize(("code", "status"), DOCUMENTED.items())
def test_every_documented_status_is_mapped(code: int, status: OrderStatus) -> None:
    assert order_mapping.unified_status(code) is status
    assert order_mapping.unified_status(str(code)) is status


def test_unknown_statuses_are_none() -> None:
    assert order_mapping.unified_status(999) is None and order_mapping.unified_status("x") is None


def test_order_ref_keeps_the_platform_code() -> None:
    ref = order_mapping.order_ref({"order_id": 43481289, "order_status": 450})
    assert (ref.order_id, ref.status, ref.platform_status, ref.updated_at) == (
        "43481289",
        OrderStatus.TO_SHIP,
        "450",
        None,
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2021-02-23T03:54:25Z", datetime(2021, 2, 23, 3, 54, 25, tzinfo=UTC)),
        ("2021-02-23T10:54:25.123456+07:00", datetime(2021, 2, 23, 3, 54, 25, 123456, tzinfo=UTC)),
        ("2021-09-05 07:00:00", datetime(2021, 9, 5, 0, 0, tzinfo=UTC)),  # naive: Jakarta time
        (1578636000, datetime(2020, 1, 10, 6, 0, tzinfo=UTC)),
        ("0001-01-01T00:00:00Z", None),
        ("", None),
    ],
)
def test_times(value: Any, expected: datetime | None) -> None:
    assert order_mapping.parse_time(value) == expected


def test_bad_time() -> None:
    with pytest.raises(UnexpectedResponse):
        order_mapping.parse_time("yesterday")


DETAIL = {
    "order_id": 166570846,
    "buyer_id": 8969025,
    "order_status": 10,
    "open_amt": 115000,
    "comment": "cepat ya",
    "buyer_info": {
        "buyer_id": 8969025,
        "buyer_fullname": "Budi",
        "buyer_email": "b@x",
        "buyer_phone": "62812",
    },
    "order_info": {
        "order_detail": [
            {
                "order_detail_id": 9,
                "product_id": 15,
                "product_name": "Kaos - Hitam, M",
                "quantity": 2,
                "product_price": 50000,
                "normal_price": 55000,
                "sku": "K-HM",
            }
        ],
        "order_history": [{"hist_status_code": 10, "message": "Stok habis", "action_by": "seller"}],
        "shipping_info": {"logistic_name": "JNE", "awb": ""},
        "destination": {
            "receiver_name": "Budi",
            "receiver_phone": "62812",
            "address_street": "Jl. Merdeka 1",
            "address_district": "Gubeng",
            "address_city": "Surabaya",
            "address_province": "Jawa Timur",
            "address_postal": "60281",
        },
    },
    "payment_info": {"payment_date": "2021-02-23T03:55:00Z"},
    "shipment_fulfillment": {"confirm_shipping_deadline": "2021-02-26T03:55:00Z"},
    "create_time": "2021-02-23T03:54:25Z",
    "update_time": "2021-02-23T05:00:00Z",
}


def test_single_order() -> None:
    order = order_mapping.order(DETAIL)
    assert (order.order_id, order.status, order.platform_status) == ("166570846", OrderStatus.CANCELLED, "10")
    assert (order.cancelled_by, order.cancel_reason, order.buyer_note) == ("seller", "Stok habis", "cepat ya")
    assert order.total == Money(115000, Currency.IDR) and order.currency == "IDR"
    (line,) = order.lines
    assert (line.item_id, line.variant_id, line.seller_sku, line.quantity, line.line_id) == (
        "15",
        "0",
        "K-HM",
        2,
        "9",
    )
    assert line.unit_price == Money(50000, Currency.IDR) and line.original_unit_price == Money(
        55000, Currency.IDR
    )
    assert order.buyer.address.city == "Surabaya" and order.buyer.username == "Budi"
    assert order.paid_at == datetime(2021, 2, 23, 3, 55, tzinfo=UTC) and order.updated_at > order.created_at
    assert order.carrier == "JNE" and order.packages[0].carrier == "JNE"


def test_an_order_without_create_time_is_unreadable() -> None:
    with pytest.raises(UnexpectedResponse):
        order_mapping.order({"order_id": 1})


@pytest.mark.parametrize(
    ("reason", "code"),
    [(CancelReason.OUT_OF_STOCK, 1), (CancelReason.CUSTOMER_REQUEST, 8),
     (CancelReason.UNDELIVERABLE_AREA, 7), (CancelReason.COD_NOT_SUPPORTED, 5)],
)  # fmt: skip
def test_nack_bodies(reason: CancelReason, code: int) -> None:
    body = order_mapping.nack_body(
        reason, [CancelLine("15", "0"), CancelLine("15", "0"), CancelLine("9", "16")]
    )
    assert body["reason_code"] == code and 0 < len(body["reason"]) <= order_mapping.REASON_MAX
    if reason is CancelReason.OUT_OF_STOCK:
        assert body["empty_products"] == [15, 16]
    else:
        assert "empty_products" not in body
