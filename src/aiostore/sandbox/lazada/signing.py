"""Lazada signatures, checked as the gateway does (lazada-tokopedia.md §A2 request signing, §A8 pushes).

sign = UPPERCASE hex HMAC-SHA256(app_secret, api_path + every parameter but ``sign`` sorted by name as
``key + value``), over URL-decoded values; ``sign_method=hmac`` is the legacy HMAC-MD5 of the same string.
SDKs differ on parameters with an empty value (the Java SDK leaves them out, others keep ``key`` alone):
both forms are accepted. Lowercase hex is refused, as Lazada refuses it. A push carries Authorization =
lowercase hex HMAC-SHA256(app_secret, app_key + body).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

SIGN_METHODS = frozenset({"sha256", "hmac"})


def base_string(api_path: str, params: Mapping[str, str], *, keep_empty: bool = False) -> str:
    pairs = sorted((k, v) for k, v in params.items() if k != "sign" and (keep_empty or v != ""))
    return api_path + "".join(f"{k}{v}" for k, v in pairs)


def request_sign(
    app_secret: str,
    api_path: str,
    params: Mapping[str, str],
    sign_method: str = "sha256",
    *,
    keep_empty: bool = False,
) -> str:
    digest = hashlib.md5 if sign_method == "hmac" else hashlib.sha256  # noqa: S324 - Lazada's legacy option
    message = base_string(api_path, params, keep_empty=keep_empty).encode()
    return hmac.new(app_secret.encode(), message, digest).hexdigest().upper()


def sign_matches(
    app_secret: str, api_path: str, params: Mapping[str, str], sign_method: str, given: str
) -> bool:
    """Constant-time comparison against each accepted form of the base string."""
    given_bytes = given.encode("utf-8", "surrogateescape")
    forms = [False, True] if any(v == "" for v in params.values()) else [False]
    return any(
        hmac.compare_digest(
            request_sign(app_secret, api_path, params, sign_method, keep_empty=keep).encode(), given_bytes
        )
        for keep in forms
    )


def push_signature(app_key: str, app_secret: str, body: bytes) -> str:
    return hmac.new(app_secret.encode(), app_key.encode() + body, hashlib.sha256).hexdigest()
