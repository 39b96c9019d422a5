"""Authorization, shop and partner-level endpoints (shopee-tiktokshop.md §A3 OAuth, §A4 shop rows, §A8 lost
pushes).

- GET /api/v2/shop/auth_partner (Public-signed link, dead 5 minutes after its timestamp) shows an approval
  page; approving (POST or GET /_sandbox/oauth/approve) redirects to `redirect?code=…&shop_id=…`.
- POST /api/v2/auth/token/get and /api/v2/auth/access_token/get answer with top-level fields.
- GET /api/v2/shop/get_shop_info (top level), GET /api/v2/public/get_shops_by_partner (top level, as in
  Shopee's schema sample), GET /api/v2/push/get_lost_push_message, POST
  /api/v2/push/confirm_consumed_lost_push_message (Public).
"""

from __future__ import annotations

import html

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from aiostore.sandbox.common import oauth
from aiostore.sandbox.shopee import errors
from aiostore.sandbox.shopee.dispatch import Ctx, Endpoint, Reply
from aiostore.sandbox.shopee.params import Body
from aiostore.sandbox.shopee.state import ShopeeSandbox

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Shopee sandbox: authorize {partner_id}</title></head>
<body>
<h1>Authorize partner {partner_id}</h1>
<p>Shopee sandbox. Choose the shop that partner {partner_id} may manage. After approval the browser returns
to <code>{redirect}</code>.</p>
<form method="post" action="{action}">
<input type="hidden" name="session" value="{session}">
{shops}
<p><button type="submit">Confirm authorization</button></p>
</form></body></html>
"""
_SHOP_ROW = (
    '<p><label><input type="radio" name="shop_id" value="{shop_id}"{checked}> '
    "{name} ({region}, {shop_id})</label></p>"
)


def auth_partner(ctx: Ctx) -> Response:
    redirect = ctx.query.text("redirect", required=True)
    assert redirect is not None  # noqa: S101 - required
    if not oauth.is_web_url(redirect):
        raise errors.param("redirect should be an http(s) URL")
    session = ctx.sandbox.tokens.open_session(ctx.partner.partner_id, ctx.now, redirect=redirect)
    shops = "\n".join(
        _SHOP_ROW.format(
            shop_id=shop.shop_id,
            name=html.escape(shop.name),
            region=shop.region,
            checked=" checked" if index == 0 else "",
        )
        for index, shop in enumerate(ctx.sandbox.shops.values())
    )
    page = _PAGE.format(
        partner_id=ctx.partner.partner_id,
        redirect=html.escape(redirect),
        action=oauth.approve_action(ctx.request),
        session=session,
        shops=shops,
    )
    return HTMLResponse(page)


def approve_route(sandbox: ShopeeSandbox) -> Route:
    """The seller's confirmation: form fields (POST) or query (GET) `session` and `shop_id`."""

    async def approve(request: Request) -> Response:
        fields = await oauth.approval_fields(request)
        shop_id = fields.get("shop_id", "")
        if not shop_id.isdigit() or int(shop_id) not in sandbox.shops:
            return oauth.page_error("Choose a shop to authorize.")
        session = sandbox.tokens.take_session(fields.get("session", ""), sandbox.now())
        if session is None:
            return oauth.page_error("This authorization link has expired or was already used.")
        code = sandbox.tokens.authorize(session.app, int(shop_id), sandbox.now())
        return RedirectResponse(oauth.with_query(session.redirect, {"code": code, "shop_id": shop_id}), 302)

    return Route(oauth.APPROVE_PATH, approve, methods=["GET", "POST"])


def _partner_and_shop(ctx: Ctx) -> tuple[Body, int]:
    body = ctx.body
    if body.required_int("partner_id") != ctx.partner.partner_id:
        raise errors.param("partner_id in the body differs from partner_id in the query")
    if (
        body.has("main_account_id")
        or body.has("merchant_id")
        or body.has("supplier_id")
        or body.has("user_id")
    ):
        raise errors.param("this sandbox authorizes shops only: send shop_id")
    return body, body.required_int("shop_id")


def token_get(ctx: Ctx) -> Reply:
    body, shop_id = _partner_and_shop(ctx)
    code = body.required_text("code")
    tokens = ctx.sandbox.tokens
    grant = tokens.codes.get(code)
    if grant is not None and grant.owner != shop_id:
        raise errors.code_shop_mismatch()
    pair = tokens.exchange_code(code, ctx.partner.partner_id, ctx.now, shop_id)
    if pair is None:
        raise errors.invalid_code()
    return Reply(
        {"access_token": pair.access_token, "refresh_token": pair.refresh_token, "expire_in": pair.expires_in}
    )


def access_token_get(ctx: Ctx) -> Reply:
    body, shop_id = _partner_and_shop(ctx)
    refresh_token = body.required_text("refresh_token")
    tokens = ctx.sandbox.tokens
    if tokens.refresh_expired(refresh_token, ctx.now):
        raise errors.refresh_token_expired()
    pair = tokens.refresh_pair(refresh_token, ctx.partner.partner_id, ctx.now, shop_id)
    if pair is None:
        raise errors.invalid_refresh_token()
    return Reply(
        {
            "partner_id": pair.app,
            "shop_id": pair.owner,
            "access_token": pair.access_token,
            "refresh_token": pair.refresh_token,
            "expire_in": pair.expires_in,
        }
    )


def get_shop_info(ctx: Ctx) -> Reply:
    shop = ctx.shop
    auth = ctx.sandbox.tokens.authorizations.get((ctx.partner.partner_id, shop.shop_id))
    return Reply(
        {
            "shop_name": shop.name,
            "region": shop.region,
            "status": shop.status,
            "is_cb": False,
            "is_sip": False,
            "sip_affi_shops": [],
            "is_main_shop": False,
            "is_upgraded_cbsc": False,
            "merchant_id": None,
            "shop_fulfillment_flag": "Others",
            "is_direct_shop": False,
            "auth_time": auth.auth_time if auth else 0,
            "expire_time": auth.expire_time if auth else 0,
        }
    )


def get_shops_by_partner(ctx: Ctx) -> Reply:
    page_size = ctx.query.integer("page_size", low=1, high=100) or 100
    page_no = ctx.query.integer("page_no", low=1) or 1
    authorized = sorted(
        (a for a in ctx.sandbox.tokens.authorizations.values() if a.partner_id == ctx.partner.partner_id),
        key=lambda a: a.shop_id,
    )
    start = (page_no - 1) * page_size
    shops = [
        {
            "shop_id": a.shop_id,
            "region": ctx.sandbox.shops[a.shop_id].region,
            "auth_time": a.auth_time,
            "expire_time": a.expire_time,
            "sip_affi_shop_list": [],
        }
        for a in authorized[start : start + page_size]
    ]
    return Reply({"authed_shop_list": shops, "more": start + page_size < len(authorized)})


def get_lost_push_message(ctx: Ctx) -> Reply:
    messages, more = ctx.sandbox.lost_pushes.page(ctx.partner.partner_id, ctx.now)
    listed = [
        {"shop_id": m.shop_id, "code": m.code, "timestamp": m.timestamp, "data": m.data} for m in messages
    ]
    last = messages[-1].message_id if messages else 0
    return Reply({"push_message_list": listed, "has_next_page": more, "last_message_id": last})


def confirm_consumed_lost_push_message(ctx: Ctx) -> Reply:
    ctx.sandbox.lost_pushes.confirm(ctx.partner.partner_id, ctx.body.required_int("last_message_id", low=0))
    return Reply({})


ENDPOINTS = [
    Endpoint("GET", "/api/v2/shop/auth_partner", auth_partner, "public"),
    Endpoint("POST", "/api/v2/auth/token/get", token_get, "public", "top"),
    Endpoint("POST", "/api/v2/auth/access_token/get", access_token_get, "public", "top"),
    Endpoint("GET", "/api/v2/shop/get_shop_info", get_shop_info, "shop", "top"),
    Endpoint("GET", "/api/v2/public/get_shops_by_partner", get_shops_by_partner, "public", "top"),
    Endpoint("GET", "/api/v2/push/get_lost_push_message", get_lost_push_message, "public"),
    Endpoint(
        "POST",
        "/api/v2/push/confirm_consumed_lost_push_message",
        confirm_consumed_lost_push_message,
        "public",
    ),
]
