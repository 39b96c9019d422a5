"""Order and logistics endpoints (lazada-tokopedia.md §B4, §B5).

- ``GET /v2/order/list``: ``fs_id``, ``from_date``/``to_date`` (Unix seconds, by order time, at most the
  configured window apart), ``page`` ≥ 1, ``per_page`` 1-100, optional ``shop_id``/``warehouse_id`` and
  ``status``; only orders that reached 220 are listed.
- ``GET /v2/fs/{fs_id}/order?order_id=|invoice_num=``; ``POST .../ack`` (220 → 400), ``.../nack`` (reject:
  220 → 3 or 10, after acceptance 400 → 0), ``/inventory/v1/fs/{fs_id}/pick-up`` (400 → 450),
  ``.../status`` with ``order_status`` 500 and the AWB (400/450 → 500); the webhook payload of an order.
A wrong state answers 400 with ``ORD_USC_001`` (acknowledge, confirm), ``ORD_USC_014`` (reject) or
``LGS_USC_012`` (pickup).
"""

from __future__ import annotations

from typing import Any

from aiostore.sandbox.tokopedia import errors, render
from aiostore.sandbox.tokopedia.dispatch import Ctx, Endpoint
from aiostore.sandbox.tokopedia.models import Order, Shop

REASON_MAX = 200
NACK_CODES = frozenset({0, 1, 2, 3, 4, 5, 7, 8})


def order_list(ctx: Ctx) -> list[dict[str, Any]]:
    config, book = ctx.sandbox.config, ctx.sandbox.orders
    time_from = ctx.required("from_date", code="ORD_API_002", low=0)
    time_to = ctx.required("to_date", code="ORD_API_002", low=0)
    window = config.order_list_max_window
    if time_to < time_from or (window is not None and time_to - time_from > window):
        days = f"{window / 86400:g} days" if window is not None else "any range"
        raise errors.malformed("ORD_API_002", f"to_date must follow from_date, at most {days} later")
    page = ctx.required("page", code="ORD_API_002", low=1)
    per_page = ctx.required("per_page", code="ORD_API_002", low=1, high=config.order_page_max)
    status = ctx.integer("status", code="ORD_API_002")
    warehouse = ctx.integer("warehouse_id", code="ORD_API_002")
    shops: list[Shop] = (
        [ctx.shop] if ctx.shop_or_none else [ctx.sandbox.shops[s] for s in sorted(ctx.app.linked_shops)]
    )
    if warehouse is not None:
        shops = [s for s in shops if s.warehouse_id == warehouse]
    orders = [o for shop in shops for o in book.listed(shop.shop_id, time_from, time_to, status)]
    chosen = orders[(page - 1) * per_page : page * per_page]
    return [render.order_row(o, ctx.sandbox.shops[o.shop_id], ctx.app.fs_id) for o in chosen]


def _order(ctx: Ctx, order_id: int) -> Order:
    order = ctx.sandbox.orders.get(order_id)
    if order is None or order.payment_time is None:
        raise errors.not_found("ORD_API_008", "data not found")
    if order.shop_id not in ctx.app.linked_shops:
        raise errors.not_linked(order.shop_id, ctx.app.fs_id)
    return order


def single_order(ctx: Ctx) -> dict[str, Any]:
    order_id = ctx.integer("order_id", code="ORD_API_002")
    if order_id is None:
        invoice = ctx.text("invoice_num")
        found = next((o for o in ctx.sandbox.orders.orders.values() if o.invoice == invoice), None)
        if invoice is None or found is None:
            raise (
                errors.not_found("ORD_API_008", "data not found")
                if invoice
                else errors.malformed("ORD_API_002", "give order_id or invoice_num")
            )
        order_id = found.order_id
    order = _order(ctx, order_id)
    return render.single_order(order, ctx.sandbox.shops[order.shop_id])


def _state(order: Order, allowed: frozenset[int], code: str, what: str) -> None:
    if order.status not in allowed:
        raise errors.malformed(code, f"cannot {what} order {order.order_id} in status {order.status}")


def ack(ctx: Ctx) -> str:
    order = _order(ctx, ctx.path_int("order_id", "ORD_API_002"))
    _state(order, frozenset({220, 221}), "ORD_USC_001", "accept")
    ctx.sandbox.set_order_status(order.order_id, 400, by="seller", message="Order accepted")
    return "success"


def nack(ctx: Ctx) -> str:
    order = _order(ctx, ctx.path_int("order_id", "ORD_API_002"))
    body = ctx.body if isinstance(ctx.body, dict) else {}
    code, reason = body.get("reason_code", 0), body.get("reason", "")
    if not isinstance(code, int) or code not in NACK_CODES:
        raise errors.malformed("ORD_USC_014", f"reason_code must be one of {sorted(NACK_CODES)}")
    if not isinstance(reason, str) or len(reason) > REASON_MAX or (code in (0, 7, 8) and not reason):
        raise errors.malformed(
            "ORD_USC_014", f"reason is required for codes 0, 7 and 8, at most {REASON_MAX} chars"
        )
    if code == 4 and not (body.get("shop_close_end_date") and body.get("shop_close_note")):
        raise errors.malformed(
            "ORD_USC_014", "shop_close_end_date and shop_close_note are required for code 4"
        )
    if code == 1:
        empty = body.get("empty_products")
        bought = {line.product_id for line in order.lines}
        if not isinstance(empty, list) or not empty or not set(empty) <= bought:
            raise errors.malformed("ORD_USC_014", "empty_products must list products of this order")
    _state(order, frozenset({220, 221, 400}), "ORD_USC_014", "reject")
    status = 0 if order.status == 400 else (3 if code == 1 else 10)
    ctx.sandbox.set_order_status(order.order_id, status, by="seller", message=reason or f"reason {code}")
    return "success"


def request_pickup(ctx: Ctx) -> dict[str, Any]:
    body = ctx.body if isinstance(ctx.body, dict) else {}
    raw = body.get("order_id")
    if not isinstance(raw, int):
        raise errors.malformed("LGS_USC_001", "order_id must be an integer")
    order = _order(ctx, raw)
    if order.shop_id != ctx.shop.shop_id:
        raise errors.not_linked(ctx.shop.shop_id, ctx.app.fs_id)
    _state(order, frozenset({400}), "LGS_USC_012", "request a pickup for")
    order.awb = order.awb or f"TKP{order.order_id:012d}"
    ctx.sandbox.set_order_status(order.order_id, 450, by="seller", message="Pickup requested")
    return {
        "order_id": order.order_id,
        "shop_id": order.shop_id,
        "request_time": render.rfc3339(ctx.now).replace("T", " ").rstrip("Z"),
        "result": "success",
    }


def confirm_shipping(ctx: Ctx) -> str:
    order = _order(ctx, ctx.path_int("order_id", "ORD_API_002"))
    body = ctx.body if isinstance(ctx.body, dict) else {}
    awb = body.get("shipping_ref_num")
    if body.get("order_status") != 500 or not isinstance(awb, str) or not awb.strip():
        raise errors.malformed("ORD_USC_001", "send order_status 500 with the shipping_ref_num (AWB)")
    _state(order, frozenset({400, 450}), "ORD_USC_001", "confirm shipping of")
    order.awb = awb.strip()
    ctx.sandbox.set_order_status(order.order_id, 500, by="seller", message=f"AWB {order.awb}")
    return "success"


def webhook_payload(ctx: Ctx) -> dict[str, Any]:
    order = _order(ctx, ctx.path_int("order_id", "ORD_API_002"))
    kind = ctx.text("type")
    if kind == "order_notification":
        return render.order_notification(order, ctx.sandbox.shops[order.shop_id], ctx.app.fs_id)
    if kind == "order_status":
        return render.order_status_payload(order, ctx.app.fs_id)
    raise errors.malformed("ORD_API_002", "type must be order_notification or order_status")


ENDPOINTS = [
    Endpoint("GET", "/v2/order/list", order_list, shop="optional"),
    Endpoint("GET", "/v2/fs/{fs_id}/order", single_order),
    Endpoint("POST", "/v1/order/{order_id}/fs/{fs_id}/ack", ack),
    Endpoint("POST", "/v1/order/{order_id}/fs/{fs_id}/nack", nack),
    Endpoint("POST", "/inventory/v1/fs/{fs_id}/pick-up", request_pickup, shop="body"),
    Endpoint("POST", "/v1/order/{order_id}/fs/{fs_id}/status", confirm_shipping),
    Endpoint("GET", "/v1/order/{order_id}/fs/{fs_id}/webhook", webhook_payload),
]
