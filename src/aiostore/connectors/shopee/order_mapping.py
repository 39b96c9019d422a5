"""Shopee orders ⇄ DTOs: the status table, order detail, shipping and cancelling bodies."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aiostore.connectors import dtos
from aiostore.connectors.errors import InvalidRequest, Refused, UnexpectedResponse
from aiostore.connectors.shopee.errors import PLATFORM
from aiostore.connectors.shopee.mapping import JSON, currency_of, optional_money, ts, ts_required
from aiostore.domain.market import Currency
from aiostore.domain.orders import OrderStatus

ORDER_STATUS: dict[str, OrderStatus] = {
    "UNPAID": OrderStatus.UNPAID,
    "PENDING": OrderStatus.UNPAID,
    "READY_TO_SHIP": OrderStatus.TO_SHIP,
    "PROCESSED": OrderStatus.TO_SHIP,
    "RETRY_SHIP": OrderStatus.TO_SHIP,
    "INVOICE_PENDING": OrderStatus.TO_SHIP,
    "SHIPPED": OrderStatus.SHIPPED,
    "TO_CONFIRM_RECEIVE": OrderStatus.SHIPPED,
    "COMPLETED": OrderStatus.COMPLETED,
    "IN_CANCEL": OrderStatus.CANCELLED,
    "CANCELLED": OrderStatus.CANCELLED,
    "TO_RETURN": OrderStatus.RETURNED,
}

# Fields get_order_detail returns only when asked for.
DETAIL_FIELDS = (
    "buyer_user_id",
    "buyer_username",
    "recipient_address",
    "item_list",
    "pay_time",
    "total_amount",
    "package_list",
    "cancel_by",
    "cancel_reason",
    "buyer_cancel_reason",
    "shipping_carrier",
    "payment_method",
    "note",
)

CANCEL_REASON: dict[dtos.CancelReason, str] = {
    dtos.CancelReason.OUT_OF_STOCK: "OUT_OF_STOCK",
    dtos.CancelReason.CUSTOMER_REQUEST: "CUSTOMER_REQUEST",
    dtos.CancelReason.UNDELIVERABLE_AREA: "UNDELIVERABLE_AREA",
    dtos.CancelReason.COD_NOT_SUPPORTED: "COD_NOT_SUPPORTED",
}


def unified_status(platform_status: str) -> OrderStatus | None:
    return ORDER_STATUS.get(platform_status)


def order_ref(entry: JSON) -> dtos.OrderRef:
    platform_status = str(entry.get("order_status") or "")
    return dtos.OrderRef(
        order_id=str(entry["order_sn"]),
        status=unified_status(platform_status) if platform_status else None,
        platform_status=platform_status,
    )


def order(body: JSON, default_currency: Currency | None) -> dtos.OrderDTO:
    """One entry of get_order_detail's ``order_list`` (asked with ``DETAIL_FIELDS``)."""
    order_sn = str(body["order_sn"])
    currency = currency_of(body.get("currency"), default_currency)
    platform_status = str(body.get("order_status") or "")
    address = body.get("recipient_address") or {}
    lines = tuple(_line(order_sn, n, item, currency) for n, item in enumerate(body.get("item_list") or ()))
    packages = tuple(
        dtos.Package(
            package_id=str(p.get("package_number") or ""),
            logistics_status=str(p.get("logistics_status") or ""),
            carrier=str(p.get("shipping_carrier") or ""),
        )
        for p in body.get("package_list") or ()
    )
    return dtos.OrderDTO(
        order_id=order_sn,
        status=unified_status(platform_status),
        platform_status=platform_status,
        currency=currency.value,
        total=optional_money(body.get("total_amount"), currency),
        created_at=ts_required(body.get("create_time"), "create_time"),
        updated_at=ts_required(body.get("update_time"), "update_time"),
        lines=lines,
        buyer=dtos.Buyer(
            user_id=str(body.get("buyer_user_id") or ""),
            username=str(body.get("buyer_username") or ""),
            address=dtos.Address(
                name=str(address.get("name") or ""),
                phone=str(address.get("phone") or ""),
                full_address=str(address.get("full_address") or ""),
                district=str(address.get("district") or address.get("town") or ""),
                city=str(address.get("city") or ""),
                state=str(address.get("state") or ""),
                postal_code=str(address.get("zipcode") or ""),
                country=str(address.get("region") or body.get("region") or ""),
            ),
        ),
        paid_at=ts(body.get("pay_time")),
        ship_by=ts(body.get("ship_by_date")),
        cod=bool(body.get("cod")),
        packages=packages,
        cancel_reason=str(body.get("cancel_reason") or body.get("buyer_cancel_reason") or ""),
        cancelled_by=str(body.get("cancel_by") or ""),
        buyer_note=str(body.get("message_to_seller") or body.get("note") or ""),
        carrier=str(body.get("shipping_carrier") or ""),
    )


def _line(order_sn: str, n: int, item: JSON, currency: Currency) -> dtos.OrderLine:
    try:
        item_id = str(item["item_id"])
        quantity = int(item["model_quantity_purchased"])
    except (KeyError, TypeError, ValueError) as exc:
        raise UnexpectedResponse(f"order {order_sn} line {n}: {exc}", platform=PLATFORM) from exc
    model_id = str(item.get("model_id") or 0)
    original = optional_money(item.get("model_original_price"), currency)
    discounted = optional_money(item.get("model_discounted_price"), currency)
    unit = discounted if discounted is not None else original
    if unit is None:
        raise UnexpectedResponse(f"order {order_sn} line {n}: no price", platform=PLATFORM)
    return dtos.OrderLine(
        line_id=f"{item.get('order_item_id') or item_id}:{model_id}",
        item_id=item_id,
        variant_id=model_id,
        seller_sku=str(item.get("model_sku") or item.get("item_sku") or ""),
        name=str(item.get("item_name") or ""),
        variant_name=str(item.get("model_name") or ""),
        quantity=quantity,
        unit_price=unit,
        original_unit_price=original,
    )


# -- shipping -------------------------------------------------------------------------------------


def ship_order_body(order_sn: str, params: JSON, request: dtos.ShipRequest) -> dict[str, Any]:
    """The ship_order body from get_shipping_parameter's answer and what the seller asked for.

    Exactly one of pickup / dropoff / non_integrated is sent; with ``ShipMethod.AUTO`` the first the
    platform offers (pickup, then dropoff, then non_integrated) is used, with the first address and
    time slot it lists when the request names none.
    """
    needed = params.get("info_needed") or {}
    offered = [m for m in ("pickup", "dropoff", "non_integrated") if m in needed]
    wanted = {
        dtos.ShipMethod.PICKUP: "pickup",
        dtos.ShipMethod.DROPOFF: "dropoff",
        dtos.ShipMethod.SELF: "non_integrated",
    }.get(request.method)
    if wanted is None:
        if not offered:
            raise Refused(f"order {order_sn}: no shipping method is offered", platform=PLATFORM)
        wanted = offered[0]
    elif offered and wanted not in offered:
        raise InvalidRequest(
            f"order {order_sn}: {request.method.value} is not offered (offered: {', '.join(offered)})",
            platform=PLATFORM,
        )
    body: dict[str, Any] = {"order_sn": order_sn}
    if request.package_id:
        body["package_number"] = request.package_id
    if wanted == "pickup":
        body["pickup"] = _pickup(order_sn, params, needed.get("pickup") or [], request)
    elif wanted == "dropoff":
        dropoff: dict[str, Any] = {}
        if request.dropoff_branch_id:
            dropoff["branch_id"] = int(request.dropoff_branch_id)
        if request.sender_name:
            dropoff["sender_real_name"] = request.sender_name
        if request.tracking_number:
            dropoff["tracking_number"] = request.tracking_number
        body["dropoff"] = dropoff
    else:
        if not request.tracking_number:
            raise InvalidRequest(
                f"order {order_sn}: the seller's own courier needs a tracking number", platform=PLATFORM
            )
        body["non_integrated"] = {"tracking_number": request.tracking_number}
    return body


def _pickup(order_sn: str, params: JSON, needed: Sequence[str], request: dtos.ShipRequest) -> dict[str, Any]:
    addresses = (params.get("pickup") or {}).get("address_list") or []
    address_id = request.pickup_address_id
    slot_id = request.pickup_slot_id
    if address_id is None and addresses:
        address_id = str(addresses[0]["address_id"])
    if slot_id is None and "pickup_time_id" in needed:
        chosen = next((a for a in addresses if str(a.get("address_id")) == address_id), None)
        slots = (chosen or {}).get("time_slot_list") or []
        if slots:
            slot_id = str(slots[0]["pickup_time_id"])
    pickup: dict[str, Any] = {}
    if address_id is not None:
        pickup["address_id"] = int(address_id)
    if slot_id is not None:
        pickup["pickup_time_id"] = slot_id
    if request.tracking_number:
        pickup["tracking_number"] = request.tracking_number
    missing = [f for f in needed if f in ("address_id", "pickup_time_id") and f not in pickup]
    if missing:
        raise InvalidRequest(f"order {order_sn}: pickup needs {', '.join(missing)}", platform=PLATFORM)
    return pickup


def cancel_body(order_sn: str, reason: dtos.CancelReason, lines: Sequence[dtos.CancelLine]) -> dict[str, Any]:
    body: dict[str, Any] = {"order_sn": order_sn, "cancel_reason": CANCEL_REASON[reason]}
    if lines:
        body["item_list"] = [{"item_id": int(x.item_id), "model_id": int(x.variant_id)} for x in lines]
    return body
