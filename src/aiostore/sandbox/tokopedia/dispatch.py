"""One entry for every Tokopedia request (lazada-tokopedia.md §B1 hosts, §B2 auth, §B6 envelope, §B7 limits).

The accounts host (``/token``) and the FS host (everything else) are served by the same app. For each
request, in this order: count it under its endpoint's template; unknown path → 404, wrong method → 405;
injected latency, time-out (504), server error (500), busy (503), rate limit (429); the credentials (Basic
on ``/token``, Bearer elsewhere: 401); the ``fs_id`` of the path or query against the token's app (403); the
app's per-endpoint rate limit (429, with ``X-Ratelimit-*`` on every answer); the ``shop_id`` the endpoint
needs, linked to the app (403 ``RBAC_MDLW_001``); then the endpoint. Success:
``{"header": {"process_time", "messages"}, "data"}`` with HTTP 200.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from aiostore.sandbox.common import pipeline
from aiostore.sandbox.tokopedia import errors
from aiostore.sandbox.tokopedia.errors import TokopediaError
from aiostore.sandbox.tokopedia.models import App, Shop
from aiostore.sandbox.tokopedia.state import TokopediaSandbox

OK = "Your request has been processed successfully"
Auth = Literal["bearer", "basic", "none"]
ShopRule = Literal["query", "body", "optional", "none"]


@dataclass(slots=True)
class Ctx:
    sandbox: TokopediaSandbox
    request: Request
    app: App
    params: dict[str, str]
    body: Any
    now: int
    shop_or_none: Shop | None = None

    @property
    def shop(self) -> Shop:
        assert self.shop_or_none is not None  # noqa: S101 - endpoints with a shop rule only
        return self.shop_or_none

    def text(self, name: str) -> str | None:
        value = self.request.query_params.get(name)
        return value if value not in (None, "") else None

    def integer(self, name: str, *, code: str, low: int | None = None, high: int | None = None) -> int | None:
        text = self.text(name)
        if text is None:
            return None
        try:
            value = int(text)
        except ValueError:
            raise errors.malformed(code, f"{name} must be an integer") from None
        if (low is not None and value < low) or (high is not None and value > high):
            span = f"between {low} and {high}" if high is not None else f"at least {low}"
            raise errors.malformed(code, f"{name} must be {span}")
        return value

    def required(self, name: str, *, code: str, low: int | None = None, high: int | None = None) -> int:
        value = self.integer(name, code=code, low=low, high=high)
        if value is None:
            raise errors.malformed(code, f"{name} is required")
        return value

    def path_int(self, name: str, code: str) -> int:
        try:
            return int(self.params[name])
        except (KeyError, ValueError):
            raise errors.malformed(code, f"{name} must be an integer") from None


Handler = Callable[[Ctx], Any]


@dataclass(frozen=True, slots=True)
class Endpoint:
    method: str
    template: str
    handler: Handler
    shop: ShopRule = "none"
    auth: Auth = "bearer"
    pattern: re.Pattern[str] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "pattern", pipeline.template_pattern(self.template))


def envelope(data: Any, headers: dict[str, str]) -> JSONResponse:
    body = {"header": {"process_time": 0.012, "messages": OK}, "data": data}
    return JSONResponse(body, headers=headers)


def error_response(exc: TokopediaError, headers: dict[str, str]) -> JSONResponse:
    header = {"process_time": 0.004, "messages": exc.messages, "reason": exc.reason, "error_code": exc.code}
    return JSONResponse({"header": header, "data": None}, exc.status, headers=headers)


FAULTS: pipeline.FaultErrors = {
    "timeout": lambda: errors.server_error(504),
    "server_error": errors.server_error,
    "busy": errors.busy,
    "rate_limit": errors.rate_limited,
}


def _bearer(sandbox: TokopediaSandbox, request: Request) -> App:
    authorization = request.headers.get("authorization", "")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise errors.unauthorized("the Authorization header must be 'Bearer <access_token>'")
    found = sandbox.tokens.valid(token.strip(), sandbox.now())
    if found is None:
        raise errors.unauthorized()
    return sandbox.app(found.client_id)


def _check_fs(ctx: Ctx) -> None:
    raw = ctx.params.get("fs_id") or ctx.text("fs_id")
    if raw is None:
        raise errors.malformed("ORD_API_002", "fs_id is required")
    if not raw.isdigit():
        raise errors.malformed("ORD_API_002", "fs_id must be an integer")
    if int(raw) != ctx.app.fs_id:
        raise errors.TokopediaError(
            403, "RBAC_MDLW_001", f"fs_id {raw} does not belong to this token", "Forbidden"
        )


def _linked_shop(ctx: Ctx, raw: Any) -> Shop:
    if isinstance(raw, bool) or not isinstance(raw, int | str) or not str(raw).isdigit():
        raise errors.malformed("ORD_DLV_006", "invalid shop_id format")
    shop = ctx.sandbox.shops.get(int(raw))
    if shop is None or shop.shop_id not in ctx.app.linked_shops:
        raise errors.not_linked(raw, ctx.app.fs_id)
    return shop


def _check_shop(ctx: Ctx, rule: ShopRule) -> None:
    if rule == "none":
        return
    raw: Any = (
        ctx.body.get("shop_id") if rule == "body" and isinstance(ctx.body, dict) else ctx.text("shop_id")
    )
    if raw is None:
        if rule == "optional":
            return
        raise errors.malformed("ORD_DLV_006", "shop_id is required")
    ctx.shop_or_none = _linked_shop(ctx, raw)


async def read_json(request: Request) -> Any:
    try:
        return pipeline.json_body(await request.body(), decimals=False)
    except ValueError:
        raise errors.malformed("PRD_API_007", "the request body is not valid JSON") from None


def api_route(sandbox: TokopediaSandbox, endpoints: Sequence[Endpoint]) -> Route:
    async def answer(request: Request) -> Response:
        path = pipeline.route_path(request)
        chosen, params, same_path = pipeline.match_template(endpoints, path, request.method)
        endpoint, method_ok = (chosen, True) if chosen else (same_path[-1] if same_path else None, False)
        sandbox.calls.record(endpoint.template if endpoint else path)
        headers: dict[str, str] = {}
        try:
            if endpoint is None:
                raise errors.not_found("NOT_FOUND", f"no endpoint {path}")
            if not method_ok:
                raise errors.TokopediaError(405, "METHOD_NOT_ALLOWED", f"{path} takes {endpoint.method}")
            sandbox.settle_reviews()
            await pipeline.inject_faults(sandbox.faults, endpoint.template, FAULTS)
            if endpoint.auth != "bearer":
                answered: Response = await endpoint.handler(
                    Ctx(sandbox, request, sandbox.app(), params, None, sandbox.now())
                )
                return answered
            ctx = Ctx(sandbox, request, _bearer(sandbox, request), params, None, sandbox.now())
            _check_fs(ctx)
            decision = sandbox.rate_limiter.acquire(f"{ctx.app.fs_id}:{endpoint.template}")
            headers = decision.headers
            if not decision.allowed:
                raise errors.rate_limited()
            if request.method in ("POST", "PATCH", "PUT"):
                ctx.body = await read_json(request)
            _check_shop(ctx, endpoint.shop)
            result = endpoint.handler(ctx)
            return result if isinstance(result, Response) else envelope(result, headers)
        except TokopediaError as exc:
            return error_response(exc, headers)

    return Route("/{rest:path}", answer, methods=["GET", "POST", "PATCH", "PUT", "DELETE"])
