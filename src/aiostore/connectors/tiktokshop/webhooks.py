"""TikTok Shop pushes: parsing into ``WebhookEvent`` (verification: ``signing.verify_webhook``).

A push is ``{"type", "tts_notification_id", "shop_id", "timestamp", "data": {...}}`` (§B8). Type 1
(ORDER_STATUS_CHANGE) carries ``data.order_id``, ``data.order_status`` and ``data.update_time``; type 12
(RETURN_STATUS_CHANGE) ``data.order_id`` and ``data.return_status``; type 11 (CANCELLATION_STATUS_CHANGE)
``data.order_id`` and ``data.cancel_status``. A push only signals a change: the service re-reads the order.

The event id is the dedup key: ``tts_notification_id`` when TikTok sends one (a re-delivery repeats it),
else one built from the shop, type, order, status and update time.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aiostore.connectors.dtos import WebhookEvent, WebhookKind
from aiostore.connectors.pushes import read_push, when
from aiostore.connectors.tiktokshop.errors import PLATFORM
from aiostore.connectors.tiktokshop.order_mapping import GOODS_BACK, RETURN_DONE, unified_status
from aiostore.domain.orders import OrderStatus
from aiostore.domain.platforms import Platform

ORDER_STATUS_CHANGE, REVERSE_ORDER_STATUS_CHANGE, CANCELLATION_STATUS_CHANGE, RETURN_STATUS_CHANGE = (
    1,
    2,
    11,
    12,
)
KIND_BY_TYPE: dict[int, WebhookKind] = {
    ORDER_STATUS_CHANGE: WebhookKind.ORDER_STATUS,
    REVERSE_ORDER_STATUS_CHANGE: WebhookKind.ORDER_STATUS,
    4: WebhookKind.ORDER_TRACKING,  # PACKAGE_UPDATE
    5: WebhookKind.PRODUCT,  # PRODUCT_STATUS_CHANGE
    6: WebhookKind.SHOP_DEAUTHORIZED,  # SELLER_DEAUTHORIZATION
    7: WebhookKind.AUTHORIZATION_EXPIRING,  # UPCOMING_AUTHORIZATION_EXPIRATION
    CANCELLATION_STATUS_CHANGE: WebhookKind.ORDER_STATUS,
    RETURN_STATUS_CHANGE: WebhookKind.ORDER_STATUS,
    37: WebhookKind.PRODUCT,  # PRODUCT_AUDIT_STATUS_CHANGE
}
CANCELLED_STATUSES = frozenset({"CANCELLATION_REQUEST_COMPLETE", "CANCELLATION_REQUEST_SUCCESS"})


def _status(push_type: int, data: dict[str, Any]) -> tuple[OrderStatus | None, str]:
    if push_type == ORDER_STATUS_CHANGE:
        word = str(data.get("order_status") or "")
        return unified_status(word), word
    if push_type == RETURN_STATUS_CHANGE:
        word = str(data.get("return_status") or "")
        goods_back = data.get("return_type", "RETURN_AND_REFUND") in GOODS_BACK
        return (OrderStatus.RETURNED if word == RETURN_DONE and goods_back else None), word
    if push_type == CANCELLATION_STATUS_CHANGE:
        word = str(data.get("cancel_status") or "")
        return (OrderStatus.CANCELLED if word in CANCELLED_STATUSES else None), word
    return None, str(data.get("status") or data.get("order_status") or "")


def parse_push(raw_body: bytes, *, platform: Platform = Platform("tiktokshop")) -> WebhookEvent:
    push = read_push(raw_body, "type", PLATFORM)
    push_type, data = push.code, push.data
    shop_id = str(push.body["shop_id"]) if push.body.get("shop_id") else None
    order_id = str(data["order_id"]) if data.get("order_id") else None
    item_id = str(data["product_id"]) if data.get("product_id") else None
    status, platform_status = _status(push_type, data)
    notification = push.body.get("tts_notification_id")
    if notification:
        key = f"n:{notification}"
    elif order_id:
        changed_at = data.get("update_time") or push.timestamp
        key = f"{shop_id}:{push_type}:{order_id}:{platform_status}:{changed_at}"
    else:
        key = push.fallback_key(shop_id)
    return WebhookEvent(
        event_id=f"{platform.value}:{key}",
        platform=platform,
        shop_id=shop_id,
        kind=KIND_BY_TYPE.get(push_type, WebhookKind.OTHER),
        platform_code=str(push_type),
        occurred_at=when(data.get("update_time")) or when(push.timestamp) or datetime.now(UTC),
        order_id=order_id,
        status=status,
        platform_status=platform_status,
        item_id=item_id,
    )
