"""Lazada pushes (Lazada Push Mechanism): parsing into ``WebhookEvent`` (verification: ``signing``).

A push is ``{"seller_id", "message_type", "data": {...}, "timestamp", "site"}``. Message type 0 (trade
order) carries ``data.trade_order_id`` (the API's ``order_id``), ``data.trade_order_line_id`` (one order
item), ``data.order_status`` (that item's status) and ``data.status_update_time`` (seconds). A push only
signals a change: the service re-reads the order. Lazada delivers at least once (per order item), so the
event id names the item, its status and the time of the change: a repeat has the same id. Message type 8
(authorisation expiry alert) carries ``data.auth_expiry_time`` (seconds): the event's ``expires_at``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aiostore.connectors.dtos import WebhookEvent, WebhookKind
from aiostore.connectors.lazada.errors import PLATFORM
from aiostore.connectors.lazada.order_mapping import unified_status
from aiostore.connectors.pushes import read_push, when
from aiostore.domain.platforms import Platform

TRADE_ORDER = 0
AUTH_EXPIRY = 8  # "authorization token expiry alert": 48 h before, once a day, data.auth_expiry_time (s)
KIND_BY_TYPE: dict[int, WebhookKind] = {
    TRADE_ORDER: WebhookKind.ORDER_STATUS,
    1: WebhookKind.PRODUCT,  # product QC status
    3: WebhookKind.PRODUCT,  # product created
    4: WebhookKind.PRODUCT,  # product edited
    5: WebhookKind.PRODUCT,  # product deleted
    6: WebhookKind.STOCK,  # shallow stock
    AUTH_EXPIRY: WebhookKind.AUTHORIZATION_EXPIRING,
    12: WebhookKind.CATEGORIES_CHANGED,  # a broadcast: no seller
}


def _text(value: Any) -> str | None:
    return None if value in (None, "", "null") else str(value)


def parse_push(raw_body: bytes) -> WebhookEvent:
    push = read_push(raw_body, "message_type", PLATFORM)
    message_type, data = push.code, push.data
    shop_id = _text(push.body.get("seller_id")) or _text(data.get("seller_id"))
    occurred = when(data.get("status_update_time")) or when(push.timestamp) or datetime.now(UTC)
    order_id = _text(data.get("trade_order_id"))
    platform_status = str(data.get("order_status") or data.get("status") or "")
    item_id = _text(data.get("itemId") or data.get("item_id")) if message_type != TRADE_ORDER else None
    if message_type == TRADE_ORDER and order_id:
        line = data.get("trade_order_line_id") or data.get("reverse_order_line_id") or ""
        key = f"{shop_id}:{message_type}:{order_id}:{line}:{platform_status}:{data.get('status_update_time')}"
    else:
        key = push.fallback_key(shop_id)
    is_order = message_type == TRADE_ORDER and bool(platform_status)
    return WebhookEvent(
        event_id=f"{PLATFORM}:{key}",
        platform=Platform("lazada"),
        shop_id=shop_id,
        kind=KIND_BY_TYPE.get(message_type, WebhookKind.OTHER),
        platform_code=str(message_type),
        occurred_at=occurred,
        order_id=order_id,
        status=unified_status(platform_status) if is_order else None,
        platform_status=platform_status,
        item_id=item_id,
        expires_at=when(data.get("auth_expiry_time")) if message_type == AUTH_EXPIRY else None,
    )
