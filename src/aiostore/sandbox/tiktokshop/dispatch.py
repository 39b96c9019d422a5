"""One entry for every API request (shopee-tiktokshop.md §B1 hosts and paths, §B2 signing, §B6 envelope).

For each request, in this order: count it under its path template; unknown path (36009009) or method
(36009010); injected latency, time-out (36009007), internal error / busy (36009003), rate limit
(36009002); for the auth host's token endpoints, the handler (they check app_key and app_secret). For
every other API: ``app_key``, ``sign`` present, ``timestamp`` within [now - 5 min, now + 30 s], the
signature over path + sorted query + raw body (106001), the ``x-tts-access-token`` header (missing or
unknown: 36009004, expired: 105002), ``shop_cipher`` required (106013), refused where not expected, or
not a shop the token's seller authorized (36009004); the rate limit per app and shop; then the handler.
Success: ``{"code": 0, "message": "Success", "request_id", "data"}``.
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from aiostore.sandbox.common import pipeline
from aiostore.sandbox.tiktokshop import errors
from aiostore.sandbox.tiktokshop.errors import TikTokError
from aiostore.sandbox.tiktokshop.models import Shop
from aiostore.sandbox.tiktokshop.params import Body, Query
from aiostore.sandbox.tiktokshop.signing import request_sign, sign_matches
from aiostore.sandbox.tiktokshop.state import TikTokShopSandbox

Scope = Literal["shop", "seller", "token"]
TOKEN_HEADER = "x-tts-access-token"  # noqa: S105 - a header name


@dataclass(slots=True)
class Ctx:
    sandbox: TikTokShopSandbox
    request: Request
    shop_or_none: Shop | None
    open_id: str
    path_params: dict[str, str]
    query: Query
    body: Body
    now: int
    uploads: list[tuple[str, bytes]] | None = None  # a multipart body's (field, file content)
    form: dict[str, str] | None = None  # a multipart body's text fields

    @property
    def shop(self) -> Shop:
        assert self.shop_or_none is not None  # noqa: S101 - only shop APIs ask
        return self.shop_or_none


Handler = Callable[[Ctx], dict[str, Any] | Response]


@dataclass(frozen=True, slots=True)
class Endpoint:
    method: Literal["GET", "POST", "PUT", "DELETE"]
    path: str  # a template: /product/202309/products/{product_id}
    handler: Handler
    scope: Scope = "shop"
    param_code: int = 12052910  # the module's "invalid parameter" code
    multipart: bool = False  # a multipart/form-data body, left out of the signature

    @property
    def pattern(self) -> re.Pattern[str]:
        return pipeline.template_pattern(self.path)


def request_id() -> str:
    return time.strftime("%Y%m%d%H%M%S") + secrets.token_hex(9).upper()


def error_response(exc: TikTokError) -> JSONResponse:
    return JSONResponse({"code": exc.code, "message": exc.message, "request_id": request_id()}, exc.status)


def success(data: dict[str, Any]) -> JSONResponse:
    return JSONResponse({"code": 0, "message": "Success", "request_id": request_id(), "data": data})


FAULTS: pipeline.FaultErrors = {
    "timeout": errors.gateway_timeout,
    "server_error": errors.internal_error,
    "busy": lambda: errors.internal_error(503),
    "rate_limit": errors.rate_limited,
}


def _check_timestamp(sandbox: TikTokShopSandbox, query: Query) -> None:
    text = query.text("timestamp")
    if text is None or not (text.isascii() and text.lstrip("-").isdigit()):
        raise errors.timestamp_missing()
    stamp, now = int(text), sandbox.now()
    if stamp < 0:
        raise errors.timestamp_negative()
    if now - stamp > sandbox.config.timestamp_past_tolerance:
        raise errors.timestamp_too_old()
    if stamp - now > sandbox.config.timestamp_future_tolerance:
        raise errors.timestamp_too_new()


def authenticate(
    sandbox: TikTokShopSandbox, endpoint: Endpoint, path: str, request: Request, raw: bytes
) -> tuple[Shop | None, str]:
    query = Query(request.query_params, endpoint.param_code)
    if query.text("app_key") != sandbox.app.app_key:
        raise errors.invalid_app_key()
    given = query.text("sign")
    if given is None:
        raise errors.missing_sign()
    _check_timestamp(sandbox, query)
    expected = request_sign(
        sandbox.app.app_secret, path, request.query_params.multi_items(), raw, multipart=endpoint.multipart
    )
    if not sign_matches(expected, given):
        raise errors.wrong_sign()
    token = request.headers.get(TOKEN_HEADER)
    if not token:
        raise errors.missing_token()
    grant = sandbox.tokens.access_grant(token, sandbox.app.app_key)
    if grant is None:
        raise errors.invalid_token()
    if grant.expires_at < sandbox.now():
        raise errors.expired_token()
    cipher = query.text("shop_cipher")
    if endpoint.scope == "seller":
        if cipher is not None:
            raise errors.cipher_not_expected()
        return None, grant.owner
    if cipher is None:
        raise errors.cipher_required()
    shop = sandbox.shop_by_cipher(cipher)
    if shop is None or shop.shop_id not in sandbox.tokens.shops_of(sandbox.app.app_key, grant.owner):
        raise errors.invalid_cipher()
    return shop, grant.owner


def parse_body(request: Request, raw: bytes, code: int) -> Body:
    if not raw.strip():
        return Body({}, code)
    if "application/json" not in request.headers.get("content-type", ""):
        raise errors.bad_content_type()
    try:
        data = pipeline.json_body(raw)
    except ValueError:
        raise errors.bad_body() from None
    if not isinstance(data, dict):
        raise errors.bad_body()
    return Body(data, code)


def api_route(sandbox: TikTokShopSandbox, endpoints: Sequence[Endpoint]) -> Route:
    def find(path: str, method: str) -> tuple[Endpoint, dict[str, str]]:
        chosen, params, same_path = pipeline.match_template(endpoints, path, method)
        sandbox.calls.record(chosen.path if chosen else same_path[0].path if same_path else path)
        if not same_path:
            raise errors.unknown_path()
        if chosen is None:
            raise errors.method_not_allowed(method)
        return chosen, params

    async def answer(request: Request) -> Response:
        try:
            return await _answer(request)
        except TikTokError as exc:
            return error_response(exc)

    async def _answer(request: Request) -> Response:
        path = pipeline.route_path(request)
        endpoint, path_params = find(path, request.method)
        sandbox.settle_reviews()
        await pipeline.inject_faults(sandbox.faults, path, FAULTS)
        raw = await request.body()
        shop: Shop | None = None
        open_id = ""
        if endpoint.scope != "token":
            shop, open_id = authenticate(sandbox, endpoint, path, request, raw)
            if not sandbox.rate_limiter.acquire(f"{sandbox.app.app_key}:{shop.shop_id if shop else open_id}"):
                raise errors.rate_limited()
        query = Query(request.query_params, endpoint.param_code)
        if endpoint.multipart:
            uploads, form = await pipeline.multipart_body(request)
            body = Body({}, endpoint.param_code)
            ctx = Ctx(sandbox, request, shop, open_id, path_params, query, body, sandbox.now(), uploads, form)
        else:
            body = parse_body(request, raw, endpoint.param_code)
            ctx = Ctx(sandbox, request, shop, open_id, path_params, query, body, sandbox.now())
        reply = endpoint.handler(ctx)
        return reply if isinstance(reply, Response) else success(reply)

    return Route("/{rest:path}", answer, methods=["GET", "POST", "PUT", "DELETE"])
