"""Authorization, shop and event endpoints (shopee-tiktokshop.md §B3 OAuth, §B4 shop rows, §B8 webhooks).

- GET /open/authorize?service_id=…&state=… (current) and GET /oauth/authorize?app_key=…&state=… (legacy)
  show an approval page; approving (POST or GET /_sandbox/oauth/approve) sends the browser to the app's
  registered redirect URL with ``code``, ``state``, ``locale`` and ``shop_region`` (or shows the code when
  no redirect URL is registered).
- GET /api/v2/token/get and /api/v2/token/refresh (the auth host): unsigned, app_key and app_secret in
  the query; expiries are absolute Unix times.
- GET /authorization/202309/shops (no shop_cipher), GET /logistics/202309/warehouses (and a warehouse's
  delivery_options),
  GET|PUT|DELETE /event/202309/webhooks.
"""

from __future__ import annotations

import html
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from aiostore.sandbox.common import oauth
from aiostore.sandbox.tiktokshop import errors, push
from aiostore.sandbox.tiktokshop.dispatch import Ctx, Endpoint
from aiostore.sandbox.tiktokshop.state import OPEN_ID, TikTokShopSandbox
from aiostore.sandbox.tiktokshop.tokens import SellerTokens

SCOPES = [
    "seller.authorization.info",
    "seller.product.basic",
    "seller.order.info",
    "seller.fulfillment.basic",
    "seller.logistics",
    "seller.return_refund.basic",
]

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>TikTok Shop sandbox: authorize {app}</title></head>
<body>
<h1>Authorize app {app}</h1>
<p>TikTok Shop sandbox. The app asks to manage these shops of your seller account:</p>
<ul>{shops}</ul>
<form method="post" action="{action}">
<input type="hidden" name="session" value="{session}">
<p><button type="submit">Authorize</button></p>
</form></body></html>
"""


def page_routes(sandbox: TikTokShopSandbox) -> list[Route]:
    """The seller's authorization page (both URLs) and its confirmation."""

    async def authorize(request: Request) -> Response:
        app = sandbox.app
        params = request.query_params
        known = params.get("service_id") == app.service_id or params.get("app_key") == app.app_key
        if not known:
            return oauth.page_error("This app does not exist or is not published.")
        session = sandbox.tokens.open_session(app.app_key, sandbox.now(), state=params.get("state", ""))
        shops = "".join(
            f"<li>{html.escape(s.name)} ({s.region}, {s.shop_id})</li>"
            for s in sandbox.shops.values()
            if s.open_id == OPEN_ID
        )
        action = oauth.approve_action(request)
        return HTMLResponse(
            _PAGE.format(app=html.escape(app.app_key), shops=shops, action=action, session=session)
        )

    async def approve(request: Request) -> Response:
        fields = await oauth.approval_fields(request)
        session = sandbox.tokens.take_session(fields.get("session", ""), sandbox.now())
        if session is None:
            return oauth.page_error("This authorization link has expired or was already used.")
        code = sandbox.authorize(OPEN_ID)
        region = next((s.region for s in sandbox.shops.values() if s.open_id == OPEN_ID), "")
        query = {"code": code, "state": session.state, "locale": "en", "shop_region": region}
        if not sandbox.app.redirect_url:
            return HTMLResponse(
                f"<p>Authorized. No redirect URL is registered; the code is <code>{code}</code>.</p>"
            )
        return RedirectResponse(oauth.with_query(sandbox.app.redirect_url, query), 302)

    return [
        Route("/open/authorize", authorize, methods=["GET"]),
        Route("/oauth/authorize", authorize, methods=["GET"]),
        Route(oauth.APPROVE_PATH, approve, methods=["GET", "POST"]),
    ]


# -- the auth host --------------------------------------------------------------------------------


def _check_app(ctx: Ctx, grant_type: str) -> None:
    query, app = ctx.query, ctx.sandbox.app
    if query.text("app_key") != app.app_key:
        raise errors.invalid_app_key()
    if query.text("app_secret") != app.app_secret:
        raise errors.invalid_app_secret()
    if query.text("grant_type") != grant_type:
        raise errors.invalid_grant_type()


def _token_data(ctx: Ctx, pair: SellerTokens) -> dict[str, Any]:
    shops = [ctx.sandbox.shops[s] for s in ctx.sandbox.tokens.shops_of(ctx.sandbox.app.app_key, pair.owner)]
    return {
        "access_token": pair.access_token,
        "access_token_expire_in": pair.access_expires_at,
        "refresh_token": pair.refresh_token,
        "refresh_token_expire_in": pair.refresh_expires_at,
        "open_id": pair.owner,
        "seller_name": shops[0].name if shops else "Sandbox Seller",
        "seller_base_region": shops[0].region if shops else "ID",
        "user_type": 0,
        "granted_scopes": SCOPES,
    }


def token_get(ctx: Ctx) -> dict[str, Any]:
    _check_app(ctx, "authorized_code")
    code = ctx.query.text("auth_code") or ""
    pair = ctx.sandbox.tokens.exchange_code(code, ctx.sandbox.app.app_key, ctx.now)
    if pair is None:
        raise errors.invalid_auth_code()
    return _token_data(ctx, pair)


def token_refresh(ctx: Ctx) -> dict[str, Any]:
    _check_app(ctx, "refresh_token")
    refresh_token = ctx.query.text("refresh_token") or ""
    tokens = ctx.sandbox.tokens
    if tokens.refresh_expired(refresh_token, ctx.now):
        raise errors.refresh_token_expired()
    pair = tokens.refresh_pair(refresh_token, ctx.sandbox.app.app_key, ctx.now)
    if pair is None:
        raise errors.auth_record_not_found()
    return _token_data(ctx, pair)


# -- shops, warehouses, webhooks ------------------------------------------------------------------


def authorized_shops(ctx: Ctx) -> dict[str, Any]:
    sandbox = ctx.sandbox
    listed = [sandbox.shops[s] for s in sandbox.tokens.shops_of(sandbox.app.app_key, ctx.open_id)]
    return {
        "shops": [
            {
                "id": s.shop_id,
                "name": s.name,
                "region": s.region,
                "seller_type": s.seller_type,
                "cipher": s.cipher,
                "code": s.code,
            }
            for s in listed
        ]
    }


def warehouses(ctx: Ctx) -> dict[str, Any]:
    shop = ctx.shop
    return {
        "warehouses": [
            {
                "id": shop.warehouse_id,
                "name": f"{shop.name} warehouse",
                "effect_status": "ENABLED",
                "type": "SALES_WAREHOUSE",
                "sub_type": "DOMESTIC_WAREHOUSE",
                "is_default": True,
                "address": {
                    "region": shop.region,
                    "region_code": shop.region,
                    "full_address": f"{shop.name}",
                },
            }
        ]
    }


def _event_type(ctx: Ctx) -> str:
    event_type = ctx.body.required_text("event_type")
    if event_type not in push.EVENT_TYPES:
        raise ctx.body.fail(f"event_type must be one of {', '.join(push.EVENT_TYPES)}")
    return event_type


def get_webhooks(ctx: Ctx) -> dict[str, Any]:
    listed = [{"event_type": e, "address": a} for e, a in sorted(ctx.shop.webhooks.items())]
    return {"webhooks": listed, "total_count": len(listed)}


def put_webhook(ctx: Ctx) -> dict[str, Any]:
    address = ctx.body.required_text("address")
    if not oauth.is_web_url(address):
        raise ctx.body.fail("address must be an http(s) URL")
    ctx.shop.webhooks[_event_type(ctx)] = address
    return {}


# A warehouse's delivery options (listings-and-categories.md §C "TikTok", [EP]); the option's fields beyond
# id and name are as the sandbox shows them (TikTok's full shape unverified). Weight limits in grams.
WAREHOUSE = "/logistics/202309/warehouses/{warehouse_id}"
DELIVERY_OPTIONS = (
    ("7091146663229654785", "Standard shipping", "STANDARD", 50_000),
    ("7091146663229654786", "Express shipping", "EXPRESS", 30_000),
    ("7091146663229654787", "Cargo shipping", "CARGO", 200_000),
)


def delivery_options(ctx: Ctx) -> dict[str, Any]:
    warehouse_id = ctx.path_params["warehouse_id"]
    if warehouse_id != ctx.shop.warehouse_id:
        raise errors.param(f"warehouse {warehouse_id} is not a warehouse of this shop", 21001001)
    return {
        "delivery_options": [
            {
                "id": option_id,
                "name": name,
                "type": kind,
                "description": f"{name} from {ctx.shop.name} warehouse",
                "item_weight_limit": {"max_weight": max_grams, "min_weight": 1, "unit": "GRAM"},
            }
            for option_id, name, kind, max_grams in DELIVERY_OPTIONS
        ]
    }


def delete_webhook(ctx: Ctx) -> dict[str, Any]:
    ctx.shop.webhooks.pop(_event_type(ctx), None)
    return {}


ENDPOINTS = [
    Endpoint("GET", "/api/v2/token/get", token_get, "token", 36004003),
    Endpoint("GET", "/api/v2/token/refresh", token_refresh, "token", 36004003),
    Endpoint("GET", "/authorization/202309/shops", authorized_shops, "seller"),
    Endpoint("GET", "/logistics/202309/warehouses", warehouses, "shop", 21001001),
    Endpoint(
        "GET",
        "/logistics/202309/warehouses/{warehouse_id}/delivery_options",
        delivery_options,
        "shop",
        21001001,
    ),
    Endpoint("GET", "/event/202309/webhooks", get_webhooks, "shop", 31001001),
    Endpoint("PUT", "/event/202309/webhooks", put_webhook, "shop", 31001001),
    Endpoint("DELETE", "/event/202309/webhooks", delete_webhook, "shop", 31001001),
]
