"""Tokopedia answers → the connector error family (one table; lazada-tokopedia.md §B6).

The envelope is ``{"header": {"process_time", "messages", "reason"?, "error_code"?}, "data"}``. A call
succeeded when the HTTP status is 2xx and the header carries no ``error_code`` (the key absent, null or
""): ``error_code`` may be a string (``ORD_USC_014``) or a number (``0`` on "We had a problem with our
server"), so 0 is an error too. Codes not in the table fall back on the HTTP status.
"""

from __future__ import annotations

from aiostore.connectors import errors as family

PLATFORM = "tokopedia"

ERROR_TABLE: dict[str, type[family.ConnectorError]] = {
    # the fs_id is not (or no longer) linked to the shop: the seller must approve the app again
    "RBAC_MDLW_001": family.AuthExpired,
    "ORD_USC_015": family.AuthExpired,
    "ORD_USC_024": family.AuthExpired,
    # missing things
    "ORD_API_008": family.NotFound,
    "SHP_GRPC_003": family.NotFound,
    # upstream trouble: the platform may answer later
    "ORD_API_006": family.PlatformUnavailable,
    "PRD_GRPC_001": family.PlatformUnavailable,
    "PRD_GRPC_002": family.PlatformUnavailable,
    "PRD_API_001": family.PlatformUnavailable,
    "PRD_API_003": family.PlatformUnavailable,
    "SHP_GRPC_001": family.PlatformUnavailable,
    "0": family.PlatformUnavailable,  # "We had a problem with our server. Try again later."
    # permanent business refusals
    "ORD_USC_001": family.Refused,  # the order's status does not allow this action (the sandbox's code)
    "ORD_USC_003": family.Refused,  # order not in this warehouse
    "ORD_USC_014": family.Refused,  # reject (NACK) failed: wrong state
    "ORD_API_016": family.Refused,  # not allowed to reject the cancel request
    "ORD_API_010": family.Refused,
    "ORD_API_011": family.Refused,
    "ORD_API_012": family.Refused,
    "ORD_API_013": family.Refused,
    "LGS_USC_012": family.Refused,  # no permission for this logistics action (wrong state)
    # the input is wrong
    "ORD_DLV_006": family.InvalidRequest,  # invalid shop_id format
    "PRD_DLV_049": family.InvalidRequest,
}


def _by_status(http_status: int) -> type[family.ConnectorError]:
    if http_status == 401:
        return family.AuthExpired
    if http_status == 403:
        return family.AuthExpired
    if http_status == 404:
        return family.NotFound
    if http_status == 429:
        return family.RateLimited
    if http_status >= 500:
        return family.PlatformUnavailable
    if http_status >= 400:
        return family.InvalidRequest
    return family.Refused  # an error_code inside a 2xx answer: a business refusal


def error_for(
    code: str,
    message: str,
    *,
    http_status: int,
    reason: str = "",
    retry_after: float | None = None,
) -> family.ConnectorError:
    """The connector error for one Tokopedia error envelope (``code`` may be "" when there is none)."""
    text = "; ".join(part for part in (message, reason) if part) or code or f"HTTP {http_status}"
    kw = {"platform": PLATFORM, "platform_code": code}
    cls = ERROR_TABLE.get(code)
    if cls is None or (cls is family.PlatformUnavailable and http_status == 429):
        cls = _by_status(http_status)
    if cls is family.RateLimited:
        return family.RateLimited(text, retry_after=retry_after, **kw)
    if cls is family.InvalidRequest:
        fields = (family.FieldError(field="", message=reason, code=code),) if reason else ()
        return family.InvalidRequest(text, field_errors=fields, **kw)
    return cls(text, **kw)
