"""The one HTTP policy of every platform client: how an answer is classified, how clock skew is corrected.

- ``decode_envelope``: the JSON body is read once; the platform's ``EnvelopeCheck`` says whether its
  envelope carries an error (the platform's code table maps it: auth expired, rate limited, refused...);
  an answer without the platform's envelope, or an error status the envelope does not explain, is
  classified by its status alone (``bare_status_error``: 429 → ``RateLimited`` with the server's wait,
  408/5xx → ``PlatformUnavailable``, anything else → ``UnexpectedResponse``).
- ``ClockSkew``: platforms that sign a timestamp refuse one too far from theirs. When they do
  (``TimestampRefused``) and the answer's ``Date`` header shows our clock is off, the offset is learnt
  and the call repeated once; every later timestamp carries the offset.
- ``PlatformClient``: what every platform client shares (the ``SignedClient`` it wraps, the skew-corrected
  ``call``, dry-run rendering, the call count).
"""

from __future__ import annotations

import email.utils
import time
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

import httpx

from aiostore.connectors.errors import (
    ConnectorError,
    InvalidRequest,
    PlatformUnavailable,
    RateLimited,
    UnexpectedResponse,
)
from aiostore.http.client import ApiRequest, HttpPolicy, JSONObject, RecordedRequest, Signature, SignedClient
from aiostore.http.retry import retry_after_seconds

T = TypeVar("T")
Clock = Callable[[], float]


class TimestampRefused(InvalidRequest):
    """The platform refused our signed timestamp; ``server_time`` (from the answer's Date header) if known."""

    def __init__(self, message: str, *, server_time: float | None = None, **kw: str) -> None:
        super().__init__(message, field_errors=(), **kw)
        self.server_time = server_time


class EnvelopeCheck(Protocol):
    """The platform's reading of a JSON object answer: the error it carries, or None when it carries none."""

    def __call__(
        self, request: ApiRequest, body: JSONObject, response: httpx.Response
    ) -> ConnectorError | None: ...


def json_or_none(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def server_time(response: httpx.Response) -> float | None:
    """The answer's ``Date`` header as Unix seconds (None when absent or unreadable)."""
    value = response.headers.get("date")
    if not value:
        return None
    try:
        return email.utils.parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError):
        return None


def answer_details(body: JSONObject, response: httpx.Response) -> dict[str, Any]:
    """What an envelope error carries beside its code and message: the HTTP status, the platform's request
    id, the wait the server asks for (``Retry-After``) and its clock (``Date``)."""
    return {
        "http_status": response.status_code,
        "request_id": str(body.get("request_id") or ""),
        "retry_after": retry_after_seconds(response),
        "server_time": server_time(response),
    }


def bare_status_error(
    request: ApiRequest, response: httpx.Response, *, platform: str, what: str
) -> ConnectorError:
    """An answer the platform's envelope does not explain (a gateway or proxy's), by its status alone."""
    status = response.status_code
    if status == 429:
        return RateLimited(
            f"{request.name}: HTTP 429", retry_after=retry_after_seconds(response), platform=platform
        )
    if status >= 500 or status == 408:
        return PlatformUnavailable(f"{request.name}: HTTP {status}", platform=platform)
    return UnexpectedResponse(f"{request.name}: HTTP {status}, {what}", platform=platform)


def decode_envelope(
    request: ApiRequest, response: httpx.Response, *, platform: str, check: EnvelopeCheck
) -> JSONObject:
    """The answer's JSON object, or the error it means (the envelope's first, then the status's)."""
    body = json_or_none(response)
    if not isinstance(body, dict):
        raise bare_status_error(request, response, platform=platform, what="not the platform's envelope")
    error = check(request, body, response)
    if error is not None:
        raise error
    if response.status_code >= 400:
        raise bare_status_error(request, response, platform=platform, what="without an error code")
    return body


class ClockSkew:
    """Our clock plus the offset learnt from the platform's refusals of our timestamp."""

    def __init__(self, clock: Clock = time.time) -> None:
        self.clock = clock
        self.offset = 0.0  # seconds to add to our clock to match the platform's

    def now(self) -> float:
        return self.clock() + self.offset

    async def call(self, send: Callable[[], Awaitable[T]]) -> T:
        """``send()``; once more with the corrected offset when the platform refused our timestamp."""
        try:
            return await send()
        except TimestampRefused as exc:
            if exc.server_time is None:
                raise
            offset = exc.server_time - self.clock()
            if abs(offset - self.offset) < 1:
                raise  # our clock agrees with the server's: the error is something else
            self.offset = offset
            return await send()


@dataclass(frozen=True, slots=True)
class Wiring:
    """What every platform client is built with: the process's HTTP client and policy, our rate limit for
    the shop (or app) under ``limiter_key``, and the clock its signed timestamps come from."""

    http: httpx.AsyncClient
    policy: HttpPolicy
    limiter_key: str
    rate_per_second: float
    burst: int
    clock: Clock = time.time


class PlatformClient(ABC):
    """A platform's transport over a ``SignedClient`` (its ``_sign`` and ``_decode``); a platform that signs
    a timestamp (``signs_time``) gets a ``ClockSkew``. ``access_token`` reads the keeper's token."""

    client: SignedClient
    skew: ClockSkew | None = None

    def __init__(
        self,
        wiring: Wiring,
        *,
        platform: str,
        base_url: str,
        access_token: Callable[[], str | None] = lambda: None,
        signs_time: bool = False,
        per_endpoint: bool = False,
        transport: type[SignedClient] = SignedClient,
    ) -> None:
        self.platform = platform
        self.clock = wiring.clock
        self._access_token = access_token
        self.skew = ClockSkew(wiring.clock) if signs_time else None
        self.client = transport(
            wiring.http,
            platform=platform,
            base_url=base_url,
            signer=self._sign,
            decoder=self._decode,
            policy=wiring.policy,
            limiter_key=wiring.limiter_key,
            rate_per_second=wiring.rate_per_second,
            burst=wiring.burst,
            per_endpoint=per_endpoint,
        )

    @abstractmethod
    def _sign(self, request: ApiRequest, body: bytes | None) -> Signature:
        """The query parameters and headers that sign this request."""

    @abstractmethod
    def _decode(self, request: ApiRequest, response: httpx.Response) -> JSONObject:
        """The answer's payload, or the connector error it means."""

    @property
    def clock_offset(self) -> float:
        return self.skew.offset if self.skew is not None else 0.0

    def now(self) -> float:
        """Unix time as the platform counts it (our clock plus the learnt offset)."""
        return self.skew.now() if self.skew is not None else time.time()

    def timestamp(self) -> int:
        return int(self.now())

    async def call(self, request: ApiRequest) -> JSONObject:
        """The whole answer, under the retry policy and, where the platform signs a time, skew correction."""
        if self.skew is None:
            return await self.client.call(request)
        return await self.skew.call(lambda: self.client.call(request))

    def record(self, request: ApiRequest) -> RecordedRequest:
        return self.client.record(request)

    @property
    def calls(self) -> int:
        return self.client.total_calls
