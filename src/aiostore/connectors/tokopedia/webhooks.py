"""Tokopedia webhooks: parsing into ``WebhookEvent`` (verification: ``signing.verify_webhook``).

Order webhooks (lazada-tokopedia.md §B8, "Order Notification Data Schema"):
- order_notification (a new order reached 220, payment verified): the whole order, with ``products``,
  ``invoice_num`` / ``invoice_ref_num``, ``order_status`` and ``create_time``;
- order_status and order_cancellation: ``{fs_id, order_status, order_id, shop_id, warehouse_id,
  product_details[]}``, with no time at all.
A push only signals a change: the service re-reads the order. The event id is the dedup key: the order and
the status it reached (a status is reached once), so the same push delivered twice has the same id.
Other webhooks (products, chat, campaigns) are kept as ``OTHER`` with a digest of the body as key.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from aiostore.connectors.dtos import WebhookEvent, WebhookKind
from aiostore.connectors.errors import InvalidRequest, UnexpectedResponse
from aiostore.connectors.tokopedia.errors import PLATFORM
from aiostore.connectors.tokopedia.order_mapping import parse_time, unified_status
from aiostore.domain.platforms import Platform


def _kind(push: dict[str, Any]) -> tuple[WebhookKind, str]:
    if "order_id" in push and "order_status" in push:
        return WebhookKind.ORDER_STATUS, "order_notification" if "products" in push else "order_status"
    if "product_changes_data" in push or "product_id" in push:
        return WebhookKind.PRODUCT, "product"
    return WebhookKind.OTHER, "other"


def parse_push(raw_body: bytes, *, now: datetime | None = None) -> WebhookEvent:
    try:
        push = json.loads(raw_body)
    except ValueError as exc:
        raise InvalidRequest("webhook body is not JSON", platform=PLATFORM) from exc
    if not isinstance(push, dict):
        raise InvalidRequest("webhook body is not a JSON object", platform=PLATFORM)
    kind, code = _kind(push)
    shop_id = str(push["shop_id"]) if push.get("shop_id") not in (None, "", 0) else None
    try:
        occurred = parse_time(push.get("create_time")) if code == "order_notification" else None
    except UnexpectedResponse:
        occurred = None
    occurred = occurred or now or datetime.now(UTC)
    if kind is WebhookKind.ORDER_STATUS:
        order_id, status = str(push["order_id"]), str(push["order_status"])
        key = f"{shop_id}:order:{order_id}:{status}"
        return WebhookEvent(
            event_id=f"{PLATFORM}:{key}",
            platform=Platform("tokopedia"),
            shop_id=shop_id,
            kind=kind,
            platform_code=code,
            occurred_at=occurred,
            order_id=order_id,
            status=unified_status(status),
            platform_status=status,
        )
    digest = hashlib.sha256(json.dumps(push, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
    return WebhookEvent(
        event_id=f"{PLATFORM}:{shop_id}:{code}:{digest[:24]}",
        platform=Platform("tokopedia"),
        shop_id=shop_id,
        kind=kind,
        platform_code=code,
        occurred_at=occurred,
    )
