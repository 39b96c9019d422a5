"""Shopee ``error`` codes → the connector error family (one table; see shopee-tiktokshop.md §A6).

Shopee puts the error in the JSON body (``error`` non-empty), with HTTP 200 or a 4xx/5xx status; both
are accepted. Codes not in the table fall back on their shape, then on the HTTP status.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from aiostore.connectors import errors as family
from aiostore.connectors.transport import TimestampRefused

PLATFORM = "shopee"
_UTC8 = timezone(timedelta(hours=8))

ERROR_TABLE: dict[str, type[family.ConnectorError]] = {
    # request and signature problems: ours to fix
    "error_sign": family.InvalidRequest,
    "error_param": family.InvalidRequest,
    "error_update_time_range": family.InvalidRequest,
    "order.order_list_invalid_time": family.InvalidRequest,
    # a listing that breaks its category's rules (listings-and-categories.md §D)
    "error_invalid_category": family.InvalidRequest,
    "error_invalid_attribute": family.InvalidRequest,
    "error_invalid_brand": family.InvalidRequest,
    "error_invalid_image": family.InvalidRequest,
    # token / authorization
    "error_auth": family.AuthExpired,
    "invalid_acceess_token": family.AuthExpired,  # (sic), as Shopee spells it
    "invalid_access_token": family.AuthExpired,
    "error_invalid_access_token": family.AuthExpired,
    "partner_shop_no_link": family.AuthExpired,
    "shop_no_linked": family.AuthExpired,
    "error_shop_refresh_token": family.AuthExpired,  # refresh token used, wrong or for another shop
    "refresh_token_expired": family.AuthExpired,
    "invalid_code": family.InvalidRequest,  # auth code expired, used or wrong
    "invalid_shop_id": family.InvalidRequest,
    # permanent refusals
    "error_api_permission": family.Refused,
    "error_permission": family.Refused,
    "error_partner_key_expired": family.Refused,
    "source_ip_undeclared": family.Refused,
    "error_update_item_price": family.Refused,  # daily price-edit limit
    "logistics.package_already_shipped": family.Refused,
    "logistics.package_can_not_ship": family.Refused,
    "order.order_status_error": family.Refused,
    "error_item_not_normal": family.Refused,
    # slow down
    "error_rate_limit": family.RateLimited,
    "error_limit": family.RateLimited,  # daily quota: retry after 00:00 UTC+8
    # the platform is struggling
    "error_system_busy": family.PlatformUnavailable,
    "error_inner": family.PlatformUnavailable,
    "error_server": family.PlatformUnavailable,
    "error_network": family.PlatformUnavailable,
    "error_busi_system": family.PlatformUnavailable,
    # missing things
    "error_not_found": family.NotFound,
    "error_item_not_found": family.NotFound,
    "product.error_item_not_found": family.NotFound,
    "order.order_not_found": family.NotFound,
    "logistics.order_not_found": family.NotFound,
}

TIMESTAMP_EXPIRED = "timestamp is expired"


TimestampExpired = TimestampRefused  # Shopee refused our timestamp (transport.ClockSkew corrects it)


def _by_shape(code: str, http_status: int) -> type[family.ConnectorError]:
    if code.endswith("not_found"):
        return family.NotFound
    if "rate_limit" in code:
        return family.RateLimited
    if "param" in code or "invalid" in code:
        return family.InvalidRequest
    if http_status >= 500:
        return family.PlatformUnavailable
    if http_status == 429:
        return family.RateLimited
    if http_status in (401, 403):
        return family.AuthExpired
    return family.Refused


def seconds_to_quota_reset(now: datetime) -> float:
    """Seconds until the next 00:00 UTC+8, when Shopee resets the daily call quota."""
    local = now.astimezone(_UTC8)
    midnight = (local + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return (midnight - local).total_seconds()


def error_for(
    code: str,
    message: str,
    *,
    http_status: int = 200,
    request_id: str = "",
    retry_after: float | None = None,
    server_time: float | None = None,
    now: datetime | None = None,
) -> family.ConnectorError:
    """The connector error for one Shopee error envelope."""
    kw = {"platform": PLATFORM, "platform_code": code, "request_id": request_id}
    text = message or code
    lowered = text.lower()
    cls = ERROR_TABLE.get(code) or _by_shape(code, http_status)
    if code == "error_param":
        if TIMESTAMP_EXPIRED in lowered:
            return TimestampExpired(text, server_time=server_time, **kw)
        if "not found" in lowered:
            return family.NotFound(text, **kw)
        if "access_token" in lowered and "there is no" not in lowered:
            return family.AuthExpired(text, **kw)
    if code == "error_auth" and "permission" in lowered:
        return family.Refused(text, **kw)
    if cls is family.RateLimited:
        if retry_after is None and code == "error_limit":
            retry_after = seconds_to_quota_reset(now or datetime.now(UTC))
        return family.RateLimited(text, retry_after=retry_after, **kw)
    if cls is family.InvalidRequest:
        return family.InvalidRequest(text, field_errors=_field_errors(text), **kw)
    return cls(text, **kw)


def _field_errors(message: str) -> tuple[family.FieldError, ...]:
    """Shopee's "Wrong parameters, detail: {msg}." carries the detail; keep it as a field error."""
    marker = "detail:"
    if marker in message:
        detail = message.split(marker, 1)[1].strip().rstrip(".")
        return (family.FieldError(field="", message=detail, code="error_param"),)
    return ()
