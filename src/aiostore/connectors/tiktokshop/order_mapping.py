"""TikTok Shop orders ⇄ DTOs: the status table, orders with their line items, returns, ship and cancel bodies.

An order carries one line item per unit bought (§B4): items of the same SKU at the same prices are folded
into one ``OrderLine`` whose quantity is their count (or the sum of a ``quantity`` field where one is
sent). A return is not an order status on TikTok: a completed return-and-refund found through the
returns API turns the unified status into ``returned`` (its return status is kept as the platform status).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from aiostore.connectors import dtos
from aiostore.connectors.errors import InvalidRequest, Refused, UnexpectedResponse
from aiostore.connectors.tiktokshop.errors import PLATFORM
from aiostore.connectors.tiktokshop.mapping import JSON, currency_of, optional_money, ts, ts_required
from aiostore.domain.market import Currency
from aiostore.domain.orders import OrderStatus

ORDER_STATUS: dict[str, OrderStatus] = {
    "UNPAID": OrderStatus.UNPAID,
    "ON_HOLD": OrderStatus.TO_SHIP,
    "AWAITING_SHIPMENT": OrderStatus.TO_SHIP,
    "AWAITING_COLLECTION": OrderStatus.TO_SHIP,
    "PARTIALLY_SHIPPING": OrderStatus.SHIPPED,
    "IN_TRANSIT": OrderStatus.SHIPPED,
    "DELIVERED": OrderStatus.SHIPPED,
    "COMPLETED": OrderStatus.COMPLETED,
    "CANCELLED": OrderStatus.CANCELLED,
}
# Orders whose goods may have come back: only these are looked up in the returns API.
MAY_BE_RETURNED = frozenset({"PARTIALLY_SHIPPING", "IN_TRANSIT", "DELIVERED", "COMPLETED"})
RETURN_DONE = "RETURN_OR_REFUND_REQUEST_COMPLETE"
GOODS_BACK = frozenset({"RETURN_AND_REFUND"})  # a refund without goods coming back is no return

# Cancel reason codes of Cancel Order (202309): the order's status decides the family.
_UNPAID_REASONS = {
    dtos.CancelReason.OUT_OF_STOCK: "seller_cancel_unpaid_reason_out_of_stock",
    dtos.CancelReason.CUSTOMER_REQUEST: "seller_cancel_unpaid_reason_buyer_requested_cancellation",
}
_PAID_REASONS = {
    dtos.CancelReason.OUT_OF_STOCK: "seller_cancel_reason_out_of_stock",
    dtos.CancelReason.CUSTOMER_REQUEST: "seller_cancel_paid_reason_buyer_requested_cancellation",
    dtos.CancelReason.UNDELIVERABLE_AREA: "seller_cancel_paid_reason_address_not_deliver",
}


def unified_status(platform_status: str) -> OrderStatus | None:
    return ORDER_STATUS.get(platform_status)


def completed_return(returns: Sequence[JSON]) -> str | None:
    """The return status that makes an order ``returned``, if one of its returns has it."""
    for entry in returns:
        if entry.get("return_status") == RETURN_DONE and entry.get("return_type") in GOODS_BACK:
            return RETURN_DONE
    return None


def _lines(order_id: str, items: Sequence[JSON], currency: Currency) -> tuple[dtos.OrderLine, ...]:
    grouped: dict[tuple[str, str, str, str], list[JSON]] = {}
    for n, item in enumerate(items):
        if not item.get("sku_id") or not item.get("product_id"):
            raise UnexpectedResponse(f"order {order_id} line item {n} lacks its sku", platform=PLATFORM)
        key = (
            str(item["product_id"]),
            str(item["sku_id"]),
            str(item.get("sale_price")),
            str(item.get("original_price")),
        )
        grouped.setdefault(key, []).append(item)
    lines = []
    for (product_id, sku_id, _, _), group in grouped.items():
        first = group[0]
        unit = optional_money(first.get("sale_price"), currency_of(first.get("currency"), currency))
        original = optional_money(first.get("original_price"), currency_of(first.get("currency"), currency))
        if unit is None:
            unit = original
        if unit is None:
            raise UnexpectedResponse(f"order {order_id} sku {sku_id}: no price", platform=PLATFORM)
        lines.append(
            dtos.OrderLine(
                line_id=str(first.get("id") or sku_id),
                item_id=product_id,
                variant_id=sku_id,
                seller_sku=str(first.get("seller_sku") or ""),
                name=str(first.get("product_name") or ""),
                variant_name=str(first.get("sku_name") or ""),
                quantity=sum(int(i.get("quantity") or 1) for i in group),
                unit_price=unit,
                original_unit_price=original,
            )
        )
    return tuple(lines)


def _address(order: JSON) -> dtos.Address:
    raw = order.get("recipient_address") or {}
    levels = {
        str(d.get("address_level") or ""): str(d.get("address_name") or "")
        for d in raw.get("district_info") or ()
    }
    return dtos.Address(
        name=str(raw.get("name") or ""),
        phone=str(raw.get("phone_number") or ""),
        full_address=str(raw.get("full_address") or ""),
        district=levels.get("L3", ""),
        city=levels.get("L2", ""),
        state=levels.get("L1", ""),
        postal_code=str(raw.get("postal_code") or ""),
        country=str(raw.get("region_code") or levels.get("L0", "")),
    )


def order(body: JSON, default_currency: Currency | None, returns: Sequence[JSON] = ()) -> dtos.OrderDTO:
    """One order of Get Order Detail or Get Order List (the same shape), with its returns if looked up."""
    try:
        order_id = str(body["id"])
    except KeyError as exc:
        raise UnexpectedResponse("an order without id", platform=PLATFORM) from exc
    payment = body.get("payment") or {}
    currency = currency_of(payment.get("currency"), default_currency)
    platform_status = str(body.get("status") or "")
    status = unified_status(platform_status)
    returned = completed_return(returns)
    if returned is not None:
        status, platform_status = OrderStatus.RETURNED, returned
    items = body.get("line_items") or ()
    by_package: dict[str, JSON] = {}
    for item in items:
        if item.get("package_id"):
            by_package.setdefault(str(item["package_id"]), item)
    packages = tuple(
        dtos.Package(
            package_id=str(p["id"]),
            logistics_status=str((by_package.get(str(p["id"])) or {}).get("package_status") or ""),
            carrier=str(body.get("shipping_provider") or ""),
            tracking_number=str(body.get("tracking_number") or ""),
        )
        for p in body.get("packages") or ()
        if p.get("id")
    )
    return dtos.OrderDTO(
        order_id=order_id,
        status=status,
        platform_status=platform_status,
        currency=currency.value,
        total=optional_money(payment.get("total_amount"), currency),
        created_at=ts_required(body.get("create_time"), "create_time"),
        updated_at=ts_required(body.get("update_time"), "update_time"),
        lines=_lines(order_id, items, currency),
        buyer=dtos.Buyer(
            user_id=str(body.get("user_id") or ""),
            email=str(body.get("buyer_email") or ""),
            address=_address(body),
        ),
        paid_at=ts(body.get("paid_time")),
        ship_by=ts(body.get("rts_sla_time")),
        cod=bool(body.get("is_cod")),
        packages=packages,
        cancel_reason=str(body.get("cancel_reason") or ""),
        cancelled_by=str(body.get("cancellation_initiator") or "").lower(),
        buyer_note=str(body.get("buyer_message") or ""),
        carrier=str(body.get("shipping_provider") or ""),
    )


def order_ref(dto: dtos.OrderDTO) -> dtos.OrderRef:
    return dtos.OrderRef(dto.order_id, dto.status, dto.platform_status, dto.updated_at, dto)


# -- shipping and cancelling ----------------------------------------------------------------------


def ship_body(
    order_id: str, order: Mapping[str, Any], slots: JSON | None, request: dtos.ShipRequest
) -> dict[str, Any]:
    """Ship Package's body: PICKUP with a slot, DROP_OFF, or the seller's own courier (self_shipment).

    With ``ShipMethod.AUTO`` pickup is chosen when offered with an available slot, else drop-off.
    """
    if request.method is dtos.ShipMethod.SELF:
        provider = str(order.get("shipping_provider_id") or "")
        if not request.tracking_number or not provider:
            raise InvalidRequest(
                f"order {order_id}: the seller's own courier needs a tracking number and the order's "
                "shipping provider",
                platform=PLATFORM,
            )
        return {
            "self_shipment": {"tracking_number": request.tracking_number, "shipping_provider_id": provider}
        }
    slots = slots or {}
    available = [s for s in slots.get("pickup_slots") or () if s.get("avaliable", s.get("available", True))]
    can_pickup, can_drop_off = bool(slots.get("can_pickup")), bool(slots.get("can_drop_off"))
    wanted = request.method
    if wanted is dtos.ShipMethod.AUTO:
        if can_pickup and available:
            wanted = dtos.ShipMethod.PICKUP
        elif can_drop_off:
            wanted = dtos.ShipMethod.DROPOFF
        else:
            raise Refused(f"order {order_id}: no handover method is offered now", platform=PLATFORM)
    if wanted is dtos.ShipMethod.DROPOFF:
        if not can_drop_off:
            raise InvalidRequest(f"order {order_id}: drop-off is not offered", platform=PLATFORM)
        return {"handover_method": "DROP_OFF"}
    if not can_pickup:
        raise InvalidRequest(f"order {order_id}: pickup is not offered", platform=PLATFORM)
    chosen = next((s for s in available if str(s.get("start_time")) == request.pickup_slot_id), None)
    if chosen is None and request.pickup_slot_id is None and available:
        chosen = available[0]
    if chosen is None:
        raise InvalidRequest(f"order {order_id}: no such pickup slot available", platform=PLATFORM)
    return {
        "handover_method": "PICKUP",
        "pickup_slot": {"start_time": int(chosen["start_time"]), "end_time": int(chosen["end_time"])},
    }


def cancel_reason(order_id: str, platform_status: str, reason: dtos.CancelReason) -> str:
    """The reason code Cancel Order takes for an order in ``platform_status``."""
    if platform_status == "UNPAID":
        table = _UNPAID_REASONS
    elif platform_status in ("ON_HOLD", "AWAITING_SHIPMENT"):
        table = _PAID_REASONS
    else:
        raise Refused(
            f"order {order_id} is {platform_status}: the seller may cancel only UNPAID, ON_HOLD or "
            "AWAITING_SHIPMENT orders",
            platform=PLATFORM,
        )
    code = table.get(reason)
    if code is None:
        raise InvalidRequest(
            f"TikTok Shop has no cancel reason for {reason.value} on a {platform_status} order",
            platform=PLATFORM,
        )
    return code
