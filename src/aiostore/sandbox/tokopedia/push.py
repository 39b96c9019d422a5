"""Tokopedia webhooks as the platform sends them (lazada-tokopedia.md §B8; "Webhook Security").

A new paid order (220) goes to ``order_notification_url`` with the whole order; every later change goes
to ``order_status_url`` (a cancellation to ``order_cancellation_url`` when one is registered). Each is
POSTed as compact JSON with ``Authorization-Hmac`` = lowercase hex HMAC-SHA256(webhook_secret, raw body).
The receiver answers 200; Tokopedia's retry policy is not published: the sandbox tries a few times.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

import httpx

from aiostore.sandbox.common import PushMessage
from aiostore.sandbox.common.push import signed_json

HEADER = "Authorization-Hmac"
NOTIFICATION = "order_notification_url"
STATUS = "order_status_url"
CANCELLATION = "order_cancellation_url"
URL_FIELDS = (
    "order_notification_url",
    "order_cancellation_url",
    "order_status_url",
    "order_request_cancellation_url",
    "order_confirm_delivery_notification_url",
    "order_actions_url",
    "chat_notification_url",
    "product_creation_url",
    "product_changes_url",
    "product_edit_url",
    "campaign_notification_url",
    "product_discussion_url",
)


def signature(webhook_secret: str, body: bytes) -> str:
    return hmac.new(webhook_secret.encode(), body, hashlib.sha256).hexdigest()


def build_message(url: str, webhook_secret: str, payload: dict[str, Any], kind: str) -> PushMessage:
    return signed_json(url, payload, lambda body: {HEADER: signature(webhook_secret, body)}, kind)


def accepted(response: httpx.Response) -> bool:
    return response.is_success
