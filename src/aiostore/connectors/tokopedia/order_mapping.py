"""Tokopedia orders ⇄ DTOs: the numeric status table, the single-order detail, reject (NACK) bodies.

Statuses (lazada-tokopedia.md §B5; "Order Status Code" notes of Get All Orders) map into the unified set;
the code itself is kept as ``platform_status`` (e.g. "450"). Codes not in the table map to None.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from aiostore.connectors import dtos
from aiostore.connectors.errors import UnexpectedResponse
from aiostore.connectors.tokopedia.errors import PLATFORM
from aiostore.connectors.tokopedia.mapping import JSON, NO_VARIANT, money_from_tokopedia
from aiostore.domain.market import Currency
from aiostore.domain.money import Money
from aiostore.domain.orders import OrderStatus

WIB = ZoneInfo("Asia/Jakarta")  # Tokopedia's naive "YYYY-MM-DD hh:mm:ss" times are Jakarta time

ORDER_STATUS: dict[int, OrderStatus] = {
    0: OrderStatus.CANCELLED,  # seller cancel order
    3: OrderStatus.CANCELLED,  # rejected due to empty stock
    5: OrderStatus.CANCELLED,  # cancelled by fraud
    6: OrderStatus.CANCELLED,  # rejected (auto cancel out of stock)
    10: OrderStatus.CANCELLED,  # rejected by seller
    15: OrderStatus.CANCELLED,  # instant cancel by buyer
    100: OrderStatus.UNPAID,  # order created
    103: OrderStatus.UNPAID,  # waiting for payment confirmation from a third party
    690: OrderStatus.UNPAID,  # fraud review: not yet to be processed, still holds its units
    220: OrderStatus.TO_SHIP,  # payment verified, ready to process
    221: OrderStatus.TO_SHIP,  # waiting for partner approval
    400: OrderStatus.TO_SHIP,  # seller accepted
    450: OrderStatus.TO_SHIP,  # waiting for pickup
    500: OrderStatus.SHIPPED,  # shipped
    501: OrderStatus.SHIPPED,  # waiting AWB ("resi") input
    520: OrderStatus.SHIPPED,  # invalid AWB
    530: OrderStatus.SHIPPED,  # buyer asked to correct the AWB
    540: OrderStatus.SHIPPED,  # delivered to a pickup point
    600: OrderStatus.SHIPPED,  # delivered, not yet finished
    601: OrderStatus.SHIPPED,  # buyer opened a case before finishing
    550: OrderStatus.RETURNED,  # returned to the seller
    700: OrderStatus.COMPLETED,  # finished
}
CANCELLED_BY: dict[int, str] = {0: "seller", 3: "seller", 10: "seller", 6: "system", 5: "system", 15: "buyer"}

# Reject (NACK) reason codes: 1 out of stock, 5 others, 7 courier problem, 8 buyer's request.
NACK_REASON: dict[dtos.CancelReason, tuple[int, str]] = {
    dtos.CancelReason.OUT_OF_STOCK: (1, "Product out of stock"),
    dtos.CancelReason.CUSTOMER_REQUEST: (8, "Cancelled at the buyer's request"),
    dtos.CancelReason.UNDELIVERABLE_AREA: (7, "No courier delivers to the buyer's area"),
    dtos.CancelReason.COD_NOT_SUPPORTED: (5, "Cash on delivery is not available for this order"),
}
REASON_MAX = 200  # characters; the Reject Order page gives 200 (older text: 490-512)


def status_code(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def unified_status(value: Any) -> OrderStatus | None:
    code = status_code(value)
    return None if code is None else ORDER_STATUS.get(code)


def parse_time(value: Any) -> datetime | None:
    """RFC 3339 text, Unix seconds, or naive "YYYY-MM-DD hh:mm:ss" (Jakarta time) → aware UTC."""
    if value in (None, "", 0):
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(int(value), UTC)
    text = str(value).strip()
    if text.isdigit():
        return datetime.fromtimestamp(int(text), UTC)
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise UnexpectedResponse(f"bad time {value!r}", platform=PLATFORM) from exc
    if when.year <= 1:
        return None  # Go's zero time
    return (when if when.tzinfo else when.replace(tzinfo=WIB)).astimezone(UTC)


def order_ref(row: JSON) -> dtos.OrderRef:
    """One row of ``/v2/order/list`` (it carries no update time: ``updated_at`` stays None)."""
    try:
        order_id = str(row["order_id"])
    except KeyError as exc:
        raise UnexpectedResponse("an order row without order_id", platform=PLATFORM) from exc
    code = row.get("order_status")
    return dtos.OrderRef(order_id=order_id, status=unified_status(code), platform_status=str(code))


def _part(body: JSON, key: str) -> JSON:
    value = body.get(key)
    return value if isinstance(value, dict) else {}


def _money(value: Any) -> Money | None:
    return None if value is None or value == "" else money_from_tokopedia(value)


def _line(order_id: str, n: int, item: JSON) -> dtos.OrderLine:
    try:
        product = str(item["product_id"])
        quantity = int(item["quantity"])
    except (KeyError, TypeError, ValueError) as exc:
        raise UnexpectedResponse(f"order {order_id} line {n}: {exc}", platform=PLATFORM) from exc
    unit = _money(item.get("product_price"))
    if unit is None:
        raise UnexpectedResponse(f"order {order_id} line {n}: no price", platform=PLATFORM)
    normal = _money(item.get("normal_price"))
    return dtos.OrderLine(
        line_id=str(item.get("order_detail_id") or f"{order_id}:{n}"),
        item_id=product,
        variant_id=NO_VARIANT,
        seller_sku=str(item.get("sku") or ""),
        name=str(item.get("product_name") or ""),
        variant_name="",
        quantity=quantity,
        unit_price=unit,
        original_unit_price=normal if normal is not None and normal.amount else None,
    )


def order(body: JSON) -> dtos.OrderDTO:
    """``data`` of ``GET /v2/fs/{fs_id}/order?order_id=`` (Get Single Order)."""
    try:
        order_id = str(body["order_id"])
    except KeyError as exc:
        raise UnexpectedResponse("an order without order_id", platform=PLATFORM) from exc
    code = status_code(body.get("order_status"))
    info = _part(body, "order_info")
    destination = _part(info, "destination")
    shipping = _part(info, "shipping_info")
    buyer = _part(body, "buyer_info")
    payment = _part(body, "payment_info")
    created = parse_time(body.get("create_time"))
    if created is None:
        raise UnexpectedResponse(f"order {order_id}: create_time missing", platform=PLATFORM)
    updated = parse_time(body.get("update_time")) or created
    lines = tuple(_line(order_id, n, item) for n, item in enumerate(info.get("order_detail") or ()))
    history = [h for h in info.get("order_history") or () if isinstance(h, dict)]
    cancelled = code is not None and ORDER_STATUS.get(code) is OrderStatus.CANCELLED
    reason = next(
        (str(h.get("message") or "") for h in history if status_code(h.get("hist_status_code")) == code), ""
    )
    carrier = str(shipping.get("logistic_name") or "")
    return dtos.OrderDTO(
        order_id=order_id,
        status=None if code is None else ORDER_STATUS.get(code),
        platform_status=str(body.get("order_status")),
        currency=Currency.IDR.value,
        total=_money(body.get("open_amt")),
        created_at=created,
        updated_at=max(updated, created),
        lines=lines,
        buyer=dtos.Buyer(
            user_id=str(buyer.get("buyer_id") or body.get("buyer_id") or ""),
            username=str(buyer.get("buyer_fullname") or ""),
            email=str(buyer.get("buyer_email") or ""),
            address=dtos.Address(
                name=str(destination.get("receiver_name") or ""),
                phone=str(destination.get("receiver_phone") or ""),
                full_address=str(destination.get("address_street") or ""),
                district=str(destination.get("address_district") or ""),
                city=str(destination.get("address_city") or ""),
                state=str(destination.get("address_province") or ""),
                postal_code=str(destination.get("address_postal") or ""),
                country="ID",
            ),
        ),
        paid_at=parse_time(payment.get("payment_date") or body.get("payment_date")),
        ship_by=parse_time(_part(body, "shipment_fulfillment").get("confirm_shipping_deadline")),
        cod=str(payment.get("gateway_name") or "").upper() == "COD",
        packages=(
            dtos.Package(
                package_id=order_id,
                logistics_status=str(body.get("order_status")),
                carrier=carrier,
                tracking_number=str(shipping.get("awb") or ""),
            ),
        ),
        cancel_reason=reason if cancelled else "",
        cancelled_by=CANCELLED_BY.get(code or -1, "") if cancelled else "",
        buyer_note=str(body.get("comment") or ""),
        carrier=carrier,
    )


def product_id_of(item_id: str, variant_id: str) -> int:
    """The Tokopedia product a (item, variant) key names: the variant's own product id, or the item."""
    return int(variant_id if variant_id not in ("", NO_VARIANT) else item_id)


def nack_body(reason: dtos.CancelReason, lines: Sequence[dtos.CancelLine]) -> dict[str, Any]:
    """``POST /v1/order/{order_id}/fs/{fs_id}/nack``: the reason code, its text, the empty products."""
    code, text = NACK_REASON[reason]
    body: dict[str, Any] = {"reason_code": code, "reason": text[:REASON_MAX]}
    if reason is dtos.CancelReason.OUT_OF_STOCK:
        body["empty_products"] = list(dict.fromkeys(product_id_of(x.item_id, x.variant_id) for x in lines))
    return body
