"""Order and fulfilment endpoints (lazada-tokopedia.md §A4 order rows, §A5 statuses; the API reference).

- /orders/get: ``update_after`` or ``created_after`` required (ISO 8601), ``*_before``, ``status``,
  ``sort_by`` created_at|updated_at, ``sort_direction`` ASC|DESC (default DESC), ``offset`` ≤ 5000,
  ``limit`` ≤ 100; ``count`` (this page) and ``countTotal``.
- /order/get, /order/items/get, /orders/items/get (``order_ids`` a JSON array of ≤ 50; one unknown id
  fails the call, E037).
- /order/shipment/providers/get, /order/fulfill/pack (``packReq``), /order/package/rts
  (``readyToShipReq``): batches of ≤ 20, outcome per item or package (``item_err_code`` "0" = done).
- /order/reverse/cancel/validate and /order/reverse/cancel/create: the reasons offered for the order,
  then the seller's cancellation of the chosen items.
"""

from __future__ import annotations

from typing import Any

from aiostore.sandbox.lazada import errors
from aiostore.sandbox.lazada.dispatch import Ctx, Endpoint, Reply, endpoint
from aiostore.sandbox.lazada.errors import LazadaError
from aiostore.sandbox.lazada.models import CANCEL_REASONS, ITEM_STATUSES, SELLER_CANCELLABLE, Order
from aiostore.sandbox.lazada.order_json import item_json, order_json

PACKABLE = frozenset({"pending", "topack", "repacked"})
STATUS_FILTERS = ITEM_STATUSES | {"all", "toship", "topack", "shipping", "lost", "failed"}
FAR_FUTURE = 2**40


def _order(ctx: Ctx, order_id: str | int) -> Order:
    text = str(order_id)
    order = ctx.sandbox.orders.get(ctx.seller.seller_id, int(text)) if text.isdigit() else None
    if order is None:
        raise errors.business("16", f'E016: "{text}" Invalid Order ID')
    return order


def orders_get(ctx: Ctx) -> Reply:
    p, config = ctx.params, ctx.sandbox.config
    bad_date = errors.business("17", "E017: Invalid Date Format")
    updated = (p.date("update_after", bad_date), p.date("update_before", bad_date))
    created = (p.date("created_after", bad_date), p.date("created_before", bad_date))
    if updated[0] is None and created[0] is None:
        raise errors.missing("update_after")
    status = p.text("status")
    if status is not None and status not in STATUS_FILTERS:
        raise errors.business("36", "E036: Invalid status filter")
    sort_by = p.text("sort_by") or "created_at"
    if sort_by not in ("created_at", "updated_at"):
        raise errors.business("75", "E075: Invalid sort filter.")
    direction = (p.text("sort_direction") or "DESC").upper()
    if direction not in ("ASC", "DESC"):
        raise errors.business("74", "E074: Invalid sort direction.")
    offset = p.integer(
        "offset",
        0,
        high=config.order_offset_max,
        error=errors.business("14", f'E014: "{p.text("offset")}" Invalid Offset'),
    )
    limit = p.integer(
        "limit",
        100,
        low=1,
        high=config.order_page_max,
        error=errors.business("19", f'E019: "{p.text("limit")}" Invalid Limit'),
    )
    by_update = updated[0] is not None
    low, high = updated if by_update else created
    window, _ = ctx.sandbox.orders.page(
        ctx.seller.seller_id,
        "updated_at" if by_update else "created_at",
        low or 0,
        high or FAR_FUTURE,
        0,
        2**31,
    )
    other_low, other_high = created if by_update else updated
    chosen = [
        o
        for o in window
        if (other_low is None or (o.created if by_update else o.updated) >= other_low)
        and (other_high is None or (o.created if by_update else o.updated) <= other_high)
        and (status in (None, "all") or _has_status(o, status))
    ]
    key = (
        (lambda o: (o.updated, o.order_id))
        if sort_by == "updated_at"
        else (lambda o: (o.created, o.order_id))
    )
    chosen.sort(key=key, reverse=direction == "DESC")
    page = chosen[offset : offset + limit]
    return Reply(
        {"count": len(page), "countTotal": len(chosen), "orders": [order_json(o, ctx.seller) for o in page]}
    )


def _has_status(order: Order, status: str) -> bool:
    aliases = {
        "toship": {"ready_to_ship"},
        "topack": {"pending", "topack"},
        "shipping": {"shipped"},
        "lost": {"lost_by_3pl"},
        "failed": {"failed_delivery"},
    }
    return bool(set(order.statuses) & aliases.get(status, {status}))


def order_get(ctx: Ctx) -> Reply:
    return Reply(order_json(_order(ctx, ctx.params.required("order_id")), ctx.seller))


def order_items_get(ctx: Ctx) -> Reply:
    order = _order(ctx, ctx.params.required("order_id"))
    return Reply([item_json(order, i, ctx.seller) for i in order.items])


def orders_items_get(ctx: Ctx) -> Reply:
    ids = ctx.params.id_list(
        "order_ids",
        limit=ctx.sandbox.config.order_ids_max,
        too_many=errors.business("38", "E038: Too many orders were requested"),
        bad=errors.business("56", "E056: Invalid OrdersIdList format. Must use array format [1,2]"),
    )
    orders = [ctx.sandbox.orders.get(ctx.seller.seller_id, i) for i in dict.fromkeys(ids)]
    if any(o is None for o in orders):
        raise errors.business("37", "E037: One or more order id in the list are incorrect")
    return Reply(
        [
            {
                "order_id": o.order_id,
                "order_number": o.order_id,
                "order_items": [item_json(o, i, ctx.seller) for i in o.items],
            }
            for o in orders
            if o is not None
        ]
    )


def _batch(ctx: Ctx, name: str, key: str) -> list[dict[str, Any]]:
    request = ctx.params.json_object(name)
    entries = request.get(key)
    if not isinstance(entries, list) or not entries or not all(isinstance(e, dict) for e in entries):
        raise errors.business("700017", f"PARAM_IS_NULL: {name}.{key} can't be null")
    if len(entries) > ctx.sandbox.config.package_batch_max:
        raise errors.business("700022", "BATCH_SIZE_OUT_OF_LIMIT: batch size out of limit")
    return entries


def shipment_providers(ctx: Ctx) -> Reply:
    for entry in _batch(ctx, "getShipmentProvidersReq", "orders"):
        _order(ctx, entry.get("order_id", ""))
    return Reply({"platform_default": 1, "shipment_providers": [], "shipping_allocate_type": "TFS"})


def _item_result(item_id: Any, code: str, msg: str, **extra: Any) -> dict[str, Any]:
    return {"order_item_id": item_id, "msg": msg, "item_err_code": code, "retry": False, **extra}


def pack(ctx: Ctx) -> Reply:
    request = ctx.params.json_object("packReq")
    entries = _batch(ctx, "packReq", "pack_order_list")
    if request.get("delivery_type") != "dropship":
        raise errors.business("700004", "PARAM_ILLEGAL: delivery_type must be dropship")
    if request.get("shipping_allocate_type") not in ("TFS", "NTFS"):
        raise errors.business("700017", "PARAM_IS_NULL: shipping_allocate_type can't be null")
    answer = []
    for entry in entries:
        raw_ids = entry.get("order_item_list")
        ids: list[Any] = raw_ids if isinstance(raw_ids, list) else []
        order = (
            ctx.sandbox.orders.get(ctx.seller.seller_id, int(entry["order_id"]))
            if str(entry.get("order_id", "")).isdigit()
            else None
        )
        results: list[dict[str, Any]] = []
        ready = []
        for item_id in ids:
            item = next((i for i in order.items if i.order_item_id == item_id), None) if order else None
            if order is None:
                results.append(_item_result(item_id, "700021", "order not found"))
            elif item is None:
                results.append(_item_result(item_id, "700025", "order item not found"))
            elif item.status not in PACKABLE:
                results.append(
                    _item_result(item_id, "700026", f"item current status {item.status} not allow to pack")
                )
            else:
                ready.append(item)
        if order is not None and ready:
            for item in ctx.sandbox.pack(order, ready):
                results.append(
                    _item_result(
                        item.order_item_id,
                        "0",
                        "success",
                        tracking_number=item.tracking_code,
                        shipment_provider=item.shipment_provider,
                        package_id=item.package_id,
                    )
                )
        answer.append({"order_id": entry.get("order_id"), "order_item_list": results})
    return Reply({"pack_order_list": answer})


def ready_to_ship(ctx: Ctx) -> Reply:
    answer = []
    for entry in _batch(ctx, "readyToShipReq", "packages"):
        package_id = str(entry.get("package_id") or "")
        order_id = ctx.sandbox.packages.get(package_id)
        order = ctx.sandbox.orders.get(ctx.seller.seller_id, order_id) if order_id is not None else None
        items = [i for i in order.items if i.package_id == package_id] if order else []
        if order is None or not items:
            code, msg = "600001", "package not found"
        elif all(i.status == "canceled" for i in items):
            code, msg = "600002", "package already cancelled"
        elif any(i.status not in ("packed", "repacked") for i in items if i.status != "canceled"):
            code, msg = "700000", "current package status not allow to operation"
        else:
            live = [i.order_item_id for i in items if i.status != "canceled"]
            ctx.sandbox.set_order_status(order.order_id, "ready_to_ship", items=live)
            code, msg = "0", "success"
        answer.append({"package_id": package_id, "item_err_code": code, "msg": msg, "retry": False})
    return Reply({"packages": answer})


def _cancel_items(ctx: Ctx) -> tuple[Order, list[int], LazadaError | None]:
    order_id = ctx.params.text("order_id")
    if order_id is None:
        raise errors.business("115", "E0115: order id is null")
    order = ctx.sandbox.orders.get(ctx.seller.seller_id, int(order_id)) if order_id.isdigit() else None
    if order is None:
        raise errors.business("122", "E0122: invalid trade order")
    bad = errors.business("102", "E0102: trade order line id is empty or invalid")
    ids = ctx.params.id_list("order_item_id_list", limit=10_000, too_many=bad, bad=bad)
    known = {i.order_item_id: i for i in order.items}
    if not ids or any(i not in known for i in ids):
        raise errors.business("123", f"E0123: invalid trade order lines {ids}")
    stuck = [i for i in ids if known[i].status not in SELLER_CANCELLABLE]
    problem = (
        errors.business("123", f"E0123: invalid trade order lines {stuck}: they can no longer be cancelled")
        if stuck
        else None
    )
    return order, ids, problem


def _reasons(order: Order) -> list[dict[str, str]]:
    cod = order.payment_method == "COD"
    return [{"reason_id": k, "reason_name": v} for k, v in CANCEL_REASONS.items() if cod or "Cash" not in v]


def cancel_validate(ctx: Ctx) -> Reply:
    order, _, problem = _cancel_items(ctx)
    if problem is not None:
        return Reply({"tip_type": "error", "tip_content": problem.message, "reason_options": []})
    return Reply(
        {
            "tip_type": "warn",
            "tip_content": "Cancelling orders affects your seller rating.",
            "reason_options": _reasons(order),
        }
    )


def cancel_create(ctx: Ctx) -> Reply:
    order, ids, problem = _cancel_items(ctx)
    if problem is not None:
        raise problem
    reason_id = ctx.params.text("reason_id") or ""
    if reason_id not in {r["reason_id"] for r in _reasons(order)}:
        raise errors.business("104", "E0104: reason is empty or invalid")
    ctx.sandbox.set_order_status(
        order.order_id,
        "canceled",
        items=ids,
        reason=CANCEL_REASONS[reason_id],
        initiator="cancellation-seller",
    )
    return Reply({"tip_type": "", "tip_content": ""})


ENDPOINTS: list[Endpoint] = [
    endpoint("GET", "/orders/get", orders_get),
    endpoint("GET", "/order/get", order_get),
    endpoint("GET", "/order/items/get", order_items_get),
    endpoint("GET", "/orders/items/get", orders_items_get),
    endpoint("GET/POST", "/order/shipment/providers/get", shipment_providers, envelope="result"),
    endpoint("POST", "/order/fulfill/pack", pack, envelope="result"),
    endpoint("POST", "/order/package/rts", ready_to_ship, envelope="result"),
    endpoint("GET/POST", "/order/reverse/cancel/validate", cancel_validate),
    endpoint("GET/POST", "/order/reverse/cancel/create", cancel_create),
]
