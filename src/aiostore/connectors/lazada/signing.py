"""Lazada Open Platform signing: pure functions (vectors in tests/vectors/lazada.json).

Request ``sign`` (the "Signature algorithm" page, lazada-tokopedia.md §A2): every request parameter,
system and business alike (the form fields of a POST too, e.g. ``payload``) except ``sign``, sorted by
name in byte order and concatenated as ``key + value`` with no separator and no URL-encoding, prefixed
with the API path (``/orders/get``, without ``/rest``), HMAC-SHA256 keyed with the app secret, UPPERCASE
hex. Parameters with an empty value are left out, as Lazada's own Java SDK does; we never send one.
``sign_method=hmac`` (the legacy HMAC-MD5) is the same string under MD5.

Push ``Authorization`` ("Lazada Push Mechanism"): lowercase hex HMAC-SHA256(app_secret, app_key + raw
body), compared case-insensitively.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping
from urllib.parse import urlencode

SIGN_METHOD = "sha256"


def string_to_sign(api_path: str, params: Mapping[str, str] | Iterable[tuple[str, str]]) -> str:
    items = params.items() if isinstance(params, Mapping) else params
    pairs = sorted((k, v) for k, v in items if k != "sign" and v != "")
    return api_path + "".join(f"{k}{v}" for k, v in pairs)


def sign(
    app_secret: str,
    api_path: str,
    params: Mapping[str, str] | Iterable[tuple[str, str]],
    sign_method: str = SIGN_METHOD,
) -> str:
    digest = hashlib.md5 if sign_method == "hmac" else hashlib.sha256  # noqa: S324 - Lazada's legacy option
    message = string_to_sign(api_path, params).encode()
    return hmac.new(app_secret.encode(), message, digest).hexdigest().upper()


def push_signature(app_key: str, app_secret: str, raw_body: bytes) -> str:
    return hmac.new(app_secret.encode(), app_key.encode() + raw_body, hashlib.sha256).hexdigest()


def verify_push(app_key: str, app_secret: str, raw_body: bytes, authorization: str | None) -> bool:
    """Constant-time check of a push's ``Authorization`` header against the exact raw body."""
    if not authorization:
        return False
    expected = push_signature(app_key, app_secret, raw_body)
    return hmac.compare_digest(expected, authorization.strip().lower())


def authorize_url(auth_root: str, app_key: str, redirect_uri: str, state: str, country: str = "") -> str:
    """The seller authorization page (``/oauth/authorize`` on the auth host, §A3)."""
    query = {
        "response_type": "code",
        "force_auth": "true",
        "redirect_uri": redirect_uri,
        "client_id": app_key,
        "state": state,
    }
    if country:
        query["country"] = country
    return f"{auth_root.rstrip('/')}/oauth/authorize?{urlencode(query)}"
