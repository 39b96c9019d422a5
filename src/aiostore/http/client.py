"""The signed HTTP client every connector uses, over an injected ``httpx.AsyncClient``.

A call is described by an ``ApiRequest`` (method, path, params, JSON body, whether it is safe to
repeat). ``build_request`` serialises the body once, asks the platform's ``Signer`` for the query
parameters and headers that sign it, and returns the exact ``httpx.Request`` (nothing is sent: the
dry-run recorder uses this). ``call`` runs attempts under the retry policy; each attempt is re-signed
(fresh timestamp), passes the platform's circuit breaker, waits for the shop's token bucket, sends
with explicit time-outs and hands the response to the platform's ``Decoder``, which returns the JSON
payload or raises one of the connector errors.
"""

from __future__ import annotations

import asyncio
import functools
import json
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlencode

import httpx
import structlog

from aiostore.http.breaker import BreakerRegistry, Breakers
from aiostore.http.errors import ConnectorError, PlatformUnavailable
from aiostore.http.ratelimit import LimiterRegistry, Limiters
from aiostore.http.retry import RetryConfig, with_retries

log = structlog.get_logger(__name__)

JSONObject = dict[str, Any]
Params = tuple[tuple[str, str], ...]

DEFAULT_TIMEOUT = httpx.Timeout(connect=5.0, read=30.0, write=30.0, pool=10.0)
# Errors that prove the request never reached the server: safe to retry even for a write.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


@dataclass(frozen=True, slots=True)
class ApiRequest:
    """One platform call before signing. ``auth`` names the signing scheme (platform-defined)."""

    method: str
    path: str
    params: Params = ()
    body: Any = None  # JSON-serialisable, or None for no body
    op: str = ""  # a stable name for counters and logs, e.g. "product.update_stock"
    safe_to_repeat: bool = False
    auth: str = "shop"
    base_url: str | None = None  # when the platform has a separate host (e.g. auth)
    # A multipart/form-data body instead of JSON: files as (field, file name, content, media type) and
    # text fields; no platform signs a multipart body, so the signer sees none.
    files: tuple[tuple[str, str, bytes, str], ...] = ()
    form: Params = ()

    @property
    def name(self) -> str:
        return self.op or self.path


@dataclass(frozen=True, slots=True)
class Signature:
    params: Params = ()
    headers: Mapping[str, str] = field(default_factory=dict)


class Signer(Protocol):
    def __call__(self, request: ApiRequest, body: bytes | None) -> Signature: ...


class Decoder(Protocol):
    def __call__(self, request: ApiRequest, response: httpx.Response) -> JSONObject: ...


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    """A request exactly as it would be sent, with the access token and signature masked."""

    op: str
    method: str
    url: str
    path: str
    params: Params
    body: Any


SECRET_PARAMS = frozenset({"access_token", "sign", "app_secret", "x-tts-access-token"})
MASK = "***"


def mask_params(params: Params) -> Params:
    return tuple((k, MASK if k in SECRET_PARAMS else v) for k, v in params)


@dataclass
class HttpPolicy:
    """Shared reliability state: share one per process so limits and breakers are global."""

    retry: RetryConfig = field(default_factory=RetryConfig)
    limiters: Limiters = field(default_factory=LimiterRegistry)
    breakers: Breakers = field(default_factory=BreakerRegistry)
    timeout: httpx.Timeout = field(default_factory=lambda: DEFAULT_TIMEOUT)


@functools.cache
def shared_policy() -> HttpPolicy:
    """The process-wide policy: one token bucket per shop and one breaker per platform for every job.

    Tests pass their own ``HttpPolicy`` (fake sleeps, fresh breakers) instead.
    """
    return HttpPolicy()


class SignedClient:
    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        platform: str,
        base_url: str,
        signer: Signer,
        decoder: Decoder,
        policy: HttpPolicy,
        limiter_key: str,
        rate_per_second: float,
        burst: int,
        on_attempt: Callable[[ApiRequest], None] | None = None,
        per_endpoint: bool = False,
    ) -> None:
        self.http = http
        self.platform = platform
        self.base_url = base_url.rstrip("/")
        self.signer = signer
        self.decoder = decoder
        self.policy = policy
        self.limiter_key = limiter_key
        self.rate_per_second = rate_per_second
        self.burst = burst
        # True where the platform's quota is per endpoint (one bucket per operation), not per key.
        self.per_endpoint = per_endpoint
        self.on_attempt = on_attempt
        self.calls: Counter[str] = Counter()  # attempts sent, per op

    # -- building -------------------------------------------------------------------------------

    def build_request(self, request: ApiRequest) -> httpx.Request:
        """The exact signed request for ``request`` (fresh signature); nothing is sent."""
        body = None if request.body is None else json.dumps(request.body, separators=(",", ":")).encode()
        signature = self.signer(request, body)
        params = request.params + signature.params
        url = f"{(request.base_url or self.base_url).rstrip('/')}{request.path}"
        headers = {"Accept": "application/json", **signature.headers}
        if request.files:
            return self.http.build_request(
                request.method,
                url,
                params=list(params),
                data=dict(request.form),
                files=[(field, (name, content, kind)) for field, name, content, kind in request.files],
                headers=headers,
                timeout=self.policy.timeout,
            )
        if body is not None:
            headers["Content-Type"] = "application/json"
        return self.http.build_request(
            request.method,
            url,
            params=list(params),
            content=body,
            headers=headers,
            timeout=self.policy.timeout,
        )

    def record(self, request: ApiRequest) -> RecordedRequest:
        """What ``build_request`` would send, with secrets masked, for dry-run records."""
        built = self.build_request(request)
        params = mask_params(tuple(built.url.params.multi_items()))
        url = f"{built.url.copy_with(query=None)}?{urlencode(params)}" if params else str(built.url)
        return RecordedRequest(
            op=request.name,
            method=request.method,
            url=url,
            path=request.path,
            params=params,
            body=request.body,
        )

    # -- sending --------------------------------------------------------------------------------

    async def send(self, request: ApiRequest) -> JSONObject:
        """One attempt: breaker, rate limit, sign, send, decode. No retry."""
        async with self.policy.breakers.guard(self.platform):
            key = f"{self.limiter_key}:{request.name}" if self.per_endpoint else self.limiter_key
            limiter = self.policy.limiters.get(key, rate_per_second=self.rate_per_second, burst=self.burst)
            await limiter.acquire()
            built = self.build_request(request)
            self.calls[request.name] += 1
            if self.on_attempt is not None:
                self.on_attempt(request)
            sent = asyncio.get_running_loop().time()
            try:
                response = await self.http.send(built)
            except _NOT_SENT as exc:
                raise PlatformUnavailable(
                    f"{request.name}: cannot connect ({type(exc).__name__})",
                    platform=self.platform,
                    request_sent=False,
                ) from exc
            except httpx.TransportError as exc:
                limiter.answered(sent)
                raise PlatformUnavailable(
                    f"{request.name}: {type(exc).__name__}", platform=self.platform
                ) from exc
            limiter.answered(sent)
            try:
                return self.decoder(request, response)
            finally:
                await response.aclose()

    async def call(self, request: ApiRequest) -> JSONObject:
        """``send`` under the retry policy (repeats only what is safe to repeat)."""

        async def attempt() -> JSONObject:
            try:
                return await self.send(request)
            except ConnectorError as exc:
                log.info(
                    "connector.call.failed",
                    platform=self.platform,
                    op=request.name,
                    kind=exc.kind,
                    platform_code=exc.platform_code,
                )
                raise

        return await with_retries(attempt, config=self.policy.retry, safe_to_repeat=request.safe_to_repeat)

    @property
    def total_calls(self) -> int:
        return sum(self.calls.values())
