"""Shopee pushes: verification (``signing.verify_push``) and parsing into ``WebhookEvent``.

A push is ``{"shop_id", "code", "timestamp", "data": {...}}``. Code 3 (order status) carries
``data.ordersn`` (no underscore), ``data.status`` (an order status) and ``data.update_time``. A push only
signals a change: the service re-reads the order. The event id is the dedup key: the same change
delivered twice has the same id, a later change of the same order a new one.
"""

from __future__ import annotations

from datetime import UTC, datetime

from aiostore.connectors.dtos import WebhookEvent, WebhookKind
from aiostore.connectors.pushes import read_push, when
from aiostore.connectors.shopee.errors import PLATFORM
from aiostore.connectors.shopee.order_mapping import unified_status
from aiostore.domain.platforms import Platform

KIND_BY_CODE: dict[int, WebhookKind] = {
    1: WebhookKind.SHOP_AUTHORIZED,
    2: WebhookKind.SHOP_DEAUTHORIZED,
    3: WebhookKind.ORDER_STATUS,
    4: WebhookKind.ORDER_TRACKING,
    6: WebhookKind.PRODUCT,
    8: WebhookKind.STOCK,
    12: WebhookKind.AUTHORIZATION_EXPIRING,
}


def parse_push(raw_body: bytes) -> WebhookEvent:
    push = read_push(raw_body, "code", PLATFORM)
    code, data = push.code, push.data
    shop_id = str(push.body["shop_id"]) if push.body.get("shop_id") else None
    kind = KIND_BY_CODE.get(code, WebhookKind.OTHER)
    occurred = when(data.get("update_time")) or when(push.timestamp) or datetime.now(UTC)
    order_id = data.get("ordersn") or data.get("order_sn")
    platform_status = str(data.get("status") or data.get("item_status") or "")
    item_id = data.get("item_id") if kind is WebhookKind.PRODUCT else None
    if code == 3 and order_id:
        changed_at = data.get("update_time") or push.timestamp
        key = f"{shop_id}:{code}:{order_id}:{platform_status}:{changed_at}"
    else:
        key = push.fallback_key(shop_id)
    return WebhookEvent(
        event_id=f"{PLATFORM}:{key}",
        platform=Platform("shopee"),
        shop_id=shop_id,
        kind=kind,
        platform_code=str(code),
        occurred_at=occurred,
        order_id=str(order_id) if order_id else None,
        status=unified_status(platform_status) if code == 3 and platform_status else None,
        platform_status=platform_status,
        item_id=str(item_id) if item_id else None,
    )
