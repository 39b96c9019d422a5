"""Tokopedia answers → the connector error family (one table; lazada-tokopedia.md §B6).

The envelope is ``{"header": {"process_time", "messages", "reason"?, "error_code"?}, "data"}``. A call
succeeded when the HTTP status is 2xx and the header carries no ``error_code`` (the key absent, null or
""): ``error_code`` may be a string (``ORD_USC_014``) or a number (``0`` on "We had a problem with our
server"), so 0 is an error too. Codes not in the table fall back on the HTTP status.
"""

from __future__ import annotations

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

PLATFORM = "tokopedia"

ERROR_TABLE: dict[str, type[ConnectorError]] = {
    # the fs_id is not (or no longer) linked to the shop: the seller must approve the app again
    "RBAC_MDLW_001": AuthExpired,
    "ORD_USC_015": AuthExpired,
    "ORD_USC_024": AuthExpired,
    # missing things
    "ORD_API_008": NotFound,
    "SHP_GRPC_003": NotFound,
    # upstream trouble: the platform may answer later
    "ORD_API_006": PlatformUnavailable,
    "PRD_GRPC_001": PlatformUnavailable,
    "PRD_GRPC_002": PlatformUnavailable,
    "PRD_API_001": PlatformUnavailable,
    "PRD_API_003": PlatformUnavailable,
    "SHP_GRPC_001": PlatformUnavailable,
    "0": PlatformUnavailable,  # "We had a problem with our server. Try again later."
    # permanent business refusals
    "ORD_USC_001": Refused,  # the order's status does not allow this action (the sandbox's code)
    "ORD_USC_003": Refused,  # order not in this warehouse
    "ORD_USC_014": Refused,  # reject (NACK) failed: wrong state
    "ORD_API_016": Refused,  # not allowed to reject the cancel request
    "ORD_API_010": Refused,
    "ORD_API_011": Refused,
    "ORD_API_012": Refused,
    "ORD_API_013": Refused,
    "LGS_USC_012": Refused,  # no permission for this logistics action (wrong state)
    # the input is wrong
    "ORD_DLV_006": InvalidRequest,  # invalid shop_id format
    "PRD_DLV_049": InvalidRequest,
}


def _by_status(http_status: int) -> type[ConnectorError]:
    if http_status == 401:
        return AuthExpired
    if http_status == 403:
        return AuthExpired
    if http_status == 404:
        return NotFound
    if http_status == 429:
        return RateLimited
    if http_status >= 500:
        return PlatformUnavailable
    if http_status >= 400:
        return InvalidRequest
    return Refused  # an error_code inside a 2xx answer: a business refusal


def error_for(
    code: str,
    message: str,
    *,
    http_status: int,
    reason: str = "",
    retry_after: float | None = None,
) -> ConnectorError:
    """The connector error for one Tokopedia error envelope (``code`` may be "" when there is none)."""
    text = "; ".join(part for part in (message, reason) if part) or code or f"HTTP {http_status}"
    kw = {"platform": PLATFORM, "platform_code": code}
    cls = ERROR_TABLE.get(code)
    if cls is None or (cls is PlatformUnavailable and http_status == 429):
        cls = _by_status(http_status)
    if cls is RateLimited:
        return RateLimited(text, retry_after=retry_after, **kw)
    if cls is InvalidRequest:
        fields = (FieldError(field="", message=reason, code=code),) if reason else ()
        return InvalidRequest(text, field_errors=fields, **kw)
    return cls(text, **kw)
