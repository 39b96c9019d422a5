"""Order, fulfillment and return_refund endpoints (shopee-tiktokshop.md §B4 order rows, §B5 statuses).

- POST /order/202309/orders/search: page_size 1-100, page_token, sort_field create_time|update_time,
  sort_order ASC|DESC (default DESC) in the query; order_status and ``*_time_ge`` / ``*_time_lt`` filters in
  the body; full orders (the Get Order Detail shape).
- GET /order/202309/orders?ids=…: 1-50 ids; unknown ids are left out.
- GET /fulfillment/202309/packages/{package_id}/handover_time_slots, POST …/packages/{package_id}/ship
  (AWAITING_SHIPMENT only; PICKUP needs an offered slot).
- POST /return_refund/202309/cancellations (whole orders; reason codes by status), POST …/returns/search.
The recipient address is absent while UNPAID/ON_HOLD; name and phone are desensitized (platform logistics).
"""

from __future__ import annotations

from typing import Any

from aiostore.sandbox.tiktokshop import errors
from aiostore.sandbox.tiktokshop.catalog import format_amount
from aiostore.sandbox.tiktokshop.dispatch import Ctx, Endpoint
from aiostore.sandbox.tiktokshop.models import CANCEL_REASONS, ORDER_STATUSES, Order, Shop
from aiostore.sandbox.tiktokshop.routes_product import decode_token, encode_token

DAY = 86400
_CANCEL_FAMILY = {"UNPAID": "UNPAID", "ON_HOLD": "PAID", "AWAITING_SHIPMENT": "PAID"}


def _mask(text: str) -> str:
    return text[:1] + "*" * max(len(text) - 2, 1) + text[-1:] if len(text) > 2 else "*" * len(text)


def _address(order: Order) -> dict[str, Any]:
    a = order.address
    return {
        "name": _mask(order.buyer.name),
        "phone_number": order.buyer.phone[:6] + "****" + order.buyer.phone[-2:],
        "full_address": a.full_address,
        "address_detail": a.full_address.split(",")[0],
        "postal_code": a.zipcode,
        "region_code": a.region,
        "district_info": [
            {"address_level_name": "Country", "address_name": a.region, "address_level": "L0"},
            {"address_level_name": "Province", "address_name": a.state, "address_level": "L1"},
            {"address_level_name": "City", "address_name": a.city, "address_level": "L2"},
            {"address_level_name": "District", "address_name": a.district, "address_level": "L3"},
        ],
    }


def order_json(order: Order, shop: Shop) -> dict[str, Any]:
    exponent, currency, package = shop.market.exponent, shop.market.currency, order.package
    paid = order.status != "UNPAID" and order.paid_time is not None

    def amount(minor: int) -> str:
        return format_amount(minor, exponent)

    original = sum(item.original_price for item in order.line_items)
    data: dict[str, Any] = {
        "id": order.order_id,
        "status": order.status,
        "create_time": order.create_time,
        "update_time": order.update_time,
        "user_id": order.user_id,
        "buyer_email": f"v{order.user_id[-8:]}@scs2.tiktok.com",
        "buyer_message": order.buyer_message,
        "is_cod": order.is_cod,
        "payment_method_name": order.payment_method_name,
        "payment": {
            "currency": currency,
            "sub_total": amount(order.sub_total),
            "shipping_fee": amount(order.shipping_fee),
            "seller_discount": amount(original - order.sub_total),
            "platform_discount": amount(0),
            "tax": amount(0),
            "total_amount": amount(order.total_amount),
            "original_total_product_price": amount(original),
            "original_shipping_fee": amount(order.shipping_fee),
            "shipping_fee_seller_discount": amount(0),
            "shipping_fee_platform_discount": amount(0),
        },
        "line_items": [
            {
                "id": item.line_id,
                "product_id": item.product_id,
                "product_name": item.product_name,
                "sku_id": item.sku_id,
                "seller_sku": item.seller_sku,
                "sku_name": item.sku_name,
                "sku_type": "NORMAL",
                "original_price": amount(item.original_price),
                "sale_price": amount(item.sale_price),
                "seller_discount": amount(item.original_price - item.sale_price),
                "platform_discount": amount(0),
                "currency": currency,
                "display_status": order.status,
                "is_gift": False,
                **({"package_id": package.package_id, "package_status": package.status} if paid else {}),
                "shipping_provider_id": package.shipping_provider_id,
                "shipping_provider_name": package.shipping_provider,
                "tracking_number": package.tracking_number,
                "cancel_reason": order.cancel_reason,
                "cancel_user": order.cancellation_initiator,
            }
            for item in order.line_items
        ],
        "packages": [{"id": package.package_id}] if paid else [],
        "shipping_type": "TIKTOK",
        "fulfillment_type": "FULFILLMENT_BY_SELLER",
        "delivery_type": "HOME_DELIVERY",
        "shipping_provider": package.shipping_provider,
        "shipping_provider_id": package.shipping_provider_id,
        "tracking_number": package.tracking_number,
        "delivery_option_id": "7091146663229654785",
        "delivery_option_name": "Standard shipping",
        "warehouse_id": shop.warehouse_id,
        "cancel_reason": order.cancel_reason,
        "cancellation_initiator": order.cancellation_initiator,
        "is_on_hold_order": False,
        "is_buyer_request_cancel": False,
        "is_sample_order": False,
        "is_replacement_order": False,
        "has_updated_recipient_address": False,
    }
    stamps = {
        "paid_time": order.paid_time,
        "rts_sla_time": order.paid_time + 3 * DAY if order.paid_time else None,
        "rts_time": order.rts_time,
        "collection_time": order.collection_time,
        "delivery_time": order.delivery_time,
        "cancel_time": order.cancel_time,
    }
    data.update({k: v for k, v in stamps.items() if v is not None})
    if order.status not in ("UNPAID", "ON_HOLD"):
        data["recipient_address"] = _address(order)
    return data


def _order(ctx: Ctx, order_id: str) -> Order:
    order = ctx.sandbox.orders.get(ctx.shop.shop_id, order_id)
    if order is None:
        raise errors.order_not_found(order_id)
    return order


def search_orders(ctx: Ctx) -> dict[str, Any]:
    query, body = ctx.query, ctx.body
    limit = query.page_size(ctx.sandbox.config.max_page_size)
    field = query.choice("sort_field", ("create_time", "update_time"), "create_time")
    descending = query.choice("sort_order", ("ASC", "DESC"), "DESC") == "DESC"
    token = query.text("page_token")
    after = None
    if token:
        stamp, _, order_id = decode_token(ctx, token).partition(":")
        if not stamp.isdigit() or not order_id:
            raise query_error(ctx, "page_token is invalid")
        after = (int(stamp), order_id)
    status = body.text("order_status", required=False)
    if status is not None and status not in ORDER_STATUSES:
        raise body.fail("order_status is invalid")
    other = "update_time" if field == "create_time" else "create_time"
    other_low, other_high = body.integer(f"{other}_ge", low=0), body.integer(f"{other}_lt", low=0)

    def accept(order: Order) -> bool:
        stamp = getattr(order, other)
        return (
            (status is None or order.status == status)
            and (other_low is None or stamp >= other_low)
            and (other_high is None or stamp < other_high)
        )

    filtered = status is not None or other_low is not None or other_high is not None
    orders, more, total = ctx.sandbox.orders.page(
        ctx.shop.shop_id,
        field,
        body.integer(f"{field}_ge", low=0),
        body.integer(f"{field}_lt", low=0),
        limit,
        descending=descending,
        after=after,
        accept=accept if filtered else None,
    )
    last = orders[-1] if orders else None
    next_token = encode_token(f"{getattr(last, field)}:{last.order_id}") if more and last else ""
    return {
        "orders": [order_json(o, ctx.shop) for o in orders],
        "next_page_token": next_token,
        "total_count": total,
    }


def query_error(ctx: Ctx, detail: str) -> errors.TikTokError:
    return errors.param(detail, ctx.query.code)


def get_orders(ctx: Ctx) -> dict[str, Any]:
    ids = list(dict.fromkeys(ctx.query.csv("ids", limit=ctx.sandbox.config.max_order_ids)))
    found = [o for o in (ctx.sandbox.orders.get(ctx.shop.shop_id, i) for i in ids) if o is not None]
    return {"orders": [order_json(o, ctx.shop) for o in found]}


def _package_order(ctx: Ctx) -> Order:
    package_id = ctx.path_params["package_id"]
    order = ctx.sandbox.orders.by_package(ctx.shop.shop_id, package_id)
    if order is None or order.status == "UNPAID":
        raise errors.package_not_found(package_id)
    return order


def _slots(now: int) -> list[dict[str, Any]]:
    midnight = now - now % DAY
    return [
        {
            "start_time": midnight + day * DAY + 2 * 3600,
            "end_time": midnight + day * DAY + 10 * 3600,
            "avaliable": True,
        }
        for day in (1, 2, 3)
    ]


def handover_time_slots(ctx: Ctx) -> dict[str, Any]:
    _package_order(ctx)
    return {
        "can_pickup": True,
        "can_drop_off": True,
        "can_van_collection": False,
        "drop_off_point_url": "https://seller.tiktokshop.com/logistics/drop-off-points",
        "pickup_slots": _slots(ctx.now),
    }


def ship_package(ctx: Ctx) -> dict[str, Any]:
    body, sandbox = ctx.body, ctx.sandbox
    order = _package_order(ctx)
    if order.status != "AWAITING_SHIPMENT":
        raise errors.package_state(
            f"the order is {order.status}; only AWAITING_SHIPMENT packages can be shipped"
        )
    package = order.package
    self_shipment = body.object("self_shipment", required=False)
    if self_shipment is not None:
        package.tracking_number = self_shipment.required_text("tracking_number")
        package.shipping_provider_id = self_shipment.required_text("shipping_provider_id")
        package.handover_method = "SELF_SHIPMENT"
    else:
        method = body.text("handover_method", required=False) or "PICKUP"
        if method not in ("PICKUP", "DROP_OFF"):
            raise body.fail("handover_method must be PICKUP or DROP_OFF")
        if method == "PICKUP":
            slot = body.object("pickup_slot")
            assert slot is not None  # noqa: S101 - required
            offered = {(s["start_time"], s["end_time"]) for s in _slots(ctx.now)}
            if (
                slot.integer("start_time", required=True),
                slot.integer("end_time", required=True),
            ) not in offered:
                raise body.fail("pickup_slot is not an available time slot")
        package.handover_method = method
        package.tracking_number = f"JX{int(package.package_id) % 10**12:012d}"
    sandbox.orders.transition(order, "AWAITING_COLLECTION", ctx.now)
    sandbox.push_order(order)
    return {}


def cancel_order(ctx: Ctx) -> dict[str, Any]:
    body = ctx.body
    order = _order(ctx, body.required_text("order_id"))
    reason = body.required_text("cancel_reason")
    family = _CANCEL_FAMILY.get(order.status)
    if family is None:
        raise errors.cancel_not_allowed(order.status)
    if reason not in CANCEL_REASONS[family]:
        raise body.fail(
            f"cancel_reason must be one of {', '.join(CANCEL_REASONS[family])} for a {order.status} order"
        )
    line_ids = body.strings("order_line_item_ids", high=500)
    skus: dict[str, int] = {}
    for entry in body.objects("skus", required=False):
        quantity = entry.integer("quantity", required=True, low=1)
        assert quantity is not None  # noqa: S101 - required
        skus[entry.required_text("sku_id")] = skus.get(entry.required_text("sku_id"), 0) + quantity
    whole = {sku_id: n for (_, sku_id), n in order.units().items()}
    if (line_ids and set(line_ids) != {i.line_id for i in order.line_items}) or (skus and skus != whole):
        raise body.fail("partial cancellation is supported in the US and UK markets only")
    ctx.sandbox.cancel(order, CANCEL_REASONS[family][reason])
    return {"cancel_id": f"57{order.order_id[2:]}", "cancel_status": "CANCELLATION_REQUEST_COMPLETE"}


def search_returns(ctx: Ctx) -> dict[str, Any]:
    body, book = ctx.body, ctx.sandbox.orders
    limit = ctx.query.page_size(50)
    token = ctx.query.text("page_token")
    after = decode_token(ctx, token) if token else ""
    order_ids = set(body.strings("order_ids", high=50))
    return_ids = set(body.strings("return_ids", high=50))
    statuses = set(body.strings("return_status", high=20))
    matching = sorted(
        (
            r
            for r in book.returns.values()
            if r.shop_id == ctx.shop.shop_id
            and (not order_ids or r.order_id in order_ids)
            and (not return_ids or r.return_id in return_ids)
            and (not statuses or r.return_status in statuses)
        ),
        key=lambda r: r.return_id,
    )
    page = [r for r in matching if r.return_id > after][: limit + 1]
    more, page = len(page) > limit, page[:limit]
    return {
        "return_orders": [
            {
                "return_id": r.return_id,
                "order_id": r.order_id,
                "return_type": r.return_type,
                "return_status": r.return_status,
                "role": "BUYER",
                "return_reason": "ecom_order_delivered_refund_and_return_reason_wrong_item",
                "create_time": r.create_time,
                "update_time": r.update_time,
                "return_line_items": [{"order_line_item_id": i} for i in r.line_item_ids],
            }
            for r in page
        ],
        "next_page_token": encode_token(page[-1].return_id) if more else "",
        "total_count": len(matching),
    }


ENDPOINTS = [
    Endpoint("POST", "/order/202309/orders/search", search_orders, "shop", 16000004),
    Endpoint("GET", "/order/202309/orders", get_orders, "shop", 16000004),
    Endpoint(
        "GET",
        "/fulfillment/202309/packages/{package_id}/handover_time_slots",
        handover_time_slots,
        "shop",
        21001001,
    ),
    Endpoint("POST", "/fulfillment/202309/packages/{package_id}/ship", ship_package, "shop", 21001001),
    Endpoint("POST", "/return_refund/202309/cancellations", cancel_order, "shop", 25000001),
    Endpoint("POST", "/return_refund/202309/returns/search", search_returns, "shop", 25000001),
]
