"""The accounts host, the seller's approval and app-level endpoints (lazada-tokopedia.md §B2, §B3, §B8).

- ``POST /token?grant_type=client_credentials`` with Basic auth → ``{access_token, expires_in, token_type}``;
  refusals in OAuth2's shape (``{"error": "invalid_client", "error_description"}``, 401).
- ``GET /authorize?client_id&redirect_uri&state`` shows the approval page (standing for Seller Center's
  third-party app approval, which Tokopedia has no URL for); approving (``/_sandbox/oauth/approve``, POST
  form or GET query) links the app to the shop and redirects to ``redirect_uri?code&shop_id&state``.
- ``GET /v1/shop/fs/{fs_id}/shop-info`` (the shops linked to the app), webhook ``register``, ``GET
  /v1/fs/{fs_id}`` (registered URLs) and ``trigger``.
"""

from __future__ import annotations

import base64
import binascii
import html
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from aiostore.sandbox.common import oauth
from aiostore.sandbox.tokopedia import errors, push, render
from aiostore.sandbox.tokopedia.dispatch import Ctx, Endpoint
from aiostore.sandbox.tokopedia.state import TokopediaSandbox

_PAGE = """<!doctype html>
<html lang="id"><head><meta charset="utf-8"><title>Tokopedia sandbox: approve {client}</title></head>
<body>
<h1>Aplikasi Pihak Ketiga</h1>
<p>Tokopedia sandbox. Allow app <code>{client}</code> (fs_id {fs_id}) to manage a shop. After approval the
browser returns to <code>{redirect}</code>.</p>
<form method="post" action="{action}">
<input type="hidden" name="session" value="{session}">
{shops}
<p><button type="submit">Approve</button></p>
</form></body></html>
"""
_SHOP_ROW = '<p><label><input type="radio" name="shop_id" value="{id}"{checked}> {name} ({id})</label></p>'


def _oauth_error(status: int, error: str, description: str) -> JSONResponse:
    return JSONResponse({"error": error, "error_description": description}, status)


async def token(ctx: Ctx) -> Response:
    request, sandbox = ctx.request, ctx.sandbox
    if request.query_params.get("grant_type") != "client_credentials":
        return _oauth_error(400, "unsupported_grant_type", "grant_type must be client_credentials")
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    try:
        client_id, _, secret = base64.b64decode(encoded.strip(), validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        client_id, secret = "", ""
    app = sandbox.apps.get(client_id)
    if scheme.lower() != "basic" or app is None or app.client_secret != secret:
        return _oauth_error(401, "invalid_client", "client authentication failed")
    now = sandbox.now()
    granted = sandbox.tokens.current_or_new(app.client_id, now)
    return JSONResponse(
        {"access_token": granted.value, "expires_in": granted.expires_at - now, "token_type": "Bearer"}
    )


async def authorize(ctx: Ctx) -> Response:
    query, sandbox = ctx.request.query_params, ctx.sandbox
    app = sandbox.apps.get(query.get("client_id", ""))
    redirect = query.get("redirect_uri", "")
    if app is None:
        return oauth.page_error("Unknown client_id.")
    if not oauth.is_web_url(redirect):
        return oauth.page_error("redirect_uri must be an http(s) URL.")
    session = sandbox.tokens.open_session(app.client_id, redirect, query.get("state", ""), sandbox.now())
    shops = "\n".join(
        _SHOP_ROW.format(id=s.shop_id, name=html.escape(s.name), checked=" checked" if n == 0 else "")
        for n, s in enumerate(sandbox.shops.values())
    )
    page = _PAGE.format(
        client=html.escape(app.client_id),
        fs_id=app.fs_id,
        redirect=html.escape(redirect),
        action=oauth.approve_action(ctx.request),
        session=session,
        shops=shops,
    )
    return HTMLResponse(page)


def approve_route(sandbox: TokopediaSandbox) -> Route:
    async def approve(request: Request) -> Response:
        fields = await oauth.approval_fields(request)
        shop_id = fields.get("shop_id", "")
        if not shop_id.isdigit() or int(shop_id) not in sandbox.shops:
            return oauth.page_error("Choose a shop.")
        session = sandbox.tokens.take_session(fields.get("session", ""), sandbox.now())
        if session is None:
            return oauth.page_error("This approval link has expired or was already used.")
        sandbox.link(int(shop_id), session.app)
        code = sandbox.tokens.issue_code(session.app, int(shop_id), sandbox.now())
        back = {"code": code, "shop_id": shop_id, **({"state": session.state} if session.state else {})}
        return RedirectResponse(oauth.with_query(session.redirect, back), 302)

    return Route(oauth.APPROVE_PATH, approve, methods=["GET", "POST"])


def shop_info(ctx: Ctx) -> list[dict[str, Any]]:
    shops = [ctx.shop] if ctx.shop_or_none else [ctx.sandbox.shops[s] for s in sorted(ctx.app.linked_shops)]
    return [
        {
            "shop_id": s.shop_id,
            "user_id": s.user_id,
            "shop_name": s.name,
            "logo": f"https://images.tokopedia.net/img/cache/215-square/shops-1/{s.shop_id}.jpg",
            "shop_url": f"https://www.tokopedia.com/{s.domain}",
            "is_open": s.is_open,
            "status": s.status,
            "date_shop_created": render.rfc3339(s.created)[:10],
            "domain": s.domain,
            "admin_id": [s.user_id],
            "reason": "",
            "district_id": 2274,
            "province_name": "DKI Jakarta",
            "warehouses": [{"warehouse_id": s.warehouse_id, "partner_id": {"Int64": 0, "Valid": False}}],
        }
        for s in shops
    ]


def register(ctx: Ctx) -> str:
    body = ctx.body if isinstance(ctx.body, dict) else {}
    if str(body.get("fs_id", ctx.app.fs_id)) != str(ctx.app.fs_id):
        raise errors.malformed("ORD_API_002", "fs_id in the body differs from the path")
    # Re-registering replaces every URL: an omitted one becomes "".
    ctx.app.webhook_urls = {name: str(body.get(name) or "") for name in push.URL_FIELDS if body.get(name)}
    if body.get("webhook_secret"):
        ctx.app.webhook_secret = str(body["webhook_secret"])
    return "success"


def registered(ctx: Ctx) -> dict[str, Any]:
    return {"fs_id": ctx.app.fs_id, **{name: ctx.app.webhook_urls.get(name, "") for name in push.URL_FIELDS}}


def trigger(ctx: Ctx) -> str:
    body = ctx.body if isinstance(ctx.body, dict) else {}
    kind = body.get("Type") or body.get("type")
    order_id = body.get("order_id")
    if kind not in ("order_notification", "order_status") or not isinstance(order_id, int):
        raise errors.malformed(
            "ORD_API_002", "Type must be order_notification or order_status, with an order_id"
        )
    order = ctx.sandbox.orders.get(order_id)
    if order is None:
        raise errors.not_found("ORD_API_008", "order not found")
    if order.shop_id not in ctx.app.linked_shops:
        raise errors.not_linked(order.shop_id, ctx.app.fs_id)
    shop = ctx.sandbox.shops[order.shop_id]
    url = body.get("url") or ctx.app.webhook_urls.get(f"{kind}_url")
    if not url:
        raise errors.malformed("ORD_API_002", f"no {kind}_url registered and no url given")
    payload = (
        render.order_notification(order, shop, ctx.app.fs_id)
        if kind == "order_notification"
        else render.order_status_payload(order, ctx.app.fs_id)
    )
    ctx.sandbox.pushes.submit(push.build_message(str(url), ctx.app.webhook_secret, payload, str(kind)))
    return "success"


ENDPOINTS = [
    Endpoint("POST", "/token", token, auth="basic"),
    Endpoint("GET", "/authorize", authorize, auth="none"),
    Endpoint("GET", "/v1/shop/fs/{fs_id}/shop-info", shop_info, shop="optional"),
    Endpoint("POST", "/v1/fs/{fs_id}/register", register),
    Endpoint("GET", "/v1/fs/{fs_id}", registered),
    Endpoint("POST", "/v1/fs/{fs_id}/trigger", trigger),
]
