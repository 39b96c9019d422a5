"""Lazada pushes (Lazada Push Mechanism): parsing into ``WebhookEvent`` (verification: ``signing``).

A push is ``{"seller_id", "message_type", "data": {...}, "timestamp", "site"}``. Message type 0 (trade
order) carries ``data.trade_order_id`` (the API's ``order_id``), ``data.trade_order_line_id`` (one order
item), ``data.order_status`` (that item's status) and ``data.status_update_time`` (seconds). A push only
signals a change: the service re-reads the order. Lazada delivers at least once (per order item), so the
event id names the item, its status and the time of the change: a repeat has the same id.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from aiostore.connectors.dtos import WebhookEvent, WebhookKind
from aiostore.connectors.errors import InvalidRequest
from aiostore.connectors.lazada.errors import PLATFORM
from aiostore.connectors.lazada.order_mapping import unified_status
from aiostore.domain.platforms import Platform

TRADE_ORDER = 0
KIND_BY_TYPE: dict[int, WebhookKind] = {
    TRADE_ORDER: WebhookKind.ORDER_STATUS,
    1: WebhookKind.PRODUCT,  # product QC status
    3: WebhookKind.PRODUCT,  # product created
    4: WebhookKind.PRODUCT,  # product edited
    5: WebhookKind.PRODUCT,  # product deleted
    6: WebhookKind.STOCK,  # shallow stock
    8: WebhookKind.AUTHORIZATION_EXPIRING,
}


def _when(value: Any) -> datetime | None:
    """Seconds or milliseconds since the epoch (Lazada's samples use both)."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    if number <= 0:
        return None
    return datetime.fromtimestamp(number / 1000 if number > 10**11 else number, UTC)


def _text(value: Any) -> str | None:
    return None if value in (None, "", "null") else str(value)


def parse_push(raw_body: bytes) -> WebhookEvent:
    try:
        push = json.loads(raw_body)
    except ValueError as exc:
        raise InvalidRequest("push body is not JSON", platform=PLATFORM) from exc
    if not isinstance(push, dict) or "message_type" not in push:
        raise InvalidRequest("push body has no message_type", platform=PLATFORM)
    try:
        message_type = int(push["message_type"])
    except (TypeError, ValueError) as exc:
        raise InvalidRequest(
            f"message_type {push['message_type']!r} is not a number", platform=PLATFORM
        ) from exc
    raw_data = push.get("data")
    data: dict[str, Any] = raw_data if isinstance(raw_data, dict) else {}
    shop_id = _text(push.get("seller_id")) or _text(data.get("seller_id"))
    occurred = _when(data.get("status_update_time")) or _when(push.get("timestamp")) or datetime.now(UTC)
    order_id = _text(data.get("trade_order_id"))
    platform_status = str(data.get("order_status") or "")
    if message_type == TRADE_ORDER and order_id:
        line = data.get("trade_order_line_id") or data.get("reverse_order_line_id") or ""
        key = f"{shop_id}:{message_type}:{order_id}:{line}:{platform_status}:{data.get('status_update_time')}"
    else:
        digest = hashlib.sha256(json.dumps(data, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
        key = f"{shop_id}:{message_type}:{push.get('timestamp')}:{digest[:16]}"
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
    )
