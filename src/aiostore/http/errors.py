"""The one error family every connector maps its platform's answers into.

Retries, dead-lettering and dashboards decide on these types (and on ``retryable``), never on a
platform's strings. Each error keeps the platform and its own code beside the message for display.
The classes live here, in the lowest layer that must recognise them (retry, breaker); their public
home is ``aiostore.connectors.errors``, which re-exports them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar


@dataclass(frozen=True, slots=True)
class FieldError:
    """One problem the platform reported about one input field (``field`` may be empty)."""

    field: str
    message: str
    code: str = ""


class ConnectorError(Exception):
    """Base of every error a connector raises."""

    retryable: ClassVar[bool] = False

    def __init__(
        self,
        message: str,
        *,
        platform: str = "",
        platform_code: str = "",
        request_id: str = "",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.platform = platform
        self.platform_code = platform_code
        self.request_id = request_id

    @property
    def kind(self) -> str:
        """A stable name for the error class, for storage and dashboards."""
        return type(self).__name__

    def __str__(self) -> str:
        where = f"{self.platform}:{self.platform_code}" if self.platform_code else self.platform
        return f"[{where}] {self.message}" if where else self.message


class AuthExpired(ConnectorError):
    """The access token is expired, revoked or unknown: refresh, or ask the seller to re-authorize."""


class RateLimited(ConnectorError):
    """The platform asked us to slow down; ``retry_after`` seconds when it said how long."""

    retryable = True

    def __init__(self, message: str, *, retry_after: float | None = None, **kw: str) -> None:
        super().__init__(message, **kw)
        self.retry_after = retry_after


class InvalidRequest(ConnectorError):
    """The platform refused the request's content; fix the input before sending it again."""

    def __init__(self, message: str, *, field_errors: tuple[FieldError, ...] = (), **kw: str) -> None:
        super().__init__(message, **kw)
        self.field_errors = field_errors


class NotFound(ConnectorError):
    """The product, order or shop does not exist on the platform (or not for this shop)."""


class PlatformUnavailable(ConnectorError):
    """5xx, time-out, connection failure or a "system busy" code: the platform may answer later.

    ``request_sent`` is False when the request provably never reached the platform (connection
    refused, pool time-out), so that even a write which is not safe to repeat may be retried.
    """

    retryable = True

    def __init__(self, message: str, *, request_sent: bool = True, **kw: str) -> None:
        super().__init__(message, **kw)
        self.request_sent = request_sent


class CircuitOpen(PlatformUnavailable):
    """The platform's circuit breaker is open: the call was refused here without being sent.

    ``retry_after``: seconds until the circuit lets a probe through (half-open), as the breaker knew
    it; None when unknown (the caller then waits the breaker's recovery time)."""

    retryable = False

    def __init__(self, message: str, *, retry_after: float | None = None, **kw: str) -> None:
        super().__init__(message, request_sent=False, **kw)
        self.retry_after = retry_after


class Refused(ConnectorError):
    """A permanent business refusal (already shipped, daily price-edit limit, wrong state...)."""


class UnexpectedResponse(ConnectorError):
    """The platform answered something we cannot read (not JSON, a field missing, an unknown shape)."""
