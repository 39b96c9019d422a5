"""A Tokopedia shop served through TikTok Shop's Partner API: the TikTok Shop connector's code, reporting the
channel as Tokopedia and Indonesia only, against the TikTok Shop sandbox over HTTP."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from aiostore.connectors.base import MarketplaceConnector, WritePlanner
from aiostore.connectors.dtos import AppCredentials, ProductUpdate, StockUpdate, TokenSet, WebhookKind
from aiostore.connectors.errors import InvalidRequest, NotFound, Refused
from aiostore.connectors.recording import RecordingConnector
from aiostore.connectors.registry import ShopAccount, get_connector, make
from aiostore.connectors.tiktokshop import TIKTOKSHOP_LIMITS, TikTokShopConnector
from aiostore.connectors.tokopedia.via_tiktok import TokopediaViaTikTokConnector
from aiostore.domain.market import Currency, MarketCode
from aiostore.domain.orders import OrderStatus
from aiostore.domain.platforms import Platform
from aiostore.http.client import HttpPolicy
from aiostore.sandbox.common import ManualClock
from aiostore.sandbox.tiktokshop import TikTokShopSandbox, TikTokShopSandboxConfig, create_app

APP_KEY, APP_SECRET = "6a1tokopedia", "tokopedia-on-tiktok-secret"
SHOP_ID = "7494726673780148744"
TOKEN, REFRESH = "ROW_tkp-access", "ROW_tkp-refresh"
BASE_URL = "http://tiktokshop.sandbox"
REDIRECT = "https://aiostore.example/api/channels/callback/tokopedia"
APP = AppCredentials(APP_KEY, APP_SECRET, BASE_URL, BASE_URL, {"api": "tiktokshop"})


@dataclass
class Env:
    sandbox: TikTokShopSandbox
    clock: ManualClock
    http: httpx.AsyncClient
    policy: HttpPolicy

    def tokens(self) -> TokenSet:
        now = datetime.fromtimestamp(self.clock(), UTC)
        return TokenSet(
            TOKEN,
            REFRESH,
            now + timedelta(days=7),
            now + timedelta(days=365),
            shop_id=SHOP_ID,
            external_ids={"shop_cipher": self.sandbox.shop().cipher},
        )

    def connector(self, *, tokens: bool = True, shop_id: str | None = SHOP_ID) -> TokopediaViaTikTokConnector:
        made = make(
            "tokopedia",
            self.http,
            APP,
            ShopAccount(shop_id=shop_id, market=MarketCode.ID, tokens=self.tokens() if tokens else None),
            self.policy,
            None,
            clock=self.clock,
        )
        assert isinstance(made, TokopediaViaTikTokConnector)
        return made


@pytest.fixture
async def env() -> AsyncIterator[Env]:
    clock = ManualClock(1_700_000_000)
    config = TikTokShopSandboxConfig(
        app_key=APP_KEY,
        app_secret=APP_SECRET,
        shop_id=SHOP_ID,
        region="ID",
        access_token=TOKEN,
        refresh_token=REFRESH,
        redirect_url=REDIRECT,
        products=12,
        orders=25,
        clock=clock,
        rate_limit_rps=None,
        push_retry_delay=0.0,
    )
    app = create_app(config)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app)) as http:
        yield Env(app.state.sandbox, clock, http, HttpPolicy())
    await app.state.sandbox.aclose()


def test_make_connector_picks_the_tiktok_path(env: Env) -> None:
    connector = env.connector()
    assert isinstance(connector, TikTokShopConnector) and connector.platform is Platform.TOKOPEDIA
    assert isinstance(connector, MarketplaceConnector) and isinstance(connector, WritePlanner)
    assert connector.limits == TIKTOKSHOP_LIMITS
    dry = get_connector("tokopedia", APP, ShopAccount(SHOP_ID, MarketCode.ID, env.tokens()), env.http)
    assert isinstance(dry, RecordingConnector) and isinstance(dry.inner, TokopediaViaTikTokConnector)
    assert dry.platform is Platform.TOKOPEDIA


@pytest.mark.parametrize("market", [MarketCode.SG, MarketCode.MY])
def test_other_markets_are_refused(env: Env, market: MarketCode) -> None:
    with pytest.raises(InvalidRequest, match="ID only"):
        make("tokopedia", env.http, APP, ShopAccount(market=market), env.policy, None)


async def test_authorization(env: Env) -> None:
    connector = env.connector(tokens=False, shop_id=None)
    page = await env.http.get(connector.authorization_url("st-7", REDIRECT))
    assert page.status_code == 200, page.text
    action = re.search(r'action="([^"]+)"', page.text)
    session = re.search(r'name="session" value="([^"]+)"', page.text)
    assert action is not None and session is not None
    approved = await env.http.post(f"{BASE_URL}{action[1]}", data={"session": session[1]})
    query = {k: v[0] for k, v in parse_qs(urlsplit(approved.headers["location"]).query).items()}
    assert query["state"] == "st-7" and query["shop_region"] == "ID"
    tokens = await connector.exchange_code(query["code"], query)
    assert (tokens.shop_id, tokens.external_ids["shop_cipher"]) == (SHOP_ID, env.sandbox.shop().cipher)
    info = await connector.shop_info()
    assert (info.shop_id, info.market) == (SHOP_ID, MarketCode.ID)
    fresh = await connector.refresh(tokens)
    assert fresh.access_token != tokens.access_token and connector.tokens == fresh


async def test_an_authorization_of_a_shop_outside_indonesia_is_refused(env: Env) -> None:
    singapore = env.sandbox.add_shop("7494000000000000001", region="SG")
    code = env.sandbox.authorize()
    with pytest.raises(Refused, match="ID only"):
        await env.connector(tokens=False, shop_id=None).exchange_code(code, {"shop_id": singapore.shop_id})
    with pytest.raises(NotFound):  # a connector acting for it finds no Indonesian shop of that id
        await env.connector(shop_id=singapore.shop_id).shop_info()


async def test_product_pull_and_errors_labelled_tokopedia(env: Env) -> None:
    connector = env.connector()
    products = [p async for p in connector.list_products()]
    assert len(products) == 12 and len({p.item_id for p in products}) == 12
    price = products[0].variants[0].price
    assert price is not None and price.currency is Currency.IDR
    with pytest.raises(NotFound) as caught:
        await connector.update_product(ProductUpdate("123", name="x"))
    assert caught.value.platform == "tokopedia"
    assert f"tokopedia:{SHOP_ID}" in env.policy.limiters  # its own bucket, not TikTok Shop's
    assert await env.policy.breakers.state("tokopedia") == "closed"


async def test_stock_update(env: Env) -> None:
    connector = env.connector()
    products = [p async for p in connector.list_products()][:3]
    updates = [StockUpdate(v.item_id, v.variant_id, 6) for p in products for v in p.variants]
    env.sandbox.reset_calls()
    results = await connector.update_stock(updates)
    assert all(r.ok for r in results) and env.sandbox.call_count("inventory/update") == 3  # one per product
    again = await connector.get_products([p.item_id for p in products])
    assert {v.stock for p in again for v in p.variants} == {6}


async def test_order_pull(env: Env) -> None:
    connector = env.connector()
    since = datetime.fromtimestamp(env.clock(), UTC) - timedelta(days=60)
    refs = [r async for r in connector.list_orders(since)]
    assert len(refs) == len({r.order_id for r in refs}) == len(env.sandbox.orders.orders)
    orders = await connector.get_orders([r.order_id for r in refs[:5]])
    assert len(orders) == 5 and all(o.currency == "IDR" for o in orders)


async def test_webhooks_are_tokopedia_events(env: Env) -> None:
    received: list[httpx.Request] = []

    def receiver(request: httpx.Request) -> httpx.Response:
        received.append(request)
        return httpx.Response(200, json={"code": 0})

    env.sandbox.app.push_url = "https://aiostore.example/webhooks/tokopedia"
    env.sandbox.pushes.set_transport(httpx.MockTransport(receiver))
    order = env.sandbox.place_order(status="AWAITING_SHIPMENT")
    await env.sandbox.drain_pushes()
    connector = env.connector()
    (push,) = received
    assert connector.verify_webhook(str(push.url), dict(push.headers), push.content)
    assert not connector.verify_webhook(str(push.url), dict(push.headers), push.content + b" ")
    event = connector.parse_webhook(push.content)
    assert (event.platform, event.kind, event.order_id) == (
        Platform.TOKOPEDIA,
        WebhookKind.ORDER_STATUS,
        order.order_id,
    )
    assert event.status is OrderStatus.TO_SHIP
