"""Lazada orders ⇄ DTOs: the status table, orders with their items, and what ship and cancel need.

Status lives on each order item (one item per unit bought); an order's ``statuses`` are the distinct item
statuses. The order's unified status is the least advanced one among its live items (an order with one
line shipped and one pending still needs shipping); only when every item is cancelled or returned is the
order so. The platform's own words are kept, comma-joined, in ``platform_status``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from aiostore.connectors import dtos
from aiostore.connectors.errors import InvalidRequest, UnexpectedResponse
from aiostore.connectors.lazada.errors import PLATFORM
from aiostore.connectors.lazada.mapping import (
    JSON,
    lazada_time,
    lazada_time_required,
    money_from_lazada,
    ms_time,
    optional_money,
)
from aiostore.domain.market import Currency
from aiostore.domain.money import Money
from aiostore.domain.orders import OrderStatus

ORDER_STATUS: dict[str, OrderStatus] = {
    "unpaid": OrderStatus.UNPAID,
    "pending": OrderStatus.TO_SHIP,
    "topack": OrderStatus.TO_SHIP,
    "packed": OrderStatus.TO_SHIP,
    "repacked": OrderStatus.TO_SHIP,
    "toship": OrderStatus.TO_SHIP,
    "ready_to_ship": OrderStatus.TO_SHIP,
    "ready_to_ship_pending": OrderStatus.TO_SHIP,
    "shipped": OrderStatus.SHIPPED,
    "shipping": OrderStatus.SHIPPED,
    "lost": OrderStatus.SHIPPED,  # left the warehouse and will not come back
    "lost_by_3pl": OrderStatus.SHIPPED,
    "damaged_by_3pl": OrderStatus.SHIPPED,
    "package_scrapped": OrderStatus.SHIPPED,
    "delivered": OrderStatus.COMPLETED,
    "confirmed": OrderStatus.COMPLETED,
    "canceled": OrderStatus.CANCELLED,
    "cancelled": OrderStatus.CANCELLED,
    "returned": OrderStatus.RETURNED,
    "failed": OrderStatus.RETURNED,
    "failed_delivery": OrderStatus.RETURNED,
    "shipped_back": OrderStatus.RETURNED,
    "shipped_back_success": OrderStatus.RETURNED,
    "shipped_back_failed": OrderStatus.RETURNED,
    "package_returned": OrderStatus.RETURNED,
}
_PROGRESS = (OrderStatus.UNPAID, OrderStatus.TO_SHIP, OrderStatus.SHIPPED, OrderStatus.COMPLETED)
PACKABLE = frozenset({"pending", "topack", "repacked"})
CANCELLED_BY = {
    "cancellation-seller": "seller",
    "cancellation-customer": "buyer",
    "buyer-cancel": "buyer",
    "cancellation-internal": "system",
    "system-cancel": "system",
    "customer service-cancel": "system",
    "cancellation-failed delivery": "system",
}
CANCEL_KEYWORDS: dict[dtos.CancelReason, tuple[str, ...]] = {
    dtos.CancelReason.OUT_OF_STOCK: ("out of stock", "stock"),
    dtos.CancelReason.CUSTOMER_REQUEST: ("customer", "buyer"),
    dtos.CancelReason.UNDELIVERABLE_AREA: ("undeliverable", "area", "address"),
    dtos.CancelReason.COD_NOT_SUPPORTED: ("cash on delivery", "cod"),
}


def unified_status(platform_status: str) -> OrderStatus | None:
    return ORDER_STATUS.get(platform_status.strip().lower())


def order_status(statuses: Iterable[str]) -> OrderStatus | None:
    found = [unified_status(s) for s in statuses]
    unified = [u for u in found if u is not None]
    if not found or len(unified) != len(found):
        return None
    live = [u for u in unified if u not in (OrderStatus.CANCELLED, OrderStatus.RETURNED)]
    if live:
        return min(live, key=_PROGRESS.index)
    return OrderStatus.RETURNED if OrderStatus.RETURNED in unified else OrderStatus.CANCELLED


def _statuses(values: Iterable[Any]) -> list[str]:
    return list(dict.fromkeys(str(v) for v in values if v not in (None, "")))


def order_ref(entry: JSON) -> dtos.OrderRef:
    statuses = _statuses(entry.get("statuses") or ())
    return dtos.OrderRef(
        order_id=str(entry["order_id"]),
        status=order_status(statuses),
        platform_status=",".join(statuses),
        updated_at=lazada_time(entry.get("updated_at")),
    )


def item_ids(item: JSON) -> tuple[str, str]:
    """(product id, SKU id) of an order item; from ``shop_sku`` (``{item}_{venture}-{sku}``) if absent."""
    product, sku = item.get("product_id"), item.get("sku_id")
    shop_sku = str(item.get("shop_sku") or "")
    if product in (None, "") and "_" in shop_sku:
        product = shop_sku.split("_", 1)[0]
    if sku in (None, "") and "-" in shop_sku:
        sku = shop_sku.rsplit("-", 1)[1]
    if product in (None, "") or sku in (None, ""):
        raise UnexpectedResponse(
            f"order item {item.get('order_item_id')} names no product/SKU", platform=PLATFORM
        )
    return str(product), str(sku)


def _line(item: JSON, currency: Currency) -> dtos.OrderLine:
    item_id, sku_id = item_ids(item)
    price = money_from_lazada(item.get("item_price"), currency)
    seller_voucher = optional_money(item.get("voucher_seller"), currency) or Money.zero(currency)
    return dtos.OrderLine(
        line_id=str(item["order_item_id"]),
        item_id=item_id,
        variant_id=sku_id,
        seller_sku=str(item.get("sku") or ""),
        name=str(item.get("name") or ""),
        variant_name=str(item.get("variation") or ""),
        quantity=1,  # Lazada lists one order item per unit
        unit_price=price - seller_voucher,
        original_unit_price=price,
    )


def _address(raw: Any) -> dtos.Address:
    a: JSON = raw if isinstance(raw, dict) else {}
    name = " ".join(str(a.get(k) or "").strip() for k in ("first_name", "last_name")).strip()
    street = ", ".join(str(a[k]) for k in ("address1", "address2") if a.get(k))
    return dtos.Address(
        name=name,
        phone=str(a.get("phone") or ""),
        full_address=street,
        district=str(a.get("addressDistrict") or a.get("address5") or ""),
        city=str(a.get("city") or a.get("address4") or ""),
        state=str(a.get("address3") or ""),
        postal_code=str(a.get("post_code") or ""),
        country=str(a.get("country") or ""),
    )


def order(header: JSON, items: Sequence[JSON], default_currency: Currency | None) -> dtos.OrderDTO:
    """One /order/get (or /orders/get) order with its items from /orders/items/get."""
    order_id = str(header["order_id"])
    code = next((str(i["currency"]) for i in items if i.get("currency")), None)
    try:
        currency = Currency(code) if code else default_currency
    except ValueError as exc:
        raise UnexpectedResponse(f"order {order_id}: currency {code!r}", platform=PLATFORM) from exc
    if currency is None:
        raise UnexpectedResponse(f"order {order_id}: no currency known", platform=PLATFORM)
    statuses = _statuses(i.get("status") for i in items) or _statuses(header.get("statuses") or ())
    price = optional_money(header.get("price"), currency)
    fee = optional_money(header.get("shipping_fee"), currency) or Money.zero(currency)
    voucher = optional_money(header.get("voucher"), currency) or Money.zero(currency)
    packages: dict[str, dtos.Package] = {}
    for item in items:
        package_id = str(item.get("package_id") or "")
        if package_id and package_id not in packages:
            packages[package_id] = dtos.Package(
                package_id,
                str(item.get("status") or ""),
                carrier=str(item.get("shipment_provider") or ""),
                tracking_number=str(item.get("tracking_code") or ""),
            )
    cancelled = next((i for i in items if str(i.get("status")) in ("canceled", "cancelled")), None)
    paid = [int(i["payment_time"]) for i in items if str(i.get("payment_time") or "").isdigit()]
    initiator = str((cancelled or {}).get("cancel_return_initiator") or "")
    shipping = header.get("address_shipping")
    return dtos.OrderDTO(
        order_id=order_id,
        status=order_status(statuses),
        platform_status=",".join(statuses),
        currency=currency.value,
        total=None if price is None else price + fee - voucher,
        created_at=lazada_time_required(header.get("created_at"), "created_at"),
        updated_at=lazada_time_required(header.get("updated_at"), "updated_at"),
        lines=tuple(_line(i, currency) for i in items),
        buyer=dtos.Buyer(
            user_id=str(next((i.get("buyer_id") for i in items if i.get("buyer_id")), "") or ""),
            username=" ".join(
                str(header.get(k) or "").strip() for k in ("customer_first_name", "customer_last_name")
            ).strip(),
            address=_address(shipping),
        ),
        paid_at=ms_time(min(paid)) if paid else None,
        ship_by=lazada_time(header.get("promised_shipping_times") or None),
        cod=str(header.get("payment_method") or "").upper() in ("COD", "CASH ON DELIVERY"),
        packages=tuple(packages.values()),
        cancel_reason=str((cancelled or {}).get("reason") or ""),
        cancelled_by=CANCELLED_BY.get(initiator.lower(), initiator),
        buyer_note=str(header.get("buyer_note") or header.get("remarks") or ""),
        carrier=next((p.carrier for p in packages.values() if p.carrier), ""),
    )


def cancel_reason_id(reason: dtos.CancelReason, options: Sequence[JSON]) -> str:
    """The ``reason_id`` Lazada offers for this order that matches ``reason`` (by its name)."""
    for keyword in CANCEL_KEYWORDS[reason]:
        for option in options:
            if keyword in str(option.get("reason_name") or "").lower() and option.get("reason_id"):
                return str(option["reason_id"])
    offered = ", ".join(str(o.get("reason_name")) for o in options) or "none"
    raise InvalidRequest(
        f"Lazada offers no cancellation reason for {reason.value} on this order (offered: {offered})",
        platform=PLATFORM,
    )
