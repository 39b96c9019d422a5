"""Dry-run (nothing sent, every write recorded exactly) and webhooks as the sandbox signs and sends them."""

from __future__ import annotations

import json

import httpx
import pytest

from aiostore.connectors.dtos import (
    AppCredentials,
    CancelReason,
    PriceUpdate,
    ProductUpdate,
    ShipRequest,
    StockUpdate,
    WebhookKind,
)
from aiostore.connectors.recording import DryRunRecord, RecordingConnector
from aiostore.connectors.registry import ShopAccount, get_connector
from aiostore.connectors.tokopedia import TokopediaConnector
from aiostore.domain.market import Currency, MarketCode
from aiostore.domain.money import Money
from aiostore.domain.orders import OrderStatus
from aiostore.domain.platforms import Platform
from tests.integration.connectors.support import Receiver
from tests.integration.connectors.tokopedia.conftest import (
    APP,
    FS_ID,
    SHOP_ID,
    TEST_LIMITS,
    TOKEN,
    Env,
    MakeEnv,
)
from tests.integration.connectors.tokopedia.test_contract import _draft

WRITE_PATHS = (
    "stock/update",
    "price/update",
    "create",
    "edit",
    "active",
    "inactive",
    "ack",
    "nack",
    "pick-up",
)


def registry_connector(env: Env, write_mode: str, records: list[DryRunRecord] | None = None) -> object:
    async def keep(record: DryRunRecord) -> None:
        if records is not None:
            records.append(record)

    return get_connector(
        Platform.TOKOPEDIA,
        APP,
        ShopAccount(shop_id=str(SHOP_ID), market=MarketCode.ID, tokens=env.tokens()),
        env.http,
        write_mode=write_mode,
        policy=env.policy,
        limits=TEST_LIMITS,
        clock=env.clock,
        on_record=keep,
    )


async def test_dry_run_sends_no_write_and_records_each_request(env: Env) -> None:
    stored: list[DryRunRecord] = []
    dry = registry_connector(env, "dry", stored)
    assert isinstance(dry, RecordingConnector)
    ready, other = env.sandbox.place_order(), env.sandbox.place_order()
    products = [p async for p in dry.list_products()]  # reads pass through
    before = {v.item_id: (v.stock, v.price) for p in products for v in p.variants}
    stock = [StockUpdate(v.item_id, v.variant_id, 1) for p in products[:2] for v in p.variants]
    prices = [
        PriceUpdate(v.item_id, "0", v.price + Money(500, Currency.IDR))
        for v in products[0].variants
        if v.price
    ]
    env.sandbox.reset_calls()

    stock_results = await dry.update_stock([*stock, StockUpdate("7", "0", -5)])
    price_results = await dry.update_prices([*prices, PriceUpdate("1", "0", Money(100, Currency.SGD))])
    await dry.update_product(ProductUpdate(products[0].item_id, name="Dry name", active=False))
    created = await dry.create_product(_draft())
    shipped = await dry.ship_order(str(ready.order_id), ShipRequest())
    cancelled = await dry.cancel_order(str(other.order_id), CancelReason.OUT_OF_STOCK)

    assert all(env.calls(path) == 0 for path in WRITE_PATHS)
    assert env.calls("/v2/fs/{fs_id}/order") == 2  # reads the plans need: the order's status, its lines
    assert [r.ok for r in stock_results] == [True] * len(stock) + [False]
    assert [r.ok for r in price_results] == [True] * len(prices) + [False]
    assert all(r.dry_run for r in [*stock_results, *price_results])
    assert created.dry_run and shipped.dry_run and cancelled.dry_run and created.external_id is None
    assert [r.operation for r in dry.records] == [
        "update_stock", "update_prices", "update_product", "create_product", "ship_order", "cancel_order",
    ]  # fmt: skip
    assert stored == dry.records
    (stock_request,) = dry.records[0].requests  # 6 rows: one call
    assert stock_request.path == f"/inventory/v1/fs/{FS_ID}/stock/update"
    assert stock_request.params == (("shop_id", str(SHOP_ID)),)
    assert stock_request.body[0] == {"product_id": int(stock[0].item_id), "new_stock": 1}
    assert [r.path.rsplit("/", 1)[-1] for r in dry.records[2].requests] == ["edit", "inactive"]
    assert [r.path.rsplit("/", 1)[-1] for r in dry.records[4].requests] == ["ack", "pick-up"]
    assert (
        dry.records[5].requests[0].body["reason_code"] == 1
        and dry.records[5].requests[0].body["empty_products"]
    )
    assert TOKEN not in json.dumps([r.url for r in dry.recorded_requests])

    after = [p async for p in dry.list_products()]
    assert {v.item_id: (v.stock, v.price) for p in after for v in p.variants} == before
    assert [o.status for o in await dry.get_orders([str(ready.order_id), str(other.order_id)])] == [
        OrderStatus.TO_SHIP,
        OrderStatus.TO_SHIP,
    ]


async def test_live_mode_sends_what_dry_run_recorded(env: Env) -> None:
    dry, live = registry_connector(env, "dry"), registry_connector(env, "live")
    assert isinstance(dry, RecordingConnector) and isinstance(live, TokopediaConnector)
    (product,) = [p async for p in live.list_products()][:1]
    updates = [StockUpdate(v.item_id, v.variant_id, 9) for v in product.variants]
    await dry.update_stock(updates)
    plan = await live.plan_update_stock(updates)
    assert [c.request.body for c in plan.calls] == [r.body for r in dry.recorded_requests]
    assert all(r.ok and not r.dry_run for r in await live.update_stock(updates))
    assert env.calls("stock/update") == 1


# -- webhooks -------------------------------------------------------------------------------------------

PUSH_URL = "https://aiostore.example/webhooks/tokopedia"


@pytest.fixture
async def pushing(make_env: MakeEnv) -> tuple[Env, Receiver]:
    receiver = Receiver()
    env = await make_env(products=5, push_url=PUSH_URL, push_transport=httpx.ASGITransport(app=receiver))
    return env, receiver


async def test_order_webhooks_verify_and_parse(pushing: tuple[Env, Receiver]) -> None:
    env, receiver = pushing
    connector = env.connector()
    order = env.sandbox.place_order()
    await connector.ship_order(str(order.order_id), ShipRequest())
    await connector.cancel_order(str(env.sandbox.place_order().order_id), CancelReason.CUSTOMER_REQUEST)
    await env.sandbox.drain_pushes()
    assert len(receiver.pushes) == 5  # 2 new orders, accepted, pickup requested, rejected
    stranger = env.connector(app=AppCredentials(APP.app_key, "another-secret", APP.base_url, None, APP.extra))
    events = []
    for headers, body in receiver.pushes:
        assert "authorization-hmac" in headers
        assert connector.verify_webhook(PUSH_URL, headers, body)
        assert not connector.verify_webhook(
            PUSH_URL, headers, body.replace(b'"order_status":', b'"order_status": ')
        )
        assert not stranger.verify_webhook(PUSH_URL, headers, body)
        assert not connector.verify_webhook(PUSH_URL, {}, body)
        events.append(connector.parse_webhook(body))
    assert all(e.kind is WebhookKind.ORDER_STATUS and e.shop_id == str(SHOP_ID) for e in events)
    assert [(e.platform_code, e.platform_status) for e in events if e.order_id == str(order.order_id)] == [
        ("order_notification", "220"),
        ("order_status", "400"),
        ("order_status", "450"),
    ]
    assert events[-1].status is OrderStatus.CANCELLED and len({e.event_id for e in events}) == 5


async def test_the_registered_webhook_secret_signs(pushing: tuple[Env, Receiver]) -> None:
    env, receiver = pushing
    registered = await env.http.post(
        f"{APP.base_url}/v1/fs/{FS_ID}/register",
        json={"fs_id": FS_ID, "order_notification_url": PUSH_URL, "webhook_secret": "whsec_registered"},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert registered.status_code == 200, registered.text
    env.sandbox.place_order()
    await env.sandbox.drain_pushes()
    ((headers, body),) = receiver.pushes
    assert not env.connector().verify_webhook(PUSH_URL, headers, body)
    extra = {**APP.extra, "webhook_secret": "whsec_registered"}
    own = env.connector(
        app=AppCredentials(APP.app_key, APP.app_secret, APP.base_url, APP.auth_base_url, extra)
    )
    assert own.verify_webhook(PUSH_URL, headers, body)
