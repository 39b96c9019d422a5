"""One entry for every ``/rest/...`` request (lazada-tokopedia.md §A1 gateways, §A2 signing, §A6 envelope,
§A7 rate limits).

Gateways: the host picks the country as Lazada's do (``api.lazada.co.id`` → ID, ``api.lazada.sg`` → SG,
``api.lazada.com.my`` → MY, ``auth.lazada.com`` → the auth APIs); on any other host (a local port) a path
prefix does (``/id/rest/...``, ``/sg/rest/...``, ``/my/rest/...``, ``/auth/rest/...``), and a bare
``/rest/...`` serves every country (the seller's own). A seller's token used on another country's gateway
is refused.

For each request, in this order: count it under its API path; unknown path, wrong host or method →
InvalidApiPath / InvalidParameter; injected latency, time-out (sleep, then 504 ServiceTimeout), 500
InternalError, ServiceUnavailable, ApiCallLimit; the system parameters (app_key, timestamp within 7200 s,
sign_method, sign) and the signature over every parameter; the seller's access token and gateway; the rate
limit per app + seller; then the endpoint. Success: ``{"code": "0", "data": …, "request_id"}`` (token
calls: their fields at the top level; fulfilment calls: ``result``).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from aiostore.sandbox.common import pipeline
from aiostore.sandbox.lazada import errors
from aiostore.sandbox.lazada.errors import LazadaError
from aiostore.sandbox.lazada.models import AUTH_HOST, GATEWAY_HOSTS, App, Seller
from aiostore.sandbox.lazada.params import Params
from aiostore.sandbox.lazada.signing import SIGN_METHODS, sign_matches
from aiostore.sandbox.lazada.state import LazadaSandbox

Scope = Literal["seller", "auth"]
Envelope = Literal["data", "top", "result"]
PREFIXES = {"id": "ID", "sg": "SG", "my": "MY"}
FAULTS: pipeline.FaultErrors = {
    "timeout": errors.service_timeout,
    "server_error": errors.internal_error,
    "busy": errors.service_unavailable,
    "rate_limit": errors.api_call_limit,
}


@dataclass(frozen=True, slots=True)
class Reply:
    data: Any = None


@dataclass(slots=True)
class Ctx:
    sandbox: LazadaSandbox
    request: Request
    app: App
    seller_or_none: Seller | None
    params: Params
    now: int
    uploads: list[tuple[str, bytes]] | None = None  # a multipart body's (field, file content)

    @property
    def seller(self) -> Seller:
        assert self.seller_or_none is not None  # noqa: S101 - only seller APIs ask
        return self.seller_or_none


Handler = Callable[[Ctx], Reply | Response]


@dataclass(frozen=True, slots=True)
class Endpoint:
    methods: frozenset[str]
    path: str
    handler: Handler
    scope: Scope = "seller"
    envelope: Envelope = "data"


def endpoint(
    methods: str, path: str, handler: Handler, scope: Scope = "seller", envelope: Envelope = "data"
) -> Endpoint:
    return Endpoint(frozenset(methods.split("/")), path, handler, scope, envelope)


def request_id() -> str:
    return uuid.uuid4().hex[:25]


def error_response(exc: LazadaError) -> JSONResponse:
    body: dict[str, Any] = {
        "type": exc.type,
        "code": exc.code,
        "message": exc.message,
        "request_id": request_id(),
    }
    if exc.detail is not None:
        body["detail"] = exc.detail
    return JSONResponse(body, exc.status)


def render(point: Endpoint, reply: Reply) -> JSONResponse:
    head = {"code": "0", "request_id": request_id()}
    if point.envelope == "top":
        return JSONResponse({**(reply.data or {}), **head})
    if point.envelope == "result":
        return JSONResponse({**head, "result": {"success": True, "data": reply.data}})
    body = dict(head)
    if reply.data is not None:
        body["data"] = reply.data
    return JSONResponse(body)


def gateway(request: Request) -> tuple[str | None, bool]:
    """(country of the gateway or None for "any", whether it is the auth host)."""
    host = request.headers.get("host", "").split(":")[0].lower()
    if host in GATEWAY_HOSTS:
        return GATEWAY_HOSTS[host], False
    if host == AUTH_HOST:
        return None, True
    prefix = str(request.path_params.get("prefix") or "").lower()
    if prefix == "auth":
        return None, True
    return PREFIXES.get(prefix), False


async def read_params(request: Request) -> tuple[dict[str, str], list[tuple[str, bytes]]]:
    """Query parameters plus, for a POST, the form fields (or, leniently, a JSON object's members), and
    the files of a multipart body (which the signature leaves out)."""
    values = dict(request.query_params)
    if request.method != "POST":
        return values, []
    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        uploads, fields = await pipeline.multipart_body(request)
        return {**values, **fields}, uploads
    return await _read_body(request, values), []


async def _read_body(request: Request, values: dict[str, str]) -> dict[str, str]:
    raw = await request.body()
    if not raw.strip():
        return values
    if request.headers.get("content-type", "").startswith("application/json"):
        try:
            data = json.loads(raw)
        except ValueError:
            raise errors.invalid("body", "not JSON") from None
        if not isinstance(data, dict):
            raise errors.invalid("body", "not a JSON object")
        for key, value in data.items():
            values[key] = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
        return values
    values.update(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))
    return values


def _timestamp(text: str) -> float:
    if text.isdigit():
        return int(text) / 1000
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except ValueError:
        raise errors.invalid_timestamp() from None


def authenticate(
    sandbox: LazadaSandbox, point: Endpoint, api_path: str, params: Params, country: str | None
) -> tuple[App, Seller | None]:
    app_key, sign_method = params.required("app_key"), params.required("sign_method")
    timestamp, given = params.required("timestamp"), params.required("sign")
    if sign_method not in SIGN_METHODS:
        raise errors.invalid("sign_method", "sha256 or hmac")
    app = sandbox.apps.get(app_key)
    if app is None:
        raise errors.invalid_app_key()
    if abs(sandbox.config.clock() - _timestamp(timestamp)) > sandbox.config.timestamp_tolerance:
        raise errors.invalid_timestamp()
    if not sign_matches(app.app_secret, api_path, params.values, sign_method, given):
        raise errors.incomplete_signature()
    if point.scope == "auth":
        return app, None
    token = params.required("access_token")
    seller_id = sandbox.tokens.owner_of(token, app.app_key, sandbox.now())
    seller = sandbox.sellers.get(seller_id) if seller_id is not None else None
    if seller is None:
        raise errors.illegal_access_token()
    if country is not None and seller.country != country:
        raise errors.wrong_gateway(seller.country, country)
    return app, seller


def api_routes(sandbox: LazadaSandbox, endpoints: Sequence[Endpoint]) -> list[Route]:
    table = {e.path: e for e in endpoints}

    async def answer(request: Request) -> Response:
        api_path = "/" + str(request.path_params["rest"]).strip("/")
        sandbox.calls.record(api_path)
        sandbox.look_at_authorizations()  # the daily authorisation expiry alert (message type 8)
        try:
            return await _answer(table.get(api_path), api_path, request)
        except LazadaError as exc:
            return error_response(exc)

    async def _answer(point: Endpoint | None, api_path: str, request: Request) -> Response:
        country, on_auth_host = gateway(request)
        prefix = request.path_params.get("prefix")
        if (
            point is None
            or (on_auth_host and point.scope != "auth")
            or (prefix and not (country or on_auth_host))
        ):
            raise errors.invalid_api_path(api_path)
        if request.method not in point.methods:
            raise errors.invalid("method", f"{api_path} takes {'/'.join(sorted(point.methods))}")
        sandbox.settle_reviews()
        await pipeline.inject_faults(sandbox.faults, api_path, FAULTS)
        values, uploads = await read_params(request)
        params = Params(values)
        app, seller = authenticate(sandbox, point, api_path, params, country)
        if not sandbox.rate_limiter.acquire(f"{app.app_key}:{seller.seller_id if seller else ''}"):
            raise errors.api_call_limit()
        reply = point.handler(Ctx(sandbox, request, app, seller, params, sandbox.now(), uploads))
        return reply if isinstance(reply, Response) else render(point, reply)

    return [
        Route("/rest/{rest:path}", answer, methods=["GET", "POST"]),
        Route("/{prefix}/rest/{rest:path}", answer, methods=["GET", "POST"]),
    ]
