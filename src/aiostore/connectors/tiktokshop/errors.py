"""TikTok Shop ``code`` values → the connector error family (one table; docs/marketplaces/tiktokshop.md).

TikTok answers ``{"code", "message", "request_id", "data"}``; ``code == 0`` is success whatever the HTTP
status, and a failure may come with HTTP 200 (business errors) or 4xx/5xx (gateway errors). The
gateway reuses ``36009004`` for many request problems, so that one is told apart by its message, as
the "common errors" page's keyword index does. Codes not in the table fall back on the message, then
on the HTTP status.
"""

from __future__ import annotations

from aiostore.connectors.errors import (
    AuthExpired,
    ConnectorError,
    InvalidRequest,
    NotFound,
    PlatformUnavailable,
    RateLimited,
    Refused,
)
from aiostore.connectors.transport import TimestampRefused

PLATFORM = "tiktokshop"

CODE_TABLE: dict[int, type[ConnectorError]] = {
    106001: InvalidRequest,  # signature is invalid: ours to fix
    106013: InvalidRequest,  # shop_cipher required
    36009009: InvalidRequest,  # the path matches no API
    36009010: InvalidRequest,  # method not allowed
    36009014: InvalidRequest,  # invalid API version
    36009021: InvalidRequest,  # file too large
    36009022: InvalidRequest,  # content type
    36009023: InvalidRequest,  # body format
    105001: AuthExpired,  # access token invalid
    105002: AuthExpired,  # access token expired
    105003: AuthExpired,
    105004: AuthExpired,
    101000: AuthExpired,  # token / cipher does not fit the endpoint's entity
    36004001: AuthExpired,  # refresh token expired ("rt has expired")
    36004005: AuthExpired,  # can not find related auth record
    36004004: InvalidRequest,  # invalid auth code (used, expired or wrong)
    105005: Refused,  # the app lacks the scope package for this API
    12052013: InvalidRequest,  # not a leaf category (the sandbox's code, docs/marketplaces/tiktokshop.md)
    12052216: InvalidRequest,  # a required product attribute is missing
    12052217: InvalidRequest,  # a product attribute's value is invalid
    12052218: InvalidRequest,  # the brand is unknown or not of this category
    36009033: Refused,  # caller IP not on the app's allow list
    36009002: RateLimited,
    12052109: RateLimited,  # product module: too many requests
    36009003: PlatformUnavailable,  # internal error
    36009007: PlatformUnavailable,  # gateway time-out
    12001000: PlatformUnavailable,
}


TimestampInvalid = TimestampRefused  # TikTok refused our timestamp (transport.ClockSkew corrects it)


def _overloaded_36009004(text: str) -> type[ConnectorError]:
    lowered = text.lower()
    if "access-token" in lowered or "access_token" in lowered:
        return AuthExpired
    if "app_key" in lowered or "app_secret" in lowered:
        return Refused  # the app's own credentials: no retry helps
    return InvalidRequest


def _by_message(text: str, http_status: int) -> type[ConnectorError]:
    lowered = text.lower()
    if "not exist" in lowered or "not found" in lowered:
        return NotFound
    if "too many requests" in lowered or "rate limit" in lowered:
        return RateLimited
    if http_status >= 500:
        return PlatformUnavailable
    if http_status == 429:
        return RateLimited
    if http_status == 401:
        return AuthExpired
    if "invalid" in lowered or "param" in lowered or "required" in lowered:
        return InvalidRequest
    return Refused


def error_for(
    code: int,
    message: str,
    *,
    http_status: int = 200,
    request_id: str = "",
    retry_after: float | None = None,
    server_time: float | None = None,
    platform: str = PLATFORM,
) -> ConnectorError:
    """The connector error for one TikTok error envelope."""
    kw = {"platform": platform, "platform_code": str(code), "request_id": request_id}
    text = message or f"code {code}"
    if code == 36009004:
        if "timestamp" in text.lower():
            return TimestampInvalid(text, server_time=server_time, **kw)
        cls = _overloaded_36009004(text)
    else:
        cls = CODE_TABLE.get(code) or _by_message(text, http_status)
    if cls is RateLimited:
        return RateLimited(text, retry_after=retry_after, **kw)
    return cls(text, **kw)
