"""Lazada ``code`` values → the connector error family (one table; lazada-tokopedia.md §A6, Lazada's API
reference error tables).

The gateway answers HTTP 200 with ``{"type", "code", "message", "request_id"[, "detail"]}`` for every
refusal; ``code`` is a string, "0" meaning success. ``type`` says whose fault it is: ``ISV`` (the caller),
``ISP`` (a backend service: retry later), ``SYSTEM`` (the API platform). Codes not in the table fall back on
the type, then on the HTTP status (a proxy's 5xx or 429 without Lazada's envelope).
"""

from __future__ import annotations

from typing import Any

from aiostore.connectors import errors as family
from aiostore.connectors.transport import TimestampRefused

PLATFORM = "lazada"

ERROR_TABLE: dict[str, type[family.ConnectorError]] = {
    # the request itself: ours to fix
    "IncompleteSignature": family.InvalidRequest,
    "InvalidSignature": family.InvalidRequest,
    "MissingParameter": family.InvalidRequest,
    "MISSING_PARAMETER": family.InvalidRequest,
    "InvalidParameter": family.InvalidRequest,
    "InvalidApiPath": family.InvalidRequest,
    "InvalidAppKey": family.InvalidRequest,
    "InvalidCode": family.InvalidRequest,  # authorization code expired, used or wrong
    "InvalidTimestamp": family.InvalidRequest,
    "1": family.InvalidRequest,  # E001 parameter mandatory
    "5": family.InvalidRequest,  # E005 invalid request format
    "30": family.InvalidRequest,  # E030 empty request
    "70": family.InvalidRequest,  # E070 corrupt sku seller list
    "102": family.InvalidRequest,  # E0102 order line id empty or invalid
    "104": family.InvalidRequest,  # E0104 cancel reason empty or invalid
    "201": family.InvalidRequest,  # E201 invalid category
    "1001": family.InvalidRequest,  # payload not in JSON format
    "4108": family.InvalidRequest,  # a mandatory attribute is missing
    "4139": family.InvalidRequest,  # main image required
    "4146": family.InvalidRequest,  # an attribute value outside the category's options
    "300": family.InvalidRequest,  # E300 image size or format
    "4152": family.InvalidRequest,  # negative quantity
    "4216": family.InvalidRequest,  # SkuId required
    "700017": family.InvalidRequest,  # parameter is null
    "14": family.InvalidRequest,  # E014 invalid offset
    "17": family.InvalidRequest,  # E017 invalid date format
    "19": family.InvalidRequest,  # E019 invalid limit
    "36": family.InvalidRequest,  # E036 invalid status filter
    "38": family.InvalidRequest,  # E038 too many orders requested
    "56": family.InvalidRequest,  # E056 invalid order id list format
    "74": family.InvalidRequest,
    "75": family.InvalidRequest,
    "204": family.InvalidRequest,  # E204 too many SKUs in one request
    "4171": family.InvalidRequest,  # more than 50 SKUs
    "4104": family.InvalidRequest,  # price precision
    "4118": family.InvalidRequest,  # price is zero
    "700004": family.InvalidRequest,
    "700022": family.InvalidRequest,  # batch size out of limit
    # tokens
    "IllegalAccessToken": family.AuthExpired,
    "IllegalRefreshToken": family.AuthExpired,
    "MissingAccessToken": family.AuthExpired,
    # slow down
    "ApiCallLimit": family.RateLimited,
    "AppCallLimit": family.RateLimited,
    "901": family.RateLimited,  # "Limit service request speed in server side temporarily"
    # the platform is struggling
    "ServiceUnavailable": family.PlatformUnavailable,
    "ServiceTimeout": family.PlatformUnavailable,
    "InternalError": family.PlatformUnavailable,
    "6": family.PlatformUnavailable,  # E006 unexpected internal error
    "21": family.PlatformUnavailable,  # E021 OMS api error
    "513": family.PlatformUnavailable,
    "1000": family.PlatformUnavailable,
    "40011": family.PlatformUnavailable,
    "700024": family.PlatformUnavailable,  # failed to get a lock, retry later
    # missing things
    "16": family.NotFound,  # E016 invalid order id
    "20": family.NotFound,  # E020 invalid order item id
    "37": family.NotFound,  # E037 an order id of the list is wrong
    "39": family.NotFound,
    "122": family.NotFound,  # E0122 invalid trade order
    "4136": family.NotFound,  # seller sku not found
    "4137": family.NotFound,  # item not found
    "700021": family.NotFound,
    "700025": family.NotFound,
    # permanent refusals
    "501": family.Refused,  # update product failed (see ``detail``)
    "4105": family.Refused,  # seller sku duplicate
    "SellerNotVerified": family.Refused,
    "SellerNotActive": family.Refused,
    "AUTH_TYPE_UNSUPPORTED": family.Refused,
    "Mp3SellerApiLimit": family.Refused,
}

TIMESTAMP_CODES = frozenset({"InvalidTimestamp"})


class PartialFailure(family.Refused):
    """A batch write refused for some entries only; ``detail`` names them (code 501, §A4)."""

    def __init__(self, message: str, *, detail: list[dict[str, Any]], **kw: str) -> None:
        super().__init__(message, **kw)
        self.detail = detail


def _by_shape(code: str, error_type: str, http_status: int) -> type[family.ConnectorError]:
    if error_type == "ISP" or http_status >= 500:
        return family.PlatformUnavailable
    if http_status == 429:
        return family.RateLimited
    if "family.NotFound" in code or code.endswith("_NOT_FOUND"):
        return family.NotFound
    if error_type == "SYSTEM" or "Invalid" in code or "Missing" in code:
        return family.InvalidRequest
    return family.Refused


def _detail(body: dict[str, Any]) -> list[dict[str, Any]]:
    raw = body.get("detail")
    return [d for d in raw if isinstance(d, dict)] if isinstance(raw, list) else []


def error_for(
    body: dict[str, Any],
    *,
    http_status: int = 200,
    retry_after: float | None = None,
    server_time: float | None = None,
) -> family.ConnectorError:
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
    if cls is family.RateLimited:
        return family.RateLimited(message, retry_after=retry_after, **kw)
    if cls is family.InvalidRequest:
        fields = tuple(
            family.FieldError(str(d.get("field") or ""), str(d.get("message") or ""), code) for d in detail
        )
        return family.InvalidRequest(message, field_errors=fields, **kw)
    return cls(message, **kw)
