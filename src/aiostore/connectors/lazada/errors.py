"""Lazada ``code`` values → the connector error family (one table; lazada-tokopedia.md §A6, Lazada's API
reference error tables).

The gateway answers HTTP 200 with ``{"type", "code", "message", "request_id"[, "detail"]}`` for every
refusal; ``code`` is a string, "0" meaning success. ``type`` says whose fault it is: ``ISV`` (the caller),
``ISP`` (a backend service: retry later), ``SYSTEM`` (the API platform). Codes not in the table fall back on
the type, then on the HTTP status (a proxy's 5xx or 429 without Lazada's envelope).
"""

from __future__ import annotations

from typing import Any

from aiostore.connectors.errors import (
    AuthExpired,
    ConnectorError,
    FieldError,
    InvalidRequest,
    NotFound,
    PlatformUnavailable,
    RateLimited,
    Refused,
)
from aiostore.connectors.transport import TimestampRefused

PLATFORM = "lazada"

ERROR_TABLE: dict[str, type[ConnectorError]] = {
    # the request itself: ours to fix
    "IncompleteSignature": InvalidRequest,
    "InvalidSignature": InvalidRequest,
    "MissingParameter": InvalidRequest,
    "MISSING_PARAMETER": InvalidRequest,
    "InvalidParameter": InvalidRequest,
    "InvalidApiPath": InvalidRequest,
    "InvalidAppKey": InvalidRequest,
    "InvalidCode": InvalidRequest,  # authorization code expired, used or wrong
    "InvalidTimestamp": InvalidRequest,
    "1": InvalidRequest,  # E001 parameter mandatory
    "5": InvalidRequest,  # E005 invalid request format
    "30": InvalidRequest,  # E030 empty request
    "70": InvalidRequest,  # E070 corrupt sku seller list
    "102": InvalidRequest,  # E0102 order line id empty or invalid
    "104": InvalidRequest,  # E0104 cancel reason empty or invalid
    "201": InvalidRequest,  # E201 invalid category
    "1001": InvalidRequest,  # payload not in JSON format
    "4108": InvalidRequest,  # a mandatory attribute is missing
    "4139": InvalidRequest,  # main image required
    "4152": InvalidRequest,  # negative quantity
    "4216": InvalidRequest,  # SkuId required
    "700017": InvalidRequest,  # parameter is null
    "14": InvalidRequest,  # E014 invalid offset
    "17": InvalidRequest,  # E017 invalid date format
    "19": InvalidRequest,  # E019 invalid limit
    "36": InvalidRequest,  # E036 invalid status filter
    "38": InvalidRequest,  # E038 too many orders requested
    "56": InvalidRequest,  # E056 invalid order id list format
    "74": InvalidRequest,
    "75": InvalidRequest,
    "204": InvalidRequest,  # E204 too many SKUs in one request
    "4171": InvalidRequest,  # more than 50 SKUs
    "4104": InvalidRequest,  # price precision
    "4118": InvalidRequest,  # price is zero
    "700004": InvalidRequest,
    "700022": InvalidRequest,  # batch size out of limit
    # tokens
    "IllegalAccessToken": AuthExpired,
    "IllegalRefreshToken": AuthExpired,
    "MissingAccessToken": AuthExpired,
    # slow down
    "ApiCallLimit": RateLimited,
    "AppCallLimit": RateLimited,
    "901": RateLimited,  # "Limit service request speed in server side temporarily"
    # the platform is struggling
    "ServiceUnavailable": PlatformUnavailable,
    "ServiceTimeout": PlatformUnavailable,
    "InternalError": PlatformUnavailable,
    "6": PlatformUnavailable,  # E006 unexpected internal error
    "21": PlatformUnavailable,  # E021 OMS api error
    "513": PlatformUnavailable,
    "1000": PlatformUnavailable,
    "40011": PlatformUnavailable,
    "700024": PlatformUnavailable,  # failed to get a lock, retry later
    # missing things
    "16": NotFound,  # E016 invalid order id
    "20": NotFound,  # E020 invalid order item id
    "37": NotFound,  # E037 an order id of the list is wrong
    "39": NotFound,
    "122": NotFound,  # E0122 invalid trade order
    "4136": NotFound,  # seller sku not found
    "4137": NotFound,  # item not found
    "700021": NotFound,
    "700025": NotFound,
    # permanent refusals
    "501": Refused,  # update product failed (see ``detail``)
    "4105": Refused,  # seller sku duplicate
    "SellerNotVerified": Refused,
    "SellerNotActive": Refused,
    "AUTH_TYPE_UNSUPPORTED": Refused,
    "Mp3SellerApiLimit": Refused,
}

TIMESTAMP_CODES = frozenset({"InvalidTimestamp"})


class PartialFailure(Refused):
    """A batch write refused for some entries only; ``detail`` names them (code 501, §A4)."""

    def __init__(self, message: str, *, detail: list[dict[str, Any]], **kw: str) -> None:
        super().__init__(message, **kw)
        self.detail = detail


def _by_shape(code: str, error_type: str, http_status: int) -> type[ConnectorError]:
    if error_type == "ISP" or http_status >= 500:
        return PlatformUnavailable
    if http_status == 429:
        return RateLimited
    if "NotFound" in code or code.endswith("_NOT_FOUND"):
        return NotFound
    if error_type == "SYSTEM" or "Invalid" in code or "Missing" in code:
        return InvalidRequest
    return Refused


def _detail(body: dict[str, Any]) -> list[dict[str, Any]]:
    raw = body.get("detail")
    return [d for d in raw if isinstance(d, dict)] if isinstance(raw, list) else []


def error_for(
    body: dict[str, Any],
    *,
    http_status: int = 200,
    retry_after: float | None = None,
    server_time: float | None = None,
) -> ConnectorError:
    """The connector error for one Lazada error envelope."""
    code = str(body.get("code") or "")
    error_type = str(body.get("type") or "")
    message = str(body.get("message") or code or f"HTTP {http_status}")
    kw = {"platform": PLATFORM, "platform_code": code, "request_id": str(body.get("request_id") or "")}
    detail = _detail(body)
    if code in TIMESTAMP_CODES:
        return TimestampRefused(message, server_time=server_time, **kw)
    if code == "501" and detail:
        return PartialFailure(message, detail=detail, **kw)
    cls = ERROR_TABLE.get(code) or _by_shape(code, error_type, http_status)
    if cls is RateLimited:
        return RateLimited(message, retry_after=retry_after, **kw)
    if cls is InvalidRequest:
        fields = tuple(
            FieldError(str(d.get("field") or ""), str(d.get("message") or ""), code) for d in detail
        )
        return InvalidRequest(message, field_errors=fields, **kw)
    return cls(message, **kw)
