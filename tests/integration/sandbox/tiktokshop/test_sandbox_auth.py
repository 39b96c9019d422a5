"""The TikTok Shop sandbox refuses what TikTok refuses (§B2 signing, §B3 tokens, §B6 codes) and runs the
seller authorization flow (pages, auth code, token/get, token/refresh)."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from aiostore.sandbox.common import ManualClock
from aiostore.sandbox.tiktokshop import TikTokShopSandbox
from tests.integration.sandbox.tiktokshop.conftest import (
    APP_KEY,
    APP_SECRET,
    REFRESH,
    START,
    TTS,
    data,
    error,
)

SHOPS = "/authorization/202309/shops"
SEARCH = "/product/202309/products/search"


async def test_a_signed_call_succeeds(tts: TTS, sandbox: TikTokShopSandbox) -> None:
    shops = data(await tts.get(SHOPS, shop=False))["shops"]
    shop = sandbox.shop()
    assert shops == [
        {
            "id": shop.shop_id,
            "name": shop.name,
            "region": "ID",
            "seller_type": "LOCAL",
            "cipher": shop.cipher,
            "code": shop.code,
        }
    ]


async def test_bad_signature(tts: TTS) -> None:
    tts.secret = "not-the-secret"
    assert error(await tts.get(SHOPS, shop=False), 401, 106001) == "signature is invalid"


async def test_a_changed_body_breaks_the_signature(tts: TTS, http: httpx.AsyncClient) -> None:
    signed = b'{"status":"ALL"}'
    query = tts.query(SEARCH, {"page_size": 10}, signed, shop=True, timestamp=None)
    sent = await http.post(
        SEARCH,
        params=query,
        content=b'{"status": "ALL"}',
        headers={"x-tts-access-token": tts.token, "content-type": "application/json"},
    )
    error(sent, 401, 106001)


@pytest.mark.parametrize(("offset", "fragment"), [(-301, "earlier than 5 minutes"), (31, "30 seconds")])
async def test_timestamp_window(tts: TTS, offset: int, fragment: str) -> None:
    assert fragment in error(await tts.get(SHOPS, shop=False, timestamp=START + offset), 400, 36009004)
    data(await tts.get(SHOPS, shop=False, timestamp=START - 299))
    data(await tts.get(SHOPS, shop=False, timestamp=START + 29))


async def test_missing_sign_wrong_app_key_and_no_timestamp(http: httpx.AsyncClient) -> None:
    headers = {"x-tts-access-token": "x"}
    message = error(
        await http.get(SHOPS, params={"app_key": APP_KEY, "timestamp": START}, headers=headers), 400, 36009004
    )
    assert message.startswith("Missing credentials")
    wrong: dict[str, str | int] = {"app_key": "nope", "timestamp": START, "sign": "0" * 64}
    assert "app_key" in error(await http.get(SHOPS, params=wrong, headers=headers), 400, 36009004)
    no_time = {"app_key": APP_KEY, "sign": "0" * 64}
    assert "timestamp" in error(await http.get(SHOPS, params=no_time, headers=headers), 400, 36009004)


async def test_tokens(tts: TTS, sandbox: TikTokShopSandbox) -> None:
    assert "x-tts-access-token" in error(
        await tts.get(SHOPS, shop=False, headers={"x-tts-access-token": ""}), 401, 36009004
    )
    tts.token = "ROW_unknown"
    assert "invalid" in error(await tts.get(SHOPS, shop=False), 401, 36009004)
    tts.token = sandbox.grant_access_token().access_token
    data(await tts.get(SHOPS, shop=False))
    sandbox.expire_access_tokens()
    assert "expired" in error(await tts.get(SHOPS, shop=False), 401, 105002)


async def test_shop_cipher_rules(tts: TTS, sandbox: TikTokShopSandbox) -> None:
    error(await tts.post(SEARCH, {}, shop=False, page_size=10), 400, 106013)  # required on shop APIs
    assert "not required" in error(await tts.get(SHOPS, shop_cipher=tts.cipher, shop=False), 400, 36009004)
    tts.cipher = "ROW_unknown"
    assert "shop_cipher" in error(await tts.post(SEARCH, {}, page_size=10), 400, 36009004)
    other = sandbox.add_shop("7000000000000000002", "MY")  # a shop this seller has not authorized yet
    authorization = sandbox.tokens.authorizations[(APP_KEY, other.open_id)]
    authorization.shop_ids.remove(other.shop_id)
    tts.cipher = other.cipher
    error(await tts.post(SEARCH, {}, page_size=10), 400, 36009004)


async def test_unknown_path_and_method(tts: TTS) -> None:
    error(await tts.get("/product/202309/nothing"), 404, 36009009)
    error(await tts.get("/order/202309/orders/search", page_size=10), 405, 36009010)


async def test_page_and_batch_limits(tts: TTS, sandbox: TikTokShopSandbox) -> None:
    error(await tts.post(SEARCH, {}, page_size=101), 200, 12052910)
    error(await tts.post(SEARCH, {}, page_size=0), 200, 12052910)
    error(await tts.post(SEARCH, {}), 200, 12052910)  # page_size is required
    ids = ",".join(str(576684019603300000 + n) for n in range(51))
    error(await tts.get("/order/202309/orders", ids=ids), 200, 16000004)
    sandbox.seed(products=1, variants_per_product=1)
    product_id = next(iter(sandbox.catalog.products))
    skus = [{"id": str(n), "inventory": [{"quantity": 1}]} for n in range(101)]
    error(
        await tts.post(f"/product/202309/products/{product_id}/inventory/update", {"skus": skus}),
        200,
        12052910,
    )
    quantity = [{"id": str(n), "inventory": [{"quantity": 100_000}]} for n in range(1)]
    error(
        await tts.post(f"/product/202309/products/{product_id}/inventory/update", {"skus": quantity}),
        200,
        12052910,
    )


async def test_bodies_must_be_json_objects(tts: TTS, http: httpx.AsyncClient) -> None:
    raw = b"[1, 2]"
    query = tts.query(SEARCH, {"page_size": 10}, raw, shop=True, timestamp=None)
    headers = {"x-tts-access-token": tts.token, "content-type": "application/json"}
    error(await http.post(SEARCH, params=query, content=raw, headers=headers), 400, 36009023)
    error(
        await http.post(SEARCH, params=query, content=raw, headers={**headers, "content-type": "text/plain"}),
        400,
        36009022,
    )


async def test_rate_limit_per_app_and_shop(tts: TTS, sandbox: TikTokShopSandbox) -> None:
    ticks = ManualClock(0)
    sandbox.rate_limiter.rate, sandbox.rate_limiter.burst = 1.0, 2
    sandbox.rate_limiter._clock = ticks  # noqa: SLF001 - the test drives the bucket's clock
    statuses = [(await tts.post(SEARCH, {}, page_size=1)).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    error(await tts.post(SEARCH, {}, page_size=1), 429, 36009002)
    ticks.advance(1.0)
    data(await tts.post(SEARCH, {}, page_size=1))


# -- authorization ------------------------------------------------------------------------------------


async def authorize(http: httpx.AsyncClient, path: str, **params: str) -> dict[str, str]:
    page = await http.get(path, params=params)
    assert page.status_code == 200, page.text
    session = re.search(r'name="session" value="([^"]+)"', page.text)
    assert session is not None
    approved = await http.post("/_sandbox/oauth/approve", data={"session": session[1]})
    assert approved.status_code == 302 and approved.headers["location"].startswith(
        "https://app.example/callback?"
    )
    assert (
        await http.post("/_sandbox/oauth/approve", data={"session": session[1]})
    ).status_code == 400  # once
    return {k: v[0] for k, v in parse_qs(urlsplit(approved.headers["location"]).query).items()}


async def token(http: httpx.AsyncClient, path: str, **params: str) -> httpx.Response:
    return await http.get(path, params={"app_key": APP_KEY, "app_secret": APP_SECRET, **params})


async def test_authorization_code_and_tokens(
    http: httpx.AsyncClient, sandbox: TikTokShopSandbox, clock: ManualClock
) -> None:
    callback = await authorize(http, "/oauth/authorize", app_key=APP_KEY, state="s-1")
    assert (callback["state"], callback["shop_region"]) == ("s-1", "ID")
    got = data(
        await token(http, "/api/v2/token/get", auth_code=callback["code"], grant_type="authorized_code")
    )
    assert got["access_token"].startswith("ROW_") and got["access_token_expire_in"] == START + 7 * 86400
    assert got["refresh_token_expire_in"] == START + 365 * 86400 and got["user_type"] == 0
    error(
        await token(http, "/api/v2/token/get", auth_code=callback["code"], grant_type="authorized_code"),
        200,
        36004004,
    )

    clock.advance(60)
    fresh = data(
        await token(
            http, "/api/v2/token/refresh", refresh_token=got["refresh_token"], grant_type="refresh_token"
        )
    )
    assert fresh["access_token"] != got["access_token"] and fresh["refresh_token"] != got["refresh_token"]
    assert fresh["access_token_expire_in"] == START + 60 + 7 * 86400
    used = await token(
        http, "/api/v2/token/refresh", refresh_token=got["refresh_token"], grant_type="refresh_token"
    )
    error(used, 200, 36004005)  # the old refresh token is spent
    old = sandbox.tokens.access[got["access_token"]]
    assert old.expires_at == START + 60 + 300  # the old access token lives 5 more minutes

    sandbox.expire_refresh_tokens()
    expired = await token(
        http, "/api/v2/token/refresh", refresh_token=fresh["refresh_token"], grant_type="refresh_token"
    )
    assert error(expired, 200, 36004001) == "rt has expired"


async def test_the_current_authorize_page_and_app_checks(
    http: httpx.AsyncClient, sandbox: TikTokShopSandbox
) -> None:
    callback = await authorize(http, "/open/authorize", service_id=sandbox.app.service_id, state="s-2")
    assert callback["state"] == "s-2"
    assert (await http.get("/open/authorize", params={"service_id": "nope"})).status_code == 400
    wrong_secret = await http.get(
        "/api/v2/token/get",
        params={
            "app_key": APP_KEY,
            "app_secret": "x",
            "auth_code": callback["code"],
            "grant_type": "authorized_code",
        },
    )
    assert "app_secret" in error(wrong_secret, 400, 36009004)
    error(
        await token(http, "/api/v2/token/get", auth_code=callback["code"], grant_type="password"),
        200,
        36004003,
    )


async def test_an_expired_code_is_refused(http: httpx.AsyncClient, clock: ManualClock) -> None:
    callback = await authorize(http, "/oauth/authorize", app_key=APP_KEY, state="s")
    clock.advance(1801)
    error(
        await token(http, "/api/v2/token/get", auth_code=callback["code"], grant_type="authorized_code"),
        200,
        36004004,
    )


async def test_without_a_registered_redirect_the_code_is_shown(
    http: httpx.AsyncClient, sandbox: TikTokShopSandbox
) -> None:
    sandbox.app.redirect_url = None
    page = await http.get("/oauth/authorize", params={"app_key": APP_KEY, "state": "s"})
    session = re.search(r'name="session" value="([^"]+)"', page.text)
    assert session is not None
    shown = await http.get("/_sandbox/oauth/approve", params={"session": session[1]})
    assert shown.status_code == 200 and "<code>" in shown.text


async def test_the_known_refresh_token_works(http: httpx.AsyncClient) -> None:
    data(await token(http, "/api/v2/token/refresh", refresh_token=REFRESH, grant_type="refresh_token"))
