"""TikTok Shop Partner API (202309+) signing: pure functions (vectors in tests/vectors/tiktokshop.json).

Request signature (shopee-tiktokshop.md §B2, as EcomPHP/tiktokshop-php and the official SDKs compute it):

1. every query parameter except ``sign``, ``access_token`` and ``x-tts-access-token``; a key sent more
   than once (an array) is left out;
2. sorted by key, concatenated as ``key + value`` with no separator;
3. prefixed by the request path (no host, no query);
4. followed by the raw body exactly as sent, unless the request is multipart/form-data;
5. wrapped as ``app_secret + string + app_secret``;
6. ``sign`` = lowercase hex HMAC-SHA256(key = app_secret, message = the wrapped string), sent in the query.

Push (webhook) signature (§B8): the ``Authorization`` header is lowercase hex
HMAC-SHA256(app_secret, app_key + raw_body): no timestamp, no URL, no ``Bearer`` prefix.

Tokopedia shops moved onto TikTok Shop sign the same way; these functions take every input as a
parameter so that connector reuses them unchanged.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping
from urllib.parse import urlencode

EXCLUDED = frozenset({"sign", "access_token", "x-tts-access-token"})
SERVICES_HOST = "https://services.tiktokshop.com"  # the current seller authorization page
Params = Mapping[str, str] | Iterable[tuple[str, str]]


def _pairs(params: Params) -> list[tuple[str, str]]:
    items = list(params.items()) if isinstance(params, Mapping) else list(params)
    counts: dict[str, int] = {}
    for key, _ in items:
        counts[key] = counts.get(key, 0) + 1
    kept = [(k, str(v)) for k, v in items if k not in EXCLUDED and counts[k] == 1]
    return sorted(kept, key=lambda kv: kv[0].encode())


def base_string(
    path: str, params: Params, body: bytes | str | None = None, *, multipart: bool = False
) -> bytes:
    """Path + sorted ``key+value`` pairs + the raw body (steps 1-4), as bytes."""
    head = path + "".join(k + v for k, v in _pairs(params))
    raw = body.encode() if isinstance(body, str) else (body or b"")
    return head.encode() + (b"" if multipart else raw)


def wrapped(app_secret: str, base: bytes) -> bytes:
    secret = app_secret.encode()
    return secret + base + secret


def hmac_hex(app_secret: str, message: bytes) -> str:
    return hmac.new(app_secret.encode(), message, hashlib.sha256).hexdigest()


def sign(
    app_secret: str, path: str, params: Params, body: bytes | str | None = None, *, multipart: bool = False
) -> str:
    """The ``sign`` query parameter for one request."""
    return hmac_hex(app_secret, wrapped(app_secret, base_string(path, params, body, multipart=multipart)))


def webhook_signature(app_key: str, app_secret: str, raw_body: bytes) -> str:
    return hmac_hex(app_secret, app_key.encode() + raw_body)


def verify_webhook(app_key: str, app_secret: str, raw_body: bytes, authorization: str | None) -> bool:
    """Constant-time check of a push's ``Authorization`` header against the exact raw body."""
    if not authorization:
        return False
    expected = webhook_signature(app_key, app_secret, raw_body)
    return hmac.compare_digest(expected.encode(), authorization.strip().lower().encode("utf-8", "replace"))


def authorize_url(
    *, state: str, service_id: str | None, app_key: str, services_base: str, legacy_base: str
) -> str:
    """The seller's authorization page.

    With a ``service_id`` (apps registered since 202309): ``{services}/open/authorize?service_id=…&state=…``;
    without one, the legacy ``{auth host}/oauth/authorize?app_key=…&state=…``. TikTok sends the seller back
    to the redirect URL registered for the app in Partner Center, with ``code`` and ``state``.
    """
    if service_id:
        query = urlencode({"service_id": service_id, "state": state})
        return f"{services_base.rstrip('/')}/open/authorize?{query}"
    query = urlencode({"app_key": app_key, "state": state})
    return f"{legacy_base.rstrip('/')}/oauth/authorize?{query}"
