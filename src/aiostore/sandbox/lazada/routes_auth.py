"""Seller authorization, tokens and the seller (lazada-tokopedia.md §A3, §A4 seller row).

- GET /oauth/authorize (``response_type=code``, ``client_id``, ``redirect_uri``, ``state``, ``country``)
  shows an approval page listing the sellers of the countries asked for; approving (POST or GET
  /_sandbox/oauth/approve) redirects to ``redirect_uri?code=…&state=…``.
- /auth/token/create and /auth/token/refresh (GET or POST, no access token) answer at the top level:
  ``access_token``, ``refresh_token``, ``expires_in``, ``refresh_expires_in``, ``country``,
  ``account``, ``account_id``, ``account_platform`` and ``country_user_info`` (create) or
  ``country_user_info_list`` (refresh).
- GET /seller/get.
"""

from __future__ import annotations

import html

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from aiostore.sandbox.common import oauth
from aiostore.sandbox.lazada import errors
from aiostore.sandbox.lazada.dispatch import Ctx, Endpoint, Reply, endpoint
from aiostore.sandbox.lazada.models import Seller
from aiostore.sandbox.lazada.state import LazadaSandbox
from aiostore.sandbox.lazada.tokens import SellerTokens

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Lazada sandbox: authorize app {app_key}</title></head>
<body>
<h1>Authorize app {app_key}</h1>
<p>Lazada sandbox. Choose the seller account app {app_key} may manage. After approval the browser returns
to <code>{redirect}</code>.</p>
<form method="post" action="{action}">
<input type="hidden" name="session" value="{session}">
{sellers}
<p><button type="submit">Submit</button></p>
</form></body></html>
"""
_ROW = (
    '<p><label><input type="radio" name="seller_id" value="{id}"{checked}> '
    "{name} ({country}, {id})</label></p>"
)


def oauth_routes(sandbox: LazadaSandbox) -> list[Route]:
    async def authorize(request: Request) -> Response:
        query = request.query_params
        app = sandbox.apps.get(query.get("client_id", ""))
        redirect = query.get("redirect_uri", "")
        if query.get("response_type") != "code" or app is None:
            return oauth.page_error("response_type must be code and client_id a known app key")
        if not oauth.is_web_url(redirect) or (app.callback_url and redirect != app.callback_url):
            return oauth.page_error("redirect_uri must be the callback URL registered for the app")
        countries = tuple(c.strip().upper() for c in query.get("country", "").split(",") if c.strip())
        sellers = [s for s in sandbox.sellers.values() if not countries or s.country in countries]
        session = sandbox.tokens.open_session(
            app.app_key, sandbox.now(), redirect=redirect, state=query.get("state", ""), countries=countries
        )
        rows = "\n".join(
            _ROW.format(
                id=s.seller_id,
                name=html.escape(s.name),
                country=s.country,
                checked=" checked" if n == 0 else "",
            )
            for n, s in enumerate(sellers)
        )
        page = _PAGE.format(
            app_key=html.escape(app.app_key),
            redirect=html.escape(redirect),
            action=oauth.approve_action(request),
            session=session,
            sellers=rows or "<p>No seller of these countries.</p>",
        )
        return HTMLResponse(page)

    async def approve(request: Request) -> Response:
        fields = await oauth.approval_fields(request)
        seller = sandbox.sellers.get(fields.get("seller_id", ""))
        if seller is None:
            return oauth.page_error("Choose a seller account to authorize.")
        session = sandbox.tokens.take_session(fields.get("session", ""), sandbox.now())
        if session is None:
            return oauth.page_error("This authorization link has expired or was already used.")
        if session.countries and seller.country not in session.countries:
            return oauth.page_error(f"This authorization is for {', '.join(session.countries)} sellers only.")
        code = sandbox.tokens.authorize(session.app, seller.seller_id, sandbox.now())
        extra = {"code": code, **({"state": session.state} if session.state else {})}
        return RedirectResponse(oauth.with_query(session.redirect, extra), 302)

    return [
        Route("/oauth/authorize", authorize, methods=["GET"]),
        Route("/auth/oauth/authorize", authorize, methods=["GET"]),
        Route(oauth.APPROVE_PATH, approve, methods=["GET", "POST"]),
    ]


def _token_answer(pair: SellerTokens, seller: Seller, entries_key: str) -> dict[str, object]:
    entry = {
        "country": seller.country.lower(),
        "seller_id": seller.seller_id,
        "user_id": seller.user_id,
        "short_code": seller.short_code,
    }
    return {
        "access_token": pair.access_token,
        "refresh_token": pair.refresh_token,
        "expires_in": pair.expires_in,
        "refresh_expires_in": pair.refresh_expires_in,
        "country": seller.country.lower(),
        "account_platform": "seller_center",
        "account": seller.email,
        "account_id": "",
        entries_key: [entry],
    }


def token_create(ctx: Ctx) -> Reply:
    pair = ctx.sandbox.tokens.exchange_code(ctx.params.required("code"), ctx.app.app_key, ctx.now)
    if pair is None:
        raise errors.invalid_code()
    return Reply(_token_answer(pair, ctx.sandbox.seller(pair.owner), "country_user_info"))


def token_refresh(ctx: Ctx) -> Reply:
    pair = ctx.sandbox.tokens.refresh_pair(ctx.params.required("refresh_token"), ctx.app.app_key, ctx.now)
    if pair is None:
        raise errors.illegal_refresh_token()
    return Reply(_token_answer(pair, ctx.sandbox.seller(pair.owner), "country_user_info_list"))


def seller_get(ctx: Ctx) -> Reply:
    seller = ctx.seller
    return Reply(
        {
            "name": seller.name,
            "name_company": f"{seller.name} Co.",
            "seller_id": int(seller.seller_id) if seller.seller_id.isdigit() else seller.seller_id,
            "short_code": seller.short_code,
            "email": seller.email,
            "location": {"ID": "Jakarta", "SG": "Singapore", "MY": "Kuala Lumpur"}[seller.country],
            "status": seller.status,
            "verified": True,
            "cb": False,
            "logo_url": "",
        }
    )


ENDPOINTS: list[Endpoint] = [
    endpoint("GET/POST", "/auth/token/create", token_create, "auth", "top"),
    endpoint("GET/POST", "/auth/token/refresh", token_refresh, "auth", "top"),
    endpoint("GET", "/seller/get", seller_get),
]
