"""Tokopedia Fulfillment Service (FS) API authentication and webhook signing: pure functions.

(lazada-tokopedia.md §B2, developer.tokopedia.com "Authentication" and "Webhook Security"; vectors in
tests/vectors/tokopedia.json.)

- App token: ``POST {accounts}/token?grant_type=client_credentials`` with
  ``Authorization: Basic base64(client_id + ":" + client_secret)`` and an empty body.
- Every FS API call: ``Authorization: Bearer <access_token>``; there is no per-request signature.
- Webhooks: ``Authorization-Hmac`` = lowercase hex HMAC-SHA256(key = webhook_secret, message = raw body).
  Tokopedia signs no timestamp and no URL: a changed timestamp inside the body is a changed body.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

WEBHOOK_HEADER = "Authorization-Hmac"


def basic_authorization(client_id: str, client_secret: str) -> str:
    """The token request's ``Authorization`` header value."""
    raw = f"{client_id}:{client_secret}".encode()
    return "Basic " + base64.b64encode(raw).decode("ascii")


def bearer_authorization(access_token: str) -> str:
    return f"Bearer {access_token}"


def webhook_signature(webhook_secret: str, raw_body: bytes) -> str:
    return hmac.new(webhook_secret.encode(), raw_body, hashlib.sha256).hexdigest()


def verify_webhook(webhook_secret: str, raw_body: bytes, signature: str | None) -> bool:
    """Constant-time check of an ``Authorization-Hmac`` header against the exact raw body."""
    if not signature or not webhook_secret:
        return False
    expected = webhook_signature(webhook_secret, raw_body)
    return hmac.compare_digest(expected.encode(), signature.strip().lower().encode("utf-8", "replace"))
