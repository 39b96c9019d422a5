"""Lazada push (webhook) messages (Lazada Push Mechanism; lazada-tokopedia.md §A8).

An order change becomes a message type 0 push, compact JSON in the key order of Lazada's sample
(``{"seller_id","message_type","data":{"order_status","trade_order_id","trade_order_line_id",
"status_update_time"},"timestamp","site"}``), POSTed to the app's callback URL with Authorization =
lowercase hex HMAC-SHA256(app_secret, app_key + body). The receiver must answer HTTP 200; Lazada retries
12 times, 30 minutes apart (the sandbox: the config's attempts and delay), then gives up (there is no
lost-push API: apps reconcile with /orders/get).

Lazada pushes per order item ("at least one message" per change). The sandbox sends one message per order
change, naming the first order item that changed, so a change is one delivery whatever its unit count.

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
from aiostore.sandbox.lazada.signing import push_signature

TRADE_ORDER = 0
PRODUCT_QC = 1  # listings-and-categories.md §D: {itemId, status APPROVED|REJECTED|..., reason} [LZA 120205]
AUTH_EXPIRY = 8  # authorization token expiry alert: 48 h before the end, at most once a day


def auth_expiry_payload(app_key: str, seller_id: str, ends: int, now: int, site: str) -> dict[str, Any]:
    """Message type 8 as §A8 lists it: ``data`` = app_key, seller_id, auth_expiry_time (seconds); the push
    time in seconds (the samples of types other than 0 use seconds)."""
    data = {"app_key": app_key, "seller_id": seller_id, "auth_expiry_time": ends}
    return {"seller_id": seller_id, "message_type": AUTH_EXPIRY, "data": data, "timestamp": now, "site": site}


def order_payload(
    seller_id: str, order_id: int, line_id: int, status: str, update_time: int, now: int, site: str
) -> dict[str, Any]:
    data = {
        "order_status": status,
        "trade_order_id": str(order_id),
        "trade_order_line_id": str(line_id),
        "status_update_time": update_time,
    }
    return {
        "seller_id": seller_id,
        "message_type": TRADE_ORDER,
        "data": data,
        "timestamp": now * 1000,
        "site": site,
    }


def qc_payload(seller_id: str, item_id: int, status: str, reason: str, now: int, site: str) -> dict[str, Any]:
    return {
        "seller_id": seller_id,
        "message_type": PRODUCT_QC,
        "data": {"itemId": item_id, "status": status, "reason": reason},
        "timestamp": now * 1000,
        "site": site,
    }


def build_message(
    app_key: str, app_secret: str, url: str, payload: dict[str, Any], clock: Callable[[], float] | None = None
) -> PushMessage:
    """The signed push; with `clock`, each retry carries (and signs) the time it is sent (in the unit the
    message type uses: milliseconds or seconds)."""
    return signed_json(
        url,
        payload,
        lambda body: {"Authorization": push_signature(app_key, app_secret, body)},
        (app_key, payload),
        restamp=None if clock is None else (lambda p: stamped_now(p, clock())),
    )


def accepted(response: httpx.Response) -> bool:
    """Lazada counts a push as delivered on HTTP status 200 (the body is not read)."""
    return response.status_code == 200
