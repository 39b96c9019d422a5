"""TikTok Shop signatures as the platform checks them (shopee-tiktokshop.md §B2 requests, §B8 pushes).

sign = lowercase hex HMAC-SHA256(key = app_secret, message = app_secret + path + sorted ``key+value`` of the
query parameters except ``sign`` and ``access_token`` (a repeated key, i.e. an array, is left out) + the raw
body as received (not for multipart/form-data) + app_secret). A push carries
``Authorization`` = hex HMAC-SHA256(app_secret, app_key + raw_body).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable

UNSIGNED = frozenset({"sign", "access_token", "x-tts-access-token"})


def string_to_sign(
    path: str, params: Iterable[tuple[str, str]], body: bytes, *, multipart: bool = False
) -> bytes:
    items = list(params)
    keys = [k for k, _ in items]
    kept = sorted(
        ((k, v) for k, v in items if k not in UNSIGNED and keys.count(k) == 1), key=lambda kv: kv[0]
    )
    head = (path + "".join(k + v for k, v in kept)).encode()
    return head + (b"" if multipart else body)


def hmac_hex(app_secret: str, message: bytes) -> str:
    return hmac.new(app_secret.encode(), message, hashlib.sha256).hexdigest()


def request_sign(
    app_secret: str, path: str, params: Iterable[tuple[str, str]], body: bytes, *, multipart: bool = False
) -> str:
    secret = app_secret.encode()
    return hmac_hex(app_secret, secret + string_to_sign(path, params, body, multipart=multipart) + secret)


def sign_matches(expected: str, given: str) -> bool:
    """Constant-time comparison; the sign is the lowercase hex the platform documents."""
    return hmac.compare_digest(expected.encode(), given.encode("utf-8", "surrogateescape"))


def push_signature(app_key: str, app_secret: str, body: bytes) -> str:
    return hmac_hex(app_secret, app_key.encode() + body)
