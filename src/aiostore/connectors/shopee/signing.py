"""Shopee Open Platform v2 signing: pure functions (vectors in tests/vectors/shopee.json).

sign = lowercase hex HMAC-SHA256(key = partner_key as UTF-8 text, message = base string), where the base
string concatenates, with no separator:
- Public APIs (auth, auth_partner, public.*): partner_id + api_path + timestamp
- Shop APIs: partner_id + api_path + timestamp + access_token + shop_id
- Merchant APIs: partner_id + api_path + timestamp + access_token + merchant_id
The body and the other query parameters are not signed. A push's ``Authorization`` header is
HMAC-SHA256(partner_key, callback_url + "|" + raw_body), lowercase hex.
"""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import urlencode

AUTH_PARTNER_PATH = "/api/v2/shop/auth_partner"


def _hmac_hex(key: str, message: bytes) -> str:
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


def public_base_string(partner_id: str | int, path: str, timestamp: int) -> str:
    return f"{partner_id}{path}{timestamp}"


def shop_base_string(
    partner_id: str | int, path: str, timestamp: int, access_token: str, shop_id: str | int
) -> str:
    return f"{partner_id}{path}{timestamp}{access_token}{shop_id}"


def merchant_base_string(
    partner_id: str | int, path: str, timestamp: int, access_token: str, merchant_id: str | int
) -> str:
    return f"{partner_id}{path}{timestamp}{access_token}{merchant_id}"


def sign(partner_key: str, base_string: str) -> str:
    return _hmac_hex(partner_key, base_string.encode())


def sign_public(partner_key: str, partner_id: str | int, path: str, timestamp: int) -> str:
    return sign(partner_key, public_base_string(partner_id, path, timestamp))


def sign_shop(
    partner_key: str, partner_id: str | int, path: str, timestamp: int, access_token: str, shop_id: str | int
) -> str:
    return sign(partner_key, shop_base_string(partner_id, path, timestamp, access_token, shop_id))


def sign_merchant(
    partner_key: str,
    partner_id: str | int,
    path: str,
    timestamp: int,
    access_token: str,
    merchant_id: str | int,
) -> str:
    return sign(partner_key, merchant_base_string(partner_id, path, timestamp, access_token, merchant_id))


def auth_partner_url(
    base_url: str, partner_id: str | int, partner_key: str, timestamp: int, redirect: str
) -> str:
    """The shop authorization link (valid 5 minutes after ``timestamp``)."""
    query = urlencode(
        {
            "partner_id": str(partner_id),
            "timestamp": str(timestamp),
            "sign": sign_public(partner_key, partner_id, AUTH_PARTNER_PATH, timestamp),
            "redirect": redirect,
        }
    )
    return f"{base_url.rstrip('/')}{AUTH_PARTNER_PATH}?{query}"


def push_signature(partner_key: str, url: str, raw_body: bytes) -> str:
    return _hmac_hex(partner_key, url.encode() + b"|" + raw_body)


def verify_push(partner_key: str, url: str, raw_body: bytes, authorization: str | None) -> bool:
    """Constant-time check of a push's ``Authorization`` header against the exact url and raw body."""
    if not authorization:
        return False
    expected = push_signature(partner_key, url, raw_body)
    return hmac.compare_digest(expected, authorization.strip().lower())
