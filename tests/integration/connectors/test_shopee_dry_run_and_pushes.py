"""Dry-run (nothing sent, every write recorded exactly) and pushes as the sandbox signs and sends them."""

from __future__ import annotations

import json
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from aiostore.connectors.dtos import (
    AppCredentials,
    CancelReason,
    PriceUpdate,
    ProductDraft,
    ProductUpdate,
    ShipRequest,
    StockUpdate,
    WebhookKind,
)
from aiostore.connectors.recording import DryRunRecord, RecordingConnector
from aiostore.connectors.registry import ShopAccount, get_connector
from aiostore.connectors.shopee import ShopeeConnector
from aiostore.domain.market import Currency, MarketCode
from aiostore.domain.money import Money
from aiostore.domain.orders import OrderStatus
from aiostore.domain.platforms import Platform
from tests.integration.connectors.conftest import (
    BASE_URL,
    PARTNER_ID,
    PARTNER_KEY,
    SHOP_ID,
    TEST_LIMITS,
    TOKEN,
    Env,
    MakeEnv,
)
from tests.integration.connectors.support import Receiver

APP = AppCredentials(app_key=str(PARTNER_ID), app_secret=PARTNER_KEY, base_url=BASE_URL)
WRITE_PATHS = (
    "product/add_item",
    "product/update_item",
    "product/update_price",
    "product/update_stock",
    "logistics/ship_order",
    "order/cancel_order",
)


def registry_connector(env: Env, write_mode: str, records: list[DryRunRecord] | None = None) -> object:
    async def keep(record: DryRunRecord) -> None:
        if records is not None:
            records.append(record)

    return get_connector(
        Platform.SHOPEE,
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
    products = [p async for p in dry.list_products()]  # reads pass through
    before = {v.variant_id: (v.stock, v.price) for p in products for v in p.variants}
    stock = [StockUpdate(v.item_id, v.variant_id, 1) for p in products[:2] for v in p.variants]
    prices = [
        PriceUpdate(v.item_id, v.variant_id, v.price + Money(500, Currency.IDR))
        for v in products[0].variants
        if v.price
    ]
    ready = env.sandbox.place_order(status="READY_TO_SHIP")
    unpaid = env.sandbox.place_order()

    stock_results = await dry.update_stock([*stock, StockUpdate(stock[0].item_id, "7", -5)])
    price_results = await dry.update_prices([*prices, PriceUpdate("1", "0", Money(100, Currency.SGD))])
    await dry.update_product(ProductUpdate(products[0].item_id, name="Dry name"))
    created = await dry.create_product(
        ProductDraft("Mug", "A mug.", "1", Money(10000, Currency.IDR), 1, Decimal("0.3"), ("img",))
    )
    shipped = await dry.ship_order(ready.order_sn, ShipRequest())
    cancelled = await dry.cancel_order(unpaid.order_sn, CancelReason.OUT_OF_STOCK)

    assert all(env.calls(path) == 0 for path in WRITE_PATHS)
    assert env.calls("logistics/get_shipping_parameter") == 1  # a read the plan needs
    assert [r.ok for r in stock_results] == [True] * len(stock) + [False]
    assert all(r.dry_run for r in [*stock_results, *price_results])
    assert [r.ok for r in price_results] == [True] * len(prices) + [False]
    assert created.dry_run and shipped.dry_run and cancelled.dry_run and created.external_id is None

    assert [r.operation for r in dry.records] == [
        "update_stock",
        "update_prices",
        "update_product",
        "create_product",
        "ship_order",
        "cancel_order",
    ]
    assert stored == dry.records
    stock_requests = dry.records[0].requests
    assert [r.path for r in stock_requests] == ["/api/v2/product/update_stock"] * 2  # one per item
    assert stock_requests[0].body["stock_list"][0] == {
        "model_id": int(stock[0].variant_id),
        "seller_stock": [{"stock": 1}],
    }
    query = parse_qs(urlsplit(stock_requests[0].url).query)
    assert query["partner_id"] == [str(PARTNER_ID)] and query["shop_id"] == [str(SHOP_ID)]
    assert query["access_token"] == ["***"] and query["sign"] == ["***"] and "timestamp" in query
    assert TOKEN not in json.dumps([r.url for r in dry.recorded_requests])
    ship = dry.records[4].requests[0]
    assert ship.body["order_sn"] == ready.order_sn and "pickup" in ship.body
    assert dry.records[5].requests[0].body["item_list"]  # OUT_OF_STOCK names the lines

    after = [p async for p in dry.list_products()]
    assert {v.variant_id: (v.stock, v.price) for p in after for v in p.variants} == before
    assert [o.status for o in await dry.get_orders([ready.order_sn, unpaid.order_sn])] == [
        OrderStatus.TO_SHIP,
        OrderStatus.UNPAID,
    ]


async def test_live_mode_sends_what_dry_run_recorded(env: Env) -> None:
    dry = registry_connector(env, "dry")
    live = registry_connector(env, "live")
    assert isinstance(dry, RecordingConnector) and isinstance(live, ShopeeConnector)
    item = str(min(env.sandbox.catalog.items))
    (product,) = await live.get_products([item])
    updates = [StockUpdate(v.item_id, v.variant_id, 9) for v in product.variants]
    await dry.update_stock(updates)
    plan = await live.plan_update_stock(updates)
    assert [c.request.body for c in plan.calls] == [r.body for r in dry.recorded_requests]
    assert all(r.ok and not r.dry_run for r in await live.update_stock(updates))
    assert env.calls("product/update_stock") == 1


# -- pushes -------------------------------------------------------------------------------------------

PUSH_URL = "https://aiostore.example/webhooks/shopee"


@pytest.fixture
async def pushing(make_env: MakeEnv) -> tuple[Env, Receiver]:
    receiver = Receiver(204)
    env = await make_env(products=5, push_url=PUSH_URL, push_transport=httpx.ASGITransport(app=receiver))
    return env, receiver


async def test_order_status_push_verifies_and_parses(pushing: tuple[Env, Receiver]) -> None:
    env, receiver = pushing
    connector = env.connector()
    order = env.sandbox.place_order()
    env.sandbox.set_order_status(order.order_sn, "READY_TO_SHIP")
    await env.sandbox.drain_pushes()
    assert len(receiver.pushes) == 2
    events = []
    for headers, body in receiver.pushes:
        assert connector.verify_webhook(PUSH_URL, headers, body)
        assert not connector.verify_webhook(PUSH_URL + "?x=1", headers, body)
        assert not connector.verify_webhook(PUSH_URL, headers, body.replace(b'"code":3', b'"code":4'))
        events.append(connector.parse_webhook(body))
    assert [e.kind for e in events] == [WebhookKind.ORDER_STATUS] * 2
    assert {e.order_id for e in events} == {order.order_sn} and {e.shop_id for e in events} == {str(SHOP_ID)}
    assert [e.status for e in events] == [OrderStatus.UNPAID, OrderStatus.TO_SHIP]
    assert events[0].event_id != events[1].event_id
