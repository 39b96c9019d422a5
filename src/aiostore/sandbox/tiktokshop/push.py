"""TikTok Shop push (webhook) messages (shopee-tiktokshop.md §B8).

A change becomes a push whose body is compact JSON in the key order of TikTok's samples
(``{"type", "tts_notification_id", "shop_id", "timestamp", "data"}``), POSTed to the shop's address for
that event type (PUT /event/202309/webhooks) or else the app's push URL, with
``Authorization`` = hex HMAC-SHA256(app_secret, app_key + body). The receiver must answer HTTP 200
(2xx is accepted); a failed delivery is retried (TikTok: at 2 min, 30 min, 3 h, 12 h; here
``push_retry_delay`` × attempt). A re-delivery repeats the same ``tts_notification_id``.

A retry is the same event sent again: its send time (`timestamp`) is set afresh and signed again (the field
is documented as the push's send time; that a platform's own retry does so is unverified, see
docs/architecture.md "Webhooks"), its identity (order, status, update time) unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from aiostore.sandbox.common import PushMessage
from aiostore.sandbox.common.push import signed_json, stamped_now
from aiostore.sandbox.tiktokshop.signing import push_signature

ORDER_STATUS_CHANGE = 1
CANCELLATION_STATUS_CHANGE = 11
RETURN_STATUS_CHANGE = 12
EVENT_TYPES = {
    "ORDER_STATUS_CHANGE": 1,
    "REVERSE_ORDER_STATUS_CHANGE": 2,
    "RECIPIENT_ADDRESS_UPDATE": 3,
    "PACKAGE_UPDATE": 4,
    "PRODUCT_STATUS_CHANGE": 5,
    "SELLER_DEAUTHORIZATION": 6,
    "UPCOMING_AUTHORIZATION_EXPIRATION": 7,
    "CANCELLATION_STATUS_CHANGE": 11,
    "RETURN_STATUS_CHANGE": 12,
    "PRODUCT_AUDIT_STATUS_CHANGE": 37,
}
PRODUCT_AUDIT_STATUS_CHANGE = 37
EVENT_NAMES = {number: name for name, number in EVENT_TYPES.items()}


def payload(
    push_type: int, notification_id: str, shop_id: str, timestamp: int, data: dict[str, Any]
) -> dict[str, Any]:
    return {
        "type": push_type,
        "tts_notification_id": notification_id,
        "shop_id": shop_id,
        "timestamp": timestamp,
        "data": data,
    }


def product_audit_data(product_id: str, status: str, update_time: int) -> dict[str, Any]:
    """A finished audit (type 37): the product and the status it took (ACTIVATE or FAILED). TikTok's own
    payload is unverified (listings-and-categories.md §D); the receiver reads the product again."""
    return {"product_id": product_id, "status": status, "update_time": update_time}


def order_status_data(order_id: str, status: str, update_time: int) -> dict[str, Any]:
    return {
        "order_id": order_id,
        "order_status": status,
        "update_time": update_time,
        "is_on_hold_order": False,
    }


def return_status_data(
    order_id: str, return_id: str, return_type: str, status: str, update_time: int
) -> dict[str, Any]:
    return {
        "order_id": order_id,
        "return_id": return_id,
        "return_type": return_type,
        "return_status": status,
        "update_time": update_time,
    }


def cancellation_data(order_id: str, cancel_id: str, status: str, update_time: int) -> dict[str, Any]:
    return {"order_id": order_id, "cancel_id": cancel_id, "cancel_status": status, "update_time": update_time}


def build_message(
    app_key: str, app_secret: str, url: str, body: dict[str, Any], clock: Callable[[], float] | None = None
) -> PushMessage:
    """The signed push; with `clock`, each retry carries (and signs) the time it is sent."""
    return signed_json(
        url,
        body,
        lambda raw: {"Authorization": push_signature(app_key, app_secret, raw)},
        body,
        restamp=None if clock is None else (lambda p: stamped_now(p, clock())),
    )


def accepted(response: httpx.Response) -> bool:
    """TikTok counts a push as delivered on HTTP 200 (the body is ignored); any 2xx is taken here."""
    return response.is_success
