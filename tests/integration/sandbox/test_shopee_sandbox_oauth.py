"""OAuth against the Shopee sandbox (§A3): authorize link -> approval page -> redirect with a one-time code ->
token/get -> access_token/get, with the lifetimes and single-use rules of the document."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import httpx

from aiostore.sandbox.common import ManualClock
from aiostore.sandbox.shopee import ShopeeSandbox
from tests.integration.sandbox.conftest import PARTNER_ID, SHOP_ID, Shopee

AUTH = "/api/v2/shop/auth_partner"
TOKEN_GET = "/api/v2/auth/token/get"
REFRESH = "/api/v2/auth/access_token/get"
REDIRECT = "https://seller.example/callback?state=xyz"


async def _authorize(shopee: Shopee, http: httpx.AsyncClient, shop_id: int = SHOP_ID) -> str:
    page = await shopee.get(AUTH, shop=False, redirect=REDIRECT)
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    session = re.search(r'name="session" value="([0-9a-f]+)"', page.text)
    assert session is not None and f'value="{shop_id}"' in page.text
    approved = await http.post(
        "/_sandbox/oauth/approve", data={"session": session.group(1), "shop_id": str(shop_id)}
    )
    assert approved.status_code == 302
    location = urlsplit(approved.headers["location"])
    assert location._replace(query="").geturl() == "https://seller.example/callback"
    query = parse_qs(location.query)
    assert query["state"] == ["xyz"] and query["shop_id"] == [str(shop_id)]
    return query["code"][0]


async def _exchange(shopee: Shopee, code: str, shop_id: int = SHOP_ID) -> httpx.Response:
    return await shopee.post(
        TOKEN_GET, {"code": code, "partner_id": PARTNER_ID, "shop_id": shop_id}, shop=False
    )


async def _refresh(shopee: Shopee, refresh_token: str) -> httpx.Response:
    body = {"refresh_token": refresh_token, "partner_id": PARTNER_ID, "shop_id": SHOP_ID}
    return await shopee.post(REFRESH, body, shop=False)


async def test_oauth_end_to_end(shopee: Shopee, http: httpx.AsyncClient, clock: ManualClock) -> None:
    code = await _authorize(shopee, http)
    granted = await _exchange(shopee, code)
    tokens = granted.json()
    assert granted.status_code == 200 and tokens["error"] == "" and "response" not in tokens
    assert tokens["expire_in"] == 4 * 3600 and len(tokens["access_token"]) == 32
    shopee.token = tokens["access_token"]
    assert (await shopee.get("/api/v2/shop/get_shop_info")).status_code == 200

    reused = (await _exchange(shopee, code)).json()
    assert reused["error"] == "invalid_code"

    clock.advance(3600)
    refreshed = (await _refresh(shopee, tokens["refresh_token"])).json()
    assert (
        refreshed["error"] == "" and refreshed["shop_id"] == SHOP_ID and refreshed["partner_id"] == PARTNER_ID
    )
    assert refreshed["refresh_token"] != tokens["refresh_token"]
    again = await _refresh(shopee, tokens["refresh_token"])
    assert again.status_code == 403 and again.json()["error"] == "error_shop_refresh_token"

    clock.advance(299)
    assert (await shopee.get("/api/v2/shop/get_shop_info")).status_code == 200  # old token: 5 more minutes
    clock.advance(2)
    assert (await shopee.get("/api/v2/shop/get_shop_info")).json()["error"] == "invalid_acceess_token"
    shopee.token = refreshed["access_token"]
    assert (await shopee.get("/api/v2/shop/get_shop_info")).status_code == 200


async def test_authorize_link_dies_after_five_minutes(shopee: Shopee, http: httpx.AsyncClient) -> None:
    params = {**shopee.common(AUTH, shop=False, timestamp=int(shopee.clock()) - 301), "redirect": REDIRECT}
    response = await http.get(AUTH, params=params)
    assert response.status_code == 400 and response.json()["message"] == "Timestamp is expired."
    bad = {**shopee.common(AUTH, shop=False), "redirect": REDIRECT, "sign": "f" * 64}
    assert (await http.get(AUTH, params=bad)).json()["error"] == "error_sign"


async def test_approval_session_is_single_use(shopee: Shopee, http: httpx.AsyncClient) -> None:
    page = await shopee.get(AUTH, shop=False, redirect=REDIRECT)
    session = re.search(r'name="session" value="([0-9a-f]+)"', page.text)
    assert session is not None
    fields = {"session": session.group(1), "shop_id": str(SHOP_ID)}
    assert (await http.get("/_sandbox/oauth/approve", params=fields)).status_code == 302
    assert (await http.get("/_sandbox/oauth/approve", params=fields)).status_code == 400


async def test_code_expires_and_is_bound_to_its_shop(
    shopee: Shopee, http: httpx.AsyncClient, clock: ManualClock, sandbox: ShopeeSandbox
) -> None:
    sandbox.add_shop(700000, "MY")
    code = await _authorize(shopee, http)
    wrong_shop = await _exchange(shopee, code, 700000)
    assert wrong_shop.status_code == 403 and wrong_shop.json()["error"] == "invalid_shop_id"
    clock.advance(601)
    assert (await _exchange(shopee, code)).json()["error"] == "invalid_code"


async def test_refresh_token_expires_after_thirty_days(
    shopee: Shopee, sandbox: ShopeeSandbox, clock: ManualClock
) -> None:
    pair = sandbox.grant_access_token(SHOP_ID)
    clock.advance(30 * 86400 + 1)
    expired = await _refresh(shopee, pair.refresh_token)
    assert expired.status_code == 403 and expired.json()["error"] == "refresh_token_expired"
    assert (await _refresh(shopee, "0" * 32)).json()["error"] == "error_shop_refresh_token"


async def test_reauthorizing_rotates_tokens(
    shopee: Shopee, http: httpx.AsyncClient, sandbox: ShopeeSandbox
) -> None:
    first = sandbox.grant_access_token(SHOP_ID)
    tokens = (await _exchange(shopee, await _authorize(shopee, http))).json()
    assert (await _refresh(shopee, first.refresh_token)).json()["error"] == "error_shop_refresh_token"
    assert (await _refresh(shopee, tokens["refresh_token"])).json()["error"] == ""


async def test_token_body_must_match_query_partner(shopee: Shopee) -> None:
    body = {"code": "x", "partner_id": PARTNER_ID + 1, "shop_id": SHOP_ID}
    response = await shopee.post(TOKEN_GET, body, shop=False)
    assert response.status_code == 400 and response.json()["error"] == "error_param"
