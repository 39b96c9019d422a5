"""The connector error family (defined in ``aiostore.http.errors`` so the HTTP layer can act on it).

Every connector maps its platform's codes into these types; services, retries and dashboards decide
on the types only:

- ``AuthExpired``: token expired, revoked or unknown;
- ``RateLimited(retry_after)``: slow down;
- ``InvalidRequest(field_errors)``: the input is wrong;
- ``NotFound``;
- ``PlatformUnavailable``: 5xx, time-out, "system busy" (``CircuitOpen`` when our breaker is open);
- ``Refused``: a permanent business refusal;
- ``UnexpectedResponse``: an answer we cannot read.
"""

from aiostore.http.errors import (
    AuthExpired,
    CircuitOpen,
    ConnectorError,
    FieldError,
    InvalidRequest,
    NotFound,
    PlatformUnavailable,
    RateLimited,
    Refused,
    UnexpectedResponse,
)

__all__ = [
    "AuthExpired",
    "CircuitOpen",
    "ConnectorError",
    "FieldError",
    "InvalidRequest",
    "NotFound",
    "PlatformUnavailable",
    "RateLimited",
    "Refused",
    "UnexpectedResponse",
]
