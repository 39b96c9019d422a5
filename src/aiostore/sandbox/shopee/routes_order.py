"""Order and logistics endpoints (shopee-tiktokshop.md §A4 order rows, §A5 statuses, §A9 money).

- order/get_order_list: time_range_field create_time|update_time, window of at most 15 days
  (order.order_list_invalid_time), page_size 1-100, cursor/more/next_cursor in ascending time order,
  optional order_status filter, response_optional_fields=order_status.
- order/get_order_detail: 1-50 order_sn; optional fields only when asked in response_optional_fields;
  total_amount and pay_time only once paid; recipient PII masked once COMPLETED (as in Shopee's sample).
- logistics/get_shipping_parameter and logistics/ship_order (only READY_TO_SHIP; repeat ->
  logistics.package_already_shipped); order/cancel_order (reasons of the document; item_list required for
  OUT_OF_STOCK).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiostore.sandbox.common import to_major
from aiostore.sandbox.shopee import errors
from aiostore.sandbox.shopee.dispatch import Ctx, Endpoint, Reply
from aiostore.sandbox.shopee.errors import ShopeeError
from aiostore.sandbox.shopee.models import CANCEL_REASONS, ORDER_STATUSES, Order, Shop

DAY = 86400
SHIPPED_ALREADY = frozenset(
    {"PROCESSED", "RETRY_SHIP", "SHIPPED", "TO_CONFIRM_RECEIVE", "COMPLETED", "TO_RETURN"}
)
CANCELLABLE = frozenset({"UNPAID", "READY_TO_SHIP"})


def _order_not_found() -> ShopeeError:
    return ShopeeError("error_not_found", "Wrong parameters, detail: the order is not found.")


def _order(ctx: Ctx, order_sn: str) -> Order:
    order = ctx.sandbox.orders.get(ctx.shop.shop_id, order_sn)
    if order is None:
        raise _order_not_found()
    return order


def _fields(ctx: Ctx) -> set[str]:
    return {f.strip() for f in (ctx.query.text("response_optional_fields") or "").split(",") if f.strip()}


def get_order_list(ctx: Ctx) -> Reply:
    query = ctx.query
    field = query.text("time_range_field", required=True)
    if field not in ("create_time", "update_time"):
        raise errors.param("time_range_field should be create_time or update_time")
    time_from = query.required_int("time_from", low=0)
    time_to = query.required_int("time_to", low=0)
    if time_to < time_from or time_to - time_from > ctx.sandbox.config.order_list_max_window:
        raise errors.order_list_invalid_time()
    page_size = query.required_int("page_size", low=1, high=100)
    status = query.text("order_status")
    if status is not None and status not in ORDER_STATUSES:
        raise errors.param("order_status is invalid")
    after: tuple[int, str] | None = None
    cursor = query.text("cursor")
    if cursor:
        stamp, _, order_sn = cursor.partition(":")
        if not stamp.isdigit() or not order_sn:
            raise errors.param("cursor is invalid")
        after = (int(stamp), order_sn)
    orders, more = ctx.sandbox.orders.page(
        ctx.shop.shop_id, field, time_from, time_to, page_size, after, status
    )
    with_status = "order_status" in _fields(ctx)
    listed = [{"order_sn": o.order_sn, **({"order_status": o.status} if with_status else {})} for o in orders]
    last = orders[-1] if orders else None
    next_cursor = f"{getattr(last, field)}:{last.order_sn}" if more and last is not None else ""
    return Reply({"more": more, "next_cursor": next_cursor, "order_list": listed})


def _mask(text: str, start: int, end: int) -> str:
    return text[:start] + "******" + (text[-end:] if end else "")


def _recipient(order: Order, shop: Shop) -> dict[str, Any]:
    a, masked = order.address, order.status == "COMPLETED"
    name, phone, full = order.buyer.name, order.buyer.phone, a.full_address
    if masked:
        name, phone, full = _mask(name, 1, 1), _mask(phone, 0, 2), _mask(full, 2, 0)
    return {
        "name": name,
        "phone": phone,
        "town": a.town,
        "district": a.district,
        "city": a.city,
        "state": a.state,
        "region": a.region,
        "zipcode": a.zipcode,
        "full_address": full,
    }


def _item_list(order: Order, shop: Shop) -> list[dict[str, Any]]:
    exponent, location = shop.market.exponent, shop.location_id
    return [
        {
            "item_id": line.item_id,
            "item_name": line.item_name,
            "item_sku": line.item_sku,
            "model_id": line.model_id,
            "model_name": line.model_name,
            "model_sku": line.model_sku,
            "model_quantity_purchased": line.quantity,
            "model_original_price": to_major(line.original_price, exponent),
            "model_discounted_price": to_major(line.discounted_price, exponent),
            "wholesale": False,
            "add_on_deal": False,
            "main_item": False,
            "add_on_deal_id": 0,
            "promotion_type": "",
            "promotion_id": 0,
            "order_item_id": line.order_item_id,
            "promotion_group_id": 0,
            "product_location_id": [location],
            "is_prescription_item": False,
            "is_b2c_owned_item": False,
        }
        for line in order.lines
    ]


def _package_list(order: Order, shop: Shop) -> list[dict[str, Any]]:
    package = order.package
    lines = [
        {
            "item_id": line.item_id,
            "model_id": line.model_id,
            "model_quantity": line.quantity,
            "order_item_id": line.order_item_id,
            "promotion_group_id": 0,
            "product_location_id": shop.location_id,
        }
        for line in order.lines
    ]
    return [
        {
            "package_number": package.package_number,
            "logistics_status": package.logistics_status,
            "logistics_channel_id": package.logistics_channel_id,
            "shipping_carrier": package.shipping_carrier,
            "item_list": lines,
            "parcel_chargeable_weight_gram": 500,
        }
    ]


_OPTIONAL: dict[str, Callable[[Order, Shop], Any]] = {
    "buyer_user_id": lambda o, s: o.buyer_user_id,
    "buyer_username": lambda o, s: o.buyer.username,
    "estimated_shipping_fee": lambda o, s: to_major(o.shipping_fee, s.market.exponent),
    "actual_shipping_fee": lambda o, s: to_major(o.shipping_fee, s.market.exponent),
    "actual_shipping_fee_confirmed": lambda o, s: o.status in SHIPPED_ALREADY,
    "recipient_address": _recipient,
    "goods_to_declare": lambda o, s: False,
    "note": lambda o, s: o.note,
    "note_update_time": lambda o, s: 0,
    "item_list": _item_list,
    "pay_time": lambda o, s: o.pay_time,
    "dropshipper": lambda o, s: None,
    "dropshipper_phone": lambda o, s: None,
    "split_up": lambda o, s: False,
    "buyer_cancel_reason": lambda o, s: o.buyer_cancel_reason,
    "cancel_by": lambda o, s: o.cancel_by,
    "cancel_reason": lambda o, s: o.cancel_reason,
    "fulfillment_flag": lambda o, s: "fulfilled_by_local_seller",
    "pickup_done_time": lambda o, s: (
        o.update_time if o.package.logistics_status == "LOGISTICS_PICKUP_DONE" else 0
    ),
    "package_list": _package_list,
    "shipping_carrier": lambda o, s: o.package.shipping_carrier,
    "payment_method": lambda o, s: o.payment_method,
    "total_amount": lambda o, s: to_major(o.total_amount, s.market.exponent),
    "invoice_data": lambda o, s: None,
    "order_chargeable_weight_gram": lambda o, s: 500,
    "reverse_shipping_fee": lambda o, s: 0,
}
_ONLY_WHEN_PAID = frozenset({"pay_time", "total_amount"})


def order_detail(order: Order, shop: Shop, fields: set[str]) -> dict[str, Any]:
    data: dict[str, Any] = {
        "order_sn": order.order_sn,
        "region": order.region,
        "currency": order.currency,
        "cod": order.cod,
        "order_status": order.status,
        "create_time": order.create_time,
        "update_time": order.update_time,
        "days_to_ship": order.days_to_ship,
        "ship_by_date": order.ship_by_date,
        "message_to_seller": order.message_to_seller,
    }
    for name in sorted(fields & _OPTIONAL.keys()):
        if name in _ONLY_WHEN_PAID and order.pay_time is None:
            continue
        data[name] = _OPTIONAL[name](order, shop)
    return data


def get_order_detail(ctx: Ctx) -> Reply:
    order_sns = list(dict.fromkeys(ctx.query.csv("order_sn_list", limit=50)))
    orders = [_order(ctx, order_sn) for order_sn in order_sns]
    fields = _fields(ctx)
    return Reply({"order_list": [order_detail(o, ctx.shop, fields) for o in orders]}, [])


def _pickup_slots(ctx: Ctx) -> list[dict[str, Any]]:
    midnight = ctx.now - ctx.now % DAY
    slots = [midnight + day * DAY + 2 * 3600 for day in (1, 2, 3)]
    return [{"date": slot, "time_text": "09:00-17:00", "pickup_time_id": str(slot)} for slot in slots]


def _address_id(shop: Shop) -> int:
    return 10_000 + shop.shop_id % 10_000


def get_shipping_parameter(ctx: Ctx) -> Reply:
    order_sn = ctx.query.text("order_sn", required=True)
    assert order_sn is not None  # noqa: S101 - required
    _order(ctx, order_sn)
    shop = ctx.shop
    address = {
        "address_id": _address_id(shop),
        "region": shop.region,
        "state": "",
        "city": "",
        "district": "",
        "town": "",
        "address": f"{shop.name} warehouse",
        "zipcode": "",
        "address_flag": ["default_address", "pickup_address"],
        "time_slot_list": _pickup_slots(ctx),
    }
    return Reply(
        {
            "info_needed": {"dropoff": [], "pickup": ["address_id", "pickup_time_id"]},
            "dropoff": {"branch_list": [], "slug_list": []},
            "pickup": {"address_list": [address]},
        }
    )


def ship_order(ctx: Ctx) -> Reply:
    body = ctx.body
    order = _order(ctx, body.required_text("order_sn"))
    if "package_number" in body.data:
        number = body.data["package_number"]
        if number == "" or not isinstance(number, str):
            raise errors.param("package_number should not be empty")
        if number != order.package.package_number:
            raise errors.param("package_number is not a package of this order")
    methods = [key for key in ("pickup", "dropoff", "non_integrated") if body.data.get(key) is not None]
    if len(methods) != 1:
        raise errors.param("exactly one of pickup, dropoff and non_integrated is required")
    if order.status in SHIPPED_ALREADY:
        raise errors.package_already_shipped()
    if order.status != "READY_TO_SHIP":
        raise errors.param(f"the order is {order.status}, only READY_TO_SHIP orders can be shipped")
    method = body.object(methods[0])
    assert method is not None  # noqa: S101 - present
    if methods[0] == "non_integrated":
        raise errors.param("this logistics channel is integrated: use pickup or dropoff")
    if methods[0] == "pickup":
        if method.required_int("address_id") != _address_id(ctx.shop):
            raise errors.param("pickup.address_id is not an address of this shop")
        if method.required_text("pickup_time_id") not in {s["pickup_time_id"] for s in _pickup_slots(ctx)}:
            raise errors.param("pickup.pickup_time_id is not an available time slot")
    tracking = method.text("tracking_number", required=False)
    ctx.sandbox.arrange_shipment(order.order_sn, tracking)
    return Reply()


def cancel_order(ctx: Ctx) -> Reply:
    body = ctx.body
    order = _order(ctx, body.required_text("order_sn"))
    reason = body.required_text("cancel_reason")
    if reason not in CANCEL_REASONS:
        raise errors.param(f"cancel_reason should be one of {', '.join(CANCEL_REASONS)}")
    if reason == "UNDELIVERABLE_AREA" and order.region not in ("TW", "MY"):
        raise errors.param("UNDELIVERABLE_AREA is only available in TW and MY")
    if reason == "OUT_OF_STOCK":
        bought = {(line.item_id, line.model_id) for line in order.lines}
        for entry in body.objects("item_list", low=1):
            key = (entry.required_int("item_id"), entry.integer("model_id", required=False) or 0)
            if key not in bought:
                raise errors.param(f"item_id {key[0]} model_id {key[1]} is not in this order")
    if order.status not in CANCELLABLE:
        raise errors.param(f"the order is {order.status} and can no longer be cancelled by the seller")
    ctx.sandbox.set_order_status(
        order.order_sn, "CANCELLED", cancel_by="seller", cancel_reason=CANCEL_REASONS[reason]
    )
    return Reply({"update_time": order.update_time})


ENDPOINTS = [
    Endpoint("GET", "/api/v2/order/get_order_list", get_order_list),
    Endpoint("GET", "/api/v2/order/get_order_detail", get_order_detail),
    Endpoint("GET", "/api/v2/logistics/get_shipping_parameter", get_shipping_parameter),
    Endpoint("POST", "/api/v2/logistics/ship_order", ship_order),
    Endpoint("POST", "/api/v2/order/cancel_order", cancel_order),
]
