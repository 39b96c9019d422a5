"""One entry for every `/api/v2/...` request (shopee-tiktokshop.md §A1 paths and methods, §A2 signing,
§A6 envelopes, §A7 rate limits).

For each request, in this order: count it under its path; unknown path or wrong method -> error_param;
injected latency, time-out (sleep, then error_server 504), error_server / error_system_busy /
error_rate_limit; the common parameters and the signature (Public: partner_id + path + timestamp; Shop:
+ access_token + shop_id), the shop and its access token; the rate limit per partner_id + shop_id; then the
endpoint. Success: {"request_id","error":"","message":"","warning","response"} or, for the token endpoints,
shop/get_shop_info and public/get_shops_by_partner, the fields at the top level. Errors:
{"request_id","error","message"} with the HTTP statuses listed in `errors`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from aiostore.sandbox.common import pipeline
from aiostore.sandbox.shopee import errors
from aiostore.sandbox.shopee.errors import ShopeeError
from aiostore.sandbox.shopee.models import Partner, Shop
from aiostore.sandbox.shopee.params import Body, Query
from aiostore.sandbox.shopee.signing import request_sign, sign_matches
from aiostore.sandbox.shopee.state import ShopeeSandbox

ApiType = Literal["public", "shop"]
Envelope = Literal["response", "top"]
MAX_UINT32 = 4_294_967_295


@dataclass(frozen=True, slots=True)
class Reply:
    data: dict[str, Any] | None = None
    warning: str | list[str] = ""


@dataclass(slots=True)
class Ctx:
    sandbox: ShopeeSandbox
    request: Request
    partner: Partner
    shop_or_none: Shop | None
    query: Query
    body: Body
    now: int
    uploads: list[tuple[str, bytes]] | None = None  # a multipart body's (field, file content)
    form: dict[str, str] | None = None  # a multipart body's text fields

    @property
    def shop(self) -> Shop:
        assert self.shop_or_none is not None  # noqa: S101 - only Shop APIs ask
        return self.shop_or_none


Handler = Callable[[Ctx], Reply | Response]


@dataclass(frozen=True, slots=True)
class Endpoint:
    method: Literal["GET", "POST"]
    path: str
    handler: Handler
    api_type: ApiType = "shop"
    envelope: Envelope = "response"
    multipart: bool = False


def request_id() -> str:
    return uuid.uuid4().hex


def error_response(exc: ShopeeError) -> JSONResponse:
    return JSONResponse({"request_id": request_id(), "error": exc.error, "message": exc.message}, exc.status)


FAULTS: pipeline.FaultErrors = {
    "timeout": lambda: errors.server_error(504),
    "server_error": errors.server_error,
    "busy": errors.system_busy,
    "rate_limit": errors.rate_limited,
}


def _common_int(
    params: Query, name: str, malformed: Callable[[], ShopeeError], bound: int | None = MAX_UINT32
) -> int:
    """A common query parameter that must be a non-negative integer (at most `bound`)."""
    text = params.text(name)
    if text is None:
        raise errors.missing_common(name)
    if not (text.isascii() and text.isdigit()) or (bound is not None and int(text) > bound):
        raise malformed()
    return int(text)


def authenticate(
    sandbox: ShopeeSandbox, endpoint: Endpoint, path: str, params: Query
) -> tuple[Partner, Shop | None]:
    partner_id = _common_int(params, "partner_id", errors.malformed_partner)
    timestamp = _common_int(params, "timestamp", errors.invalid_timestamp)
    sign = params.text("sign")
    if sign is None:
        raise errors.missing_common("sign")
    token, shop_id = "", 0
    if endpoint.api_type == "shop":
        token = params.text("access_token") or ""
        if not token:
            raise errors.missing_common("access_token")
        shop_id = _common_int(params, "shop_id", lambda: errors.param("shop_id should be an integer"), None)
    partner = sandbox.partners.get(partner_id)
    if partner is None:
        raise errors.invalid_partner()
    now = sandbox.now()
    if abs(now - timestamp) > sandbox.config.timestamp_tolerance:
        raise errors.timestamp_expired()
    entity = shop_id if endpoint.api_type == "shop" else ""
    if not sign_matches(
        request_sign(partner.partner_key, partner.partner_id, path, timestamp, token, entity), sign
    ):
        raise errors.wrong_sign()
    if endpoint.api_type == "public":
        return partner, None
    shop = sandbox.shops.get(shop_id)
    if shop is None:
        raise errors.invalid_shop()
    if not sandbox.tokens.access_valid(token, partner.partner_id, shop_id, now):
        raise errors.invalid_access_token()
    return partner, shop


async def read_json(request: Request) -> dict[str, Any]:
    try:
        data = pipeline.json_body(await request.body())
    except ValueError:
        raise errors.param("the request body is not valid JSON") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise errors.param("the request body should be a JSON object")
    return data


def render(endpoint: Endpoint, reply: Reply) -> JSONResponse:
    head: dict[str, Any] = {"request_id": request_id(), "error": "", "message": ""}
    if endpoint.envelope == "top":
        return JSONResponse({**head, **(reply.data or {})})
    body = {**head, "warning": reply.warning}
    if reply.data is not None:
        body["response"] = reply.data
    return JSONResponse(body)


def api_route(sandbox: ShopeeSandbox, endpoints: Sequence[Endpoint]) -> Route:
    table = {e.path: e for e in endpoints}

    async def answer(request: Request) -> Response:
        path = pipeline.route_path(request)
        sandbox.calls.record(path)
        try:
            return await _answer(table.get(path), path, request)
        except ShopeeError as exc:
            return error_response(exc)

    async def _answer(endpoint: Endpoint | None, path: str, request: Request) -> Response:
        if endpoint is None:
            raise errors.unknown_api()
        if request.method != endpoint.method:
            raise errors.param(f"{path} only accepts {endpoint.method}")
        sandbox.settle_reviews()
        await pipeline.inject_faults(sandbox.faults, path, FAULTS)
        query = Query(request.query_params)
        partner, shop = authenticate(sandbox, endpoint, path, query)
        if not sandbox.rate_limiter.acquire(f"{partner.partner_id}:{shop.shop_id if shop else ''}"):
            raise errors.rate_limited()
        if endpoint.multipart:
            uploads, form = await pipeline.multipart_body(request)
            ctx = Ctx(sandbox, request, partner, shop, query, Body({}), sandbox.now(), uploads, form)
        else:
            body = Body(await read_json(request) if endpoint.method == "POST" else {})
            ctx = Ctx(sandbox, request, partner, shop, query, body, sandbox.now())
        reply = endpoint.handler(ctx)
        return reply if isinstance(reply, Response) else render(endpoint, reply)

    return Route("/api/v2/{rest:path}", answer, methods=["GET", "POST"])
