"""Shopee pushes: verification (``signing.verify_push``) and parsing into ``WebhookEvent``.

A push is ``{"shop_id", "code", "timestamp", "data": {...}}``. Code 3 (order status) carries
``data.ordersn`` (no underscore), ``data.status`` (an order status) and ``data.update_time``. A push only
signals a change: the service re-reads the order. The event id is the dedup key: the same change
delivered twice has the same id, a later change of the same order a new one.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from aiostore.connectors.dtos import WebhookEvent, WebhookKind
from aiostore.connectors.errors import InvalidRequest
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


def _when(value: Any) -> datetime | None:
    try:
        seconds = int(value)
    except (TypeError, ValueError):
        return None
    return datetime.fromtimestamp(seconds, UTC) if seconds > 0 else None


def parse_push(raw_body: bytes) -> WebhookEvent:
    try:
        push = json.loads(raw_body)
    except ValueError as exc:
        raise InvalidRequest("push body is not JSON", platform=PLATFORM) from exc
    if not isinstance(push, dict) or "code" not in push:
        raise InvalidRequest("push body has no code", platform=PLATFORM)
    try:
        code = int(push["code"])
    except (TypeError, ValueError) as exc:
        raise InvalidRequest(f"push code {push['code']!r} is not a number", platform=PLATFORM) from exc
    raw_data = push.get("data")
    data: dict[str, Any] = raw_data if isinstance(raw_data, dict) else {}
    shop_id = str(push["shop_id"]) if push.get("shop_id") else None
    kind = KIND_BY_CODE.get(code, WebhookKind.OTHER)
    occurred = _when(data.get("update_time")) or _when(push.get("timestamp")) or datetime.now(UTC)
    order_id = data.get("ordersn") or data.get("order_sn")
    platform_status = str(data.get("status") or "")
    if code == 3 and order_id:
        changed_at = data.get("update_time") or push.get("timestamp")
        key = f"{shop_id}:{code}:{order_id}:{platform_status}:{changed_at}"
    else:
        digest = hashlib.sha256(json.dumps(data, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
        key = f"{shop_id}:{code}:{push.get('timestamp')}:{digest[:16]}"
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
    )
