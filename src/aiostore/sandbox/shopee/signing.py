"""Shopee Open Platform v2 signatures (shopee-tiktokshop.md §A2 request signing, §A8 push signing).

sign = lowercase hex HMAC-SHA256(key = partner_key as UTF-8 text, message = base string), where the base
string is partner_id + api_path + timestamp, followed for Shop APIs by access_token + shop_id (merchant_id
for Merchant APIs). The body and the other query parameters are not signed. A push carries
Authorization = hex HMAC-SHA256(partner_key, callback_url + "|" + raw_body).
"""

from __future__ import annotations

import hashlib
import hmac


def base_string(
    partner_id: int | str, path: str, timestamp: int | str, access_token: str = "", entity_id: int | str = ""
) -> str:
    """Public: no access_token nor entity_id. Shop: entity_id = shop_id. Merchant: entity_id = merchant_id."""
    return f"{partner_id}{path}{timestamp}{access_token}{entity_id}"


def hmac_hex(partner_key: str, message: bytes) -> str:
    return hmac.new(partner_key.encode(), message, hashlib.sha256).hexdigest()


def request_sign(
    partner_key: str,
    partner_id: int | str,
    path: str,
    timestamp: int | str,
    access_token: str = "",
    entity_id: int | str = "",
) -> str:
    return hmac_hex(partner_key, base_string(partner_id, path, timestamp, access_token, entity_id).encode())


def sign_matches(expected: str, given: str) -> bool:
    """Constant-time comparison; the sign must be the lowercase hex the platform documents."""
    return hmac.compare_digest(expected.encode(), given.encode("utf-8", "surrogateescape"))


def push_signature(partner_key: str, url: str, body: bytes) -> str:
    return hmac_hex(partner_key, url.encode() + b"|" + body)
