"""Seller authorization in the Lazada sandbox (lazada-tokopedia.md §A3): the approval page, codes, token
create and refresh with rotation and expiry, and the /_sandbox control API for tokens."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx

from aiostore.sandbox.common import ManualClock
from aiostore.sandbox.lazada import LazadaSandbox
from tests.integration.sandbox.lazada.conftest import APP_KEY, AUTH, SELLER_ID, Lazada

CALLBACK = "https://app.example/callback"


async def approve(http: httpx.AsyncClient, seller_id: str = SELLER_ID, country: str = "id") -> httpx.Response:
    query = {
        "response_type": "code",
        "force_auth": "true",
        "redirect_uri": CALLBACK,
        "client_id": APP_KEY,
        "state": "xyz",
        "country": country,
    }
    page = await http.get("https://auth.lazada.com/oauth/authorize?" + urlencode(query))
    assert page.status_code == 200
    session = re.search(r'name="session" value="([^"]+)"', page.text)
    assert session is not None
    return await http.post(
        "https://auth.lazada.com/_sandbox/oauth/approve", data={"session": session[1], "seller_id": seller_id}
    )


async def code_of(http: httpx.AsyncClient) -> str:
    approved = await approve(http)
    assert approved.status_code == 302
    query = parse_qs(urlsplit(approved.headers["location"]).query)
    assert query["state"] == ["xyz"] and query["code"][0].startswith(f"0_{APP_KEY}_")
    return query["code"][0]


async def test_code_for_tokens_then_refresh(
    lazada: Lazada, http: httpx.AsyncClient, clock: ManualClock
) -> None:
    code = await code_of(http)
    created = (await lazada.call("POST", "/auth/token/create", {"code": code}, base=AUTH, auth=True)).json()
    assert created["code"] == "0" and "data" not in created
    assert (created["country"], created["expires_in"], created["refresh_expires_in"]) == (
        "id",
        7 * 86400,
        14 * 86400,
    )
    assert created["country_user_info"] == [
        {
            "country": "id",
            "seller_id": SELLER_ID,
            "user_id": created["country_user_info"][0]["user_id"],
            "short_code": created["country_user_info"][0]["short_code"],
        }
    ]
    assert created["access_token"].startswith("5000") and len(created["access_token"]) == 60
    again = (await lazada.call("POST", "/auth/token/create", {"code": code}, base=AUTH, auth=True)).json()
    assert again["code"] == "InvalidCode"  # single-use

    clock.advance(3600)
    refreshed = (
        await lazada.call(
            "GET", "/auth/token/refresh", {"refresh_token": created["refresh_token"]}, base=AUTH, auth=True
        )
    ).json()
    assert refreshed["code"] == "0" and refreshed["country_user_info_list"][0]["seller_id"] == SELLER_ID
    assert refreshed["refresh_token"] != created["refresh_token"]
    reused = (
        await lazada.call(
            "GET", "/auth/token/refresh", {"refresh_token": created["refresh_token"]}, base=AUTH, auth=True
        )
    ).json()
    assert reused["code"] == "IllegalRefreshToken"  # rotated
    for token in (created["access_token"], refreshed["access_token"]):  # the old one lives out its time
        lazada.token = token
        assert (await lazada.get("/seller/get")).json()["code"] == "0"


async def test_codes_and_refresh_tokens_expire(
    lazada: Lazada, http: httpx.AsyncClient, clock: ManualClock
) -> None:
    code = await code_of(http)
    clock.advance(1801)
    assert (await lazada.call("POST", "/auth/token/create", {"code": code}, base=AUTH, auth=True)).json()[
        "code"
    ] == "InvalidCode"
    fresh = (
        await lazada.call("POST", "/auth/token/create", {"code": await code_of(http)}, base=AUTH, auth=True)
    ).json()
    clock.advance(14 * 86400 + 1)
    late = await lazada.call(
        "POST", "/auth/token/refresh", {"refresh_token": fresh["refresh_token"]}, base=AUTH, auth=True
    )
    assert late.json()["code"] == "IllegalRefreshToken"


async def test_token_apis_need_the_app_signature(lazada: Lazada, http: httpx.AsyncClient) -> None:
    code = await code_of(http)
    bad = await lazada.call("POST", "/auth/token/create", {"code": code}, base=AUTH, auth=True, sign="A" * 64)
    assert bad.json()["code"] == "IncompleteSignature"
    on_prefix = await lazada.call(
        "POST", "/auth/token/create", {"code": code}, base="http://127.0.0.1:8803/auth/rest", auth=True
    )
    assert on_prefix.json()["code"] == "0"


async def test_the_page_offers_the_countries_asked_for(
    http: httpx.AsyncClient, sandbox: LazadaSandbox
) -> None:
    sandbox.add_seller("300001", "SG", "Lion Store")
    query = {"response_type": "code", "redirect_uri": CALLBACK, "client_id": APP_KEY, "country": "sg"}
    page = await http.get("https://auth.lazada.com/oauth/authorize?" + urlencode(query))
    assert "Lion Store" in page.text and SELLER_ID not in page.text
    assert (await approve(http, SELLER_ID, "sg")).status_code == 400  # an ID seller on an SG-only link
    approved = await approve(http, "300001", "sg")
    assert approved.status_code == 302


async def test_the_page_refuses_bad_links(http: httpx.AsyncClient, sandbox: LazadaSandbox) -> None:
    base = "https://auth.lazada.com/oauth/authorize?"
    assert (
        await http.get(
            base + urlencode({"response_type": "token", "client_id": APP_KEY, "redirect_uri": CALLBACK})
        )
    ).status_code == 400
    assert (
        await http.get(
            base + urlencode({"response_type": "code", "client_id": "nope", "redirect_uri": CALLBACK})
        )
    ).status_code == 400
    sandbox.app().callback_url = "https://registered.example/cb"
    assert (
        await http.get(
            base + urlencode({"response_type": "code", "client_id": APP_KEY, "redirect_uri": CALLBACK})
        )
    ).status_code == 400
    assert (
        await http.post(
            "https://auth.lazada.com/_sandbox/oauth/approve", data={"session": "x", "seller_id": SELLER_ID}
        )
    ).status_code == 400


async def test_control_api_tokens(http: httpx.AsyncClient, lazada: Lazada) -> None:
    granted = (await http.post("http://s/_sandbox/tokens", json={"access_token": "50000ctl"})).json()
    assert granted["seller_id"] == SELLER_ID and granted["refresh_token"].startswith("5000")
    lazada.token = "50000ctl"
    assert (await lazada.get("/seller/get")).json()["code"] == "0"
    assert (await http.post("http://s/_sandbox/tokens/expire", json={})).json()["expired"] >= 2
    assert (await lazada.get("/seller/get")).json()["code"] == "IllegalAccessToken"
    assert (await http.post("http://s/_sandbox/tokens", json={"seller_id": "nobody"})).status_code == 404
