"""Dry-run (nothing sent, every write recorded exactly) and pushes as the sandbox signs and sends them."""

from __future__ import annotations

import json
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from aiostore.connectors.dtos import (
    CancelReason,
    PriceUpdate,
    ProductDraft,
    ProductUpdate,
    ShipRequest,
    StockUpdate,
    WebhookKind,
)
from aiostore.connectors.lazada import LazadaConnector
from aiostore.connectors.lazada.writes import PACKAGE_FROM_PACK
from aiostore.connectors.recording import DryRunRecord, RecordingConnector
from aiostore.connectors.registry import ShopAccount, get_connector
from aiostore.domain.market import Currency, MarketCode
from aiostore.domain.money import Money
from aiostore.domain.orders import OrderStatus
from aiostore.domain.platforms import Platform
from aiostore.sandbox.lazada.params import payload, product_of, skus_of
from tests.integration.connectors.lazada.conftest import APP_KEY, SELLER_ID, TEST_LIMITS, TOKEN, Env, MakeEnv
from tests.integration.connectors.support import Receiver

WRITE_PATHS = (
    "product/create",
    "product/update",
    "product/price_quantity/update",
    "order/fulfill/pack",
    "order/package/rts",
    "order/reverse/cancel/create",
)


def registry_connector(env: Env, write_mode: str, records: list[DryRunRecord] | None = None) -> object:
    async def keep(record: DryRunRecord) -> None:
        if records is not None:
            records.append(record)

    return get_connector(
        Platform.LAZADA,
        env.app(),
        ShopAccount(shop_id=SELLER_ID, market=MarketCode.ID, tokens=env.tokens()),
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
    paid = env.sandbox.place_order(paid=True)
    unpaid = env.sandbox.place_order()

    stock_results = await dry.update_stock([*stock, StockUpdate(stock[0].item_id, "7", -5)])
    price_results = await dry.update_prices([*prices, PriceUpdate("1", "2", Money(100, Currency.SGD))])
    await dry.update_product(ProductUpdate(products[0].item_id, name="Dry name"))
    created = await dry.create_product(
        ProductDraft(
            "Mug", "A mug.", "1", Money(10000, Currency.IDR), 1, Decimal("0.3"), ("https://i/m.jpg",)
        )
    )
    shipped = await dry.ship_order(str(paid.order_id), ShipRequest())
    cancelled = await dry.cancel_order(str(unpaid.order_id), CancelReason.OUT_OF_STOCK)

    assert all(env.calls(path) == 0 for path in WRITE_PATHS)
    assert env.calls("order/items/get") == 2 and env.calls("order/shipment/providers/get") == 1  # reads
    assert env.calls("order/reverse/cancel/validate") == 1
    assert [r.ok for r in stock_results] == [True] * len(stock) + [False]
    assert [r.ok for r in price_results] == [True] * len(prices) + [False]
    assert all(r.dry_run for r in [*stock_results, *price_results])
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

    (stock_request,) = dry.records[0].requests  # one call: up to 50 SKUs of any products
    assert stock_request.method == "POST" and stock_request.path == "/product/price_quantity/update"
    skus = skus_of(product_of(payload(stock_request.body["payload"])))
    assert [(s["ItemId"], s["SkuId"], s["Quantity"]) for s in skus] == [
        (u.item_id, u.variant_id, "1") for u in stock
    ]
    query = parse_qs(urlsplit(stock_request.url).query)
    assert query["app_key"] == [APP_KEY] and query["sign_method"] == ["sha256"] and "timestamp" in query
    assert query["access_token"] == ["***"] and query["sign"] == ["***"]
    assert TOKEN not in json.dumps([r.url for r in dry.recorded_requests])

    pack, rts = dry.records[4].requests
    assert json.loads(pack.body["packReq"])["pack_order_list"][0]["order_id"] == paid.order_id
    assert json.loads(rts.body["readyToShipReq"]) == {"packages": [{"package_id": PACKAGE_FROM_PACK}]}
    (cancel,) = dry.records[5].requests
    assert cancel.body["order_id"] == str(unpaid.order_id) and cancel.body["reason_id"] == "10000015"

    after = [p async for p in dry.list_products()]
    assert {v.variant_id: (v.stock, v.price) for p in after for v in p.variants} == before
    statuses = [o.status for o in await dry.get_orders([str(paid.order_id), str(unpaid.order_id)])]
    assert statuses == [OrderStatus.TO_SHIP, OrderStatus.UNPAID]


async def test_live_mode_sends_what_dry_run_recorded(env: Env) -> None:
    dry, live = registry_connector(env, "dry"), registry_connector(env, "live")
    assert isinstance(dry, RecordingConnector) and isinstance(live, LazadaConnector)
    (product,) = await live.get_products([str(min(env.sandbox.catalog.products))])
    updates = [StockUpdate(v.item_id, v.variant_id, 9) for v in product.variants]
    await dry.update_stock(updates)
    plan = await live.plan_update_stock(updates)
    assert [c.request.body for c in plan.calls] == [r.body for r in dry.recorded_requests]
    assert all(r.ok and not r.dry_run for r in await live.update_stock(updates))
    assert env.calls("product/price_quantity/update") == 1


# -- pushes ---------------------------------------------------------------------------------------

PUSH_URL = "https://aiostore.example/webhooks/lazada"


@pytest.fixture
async def pushing(make_env: MakeEnv) -> tuple[Env, Receiver]:
    receiver = Receiver()
    env = await make_env(products=5, push_url=PUSH_URL, push_transport=httpx.ASGITransport(app=receiver))
    return env, receiver


async def test_order_pushes_verify_and_parse(pushing: tuple[Env, Receiver]) -> None:
    env, receiver = pushing
    connector = env.connector()
    order = env.sandbox.place_order()
    env.clock.advance(5)
    env.sandbox.set_order_status(order.order_id, "pending")
    await env.connector().ship_order(str(order.order_id), ShipRequest())
    await env.sandbox.drain_pushes()
    assert len(receiver.pushes) == 4  # placed, paid, packed, ready to ship
    events = []
    for headers, body in receiver.pushes:
        assert headers["content-type"] == "application/json"
        assert connector.verify_webhook(PUSH_URL, headers, body)
        assert connector.verify_webhook("https://elsewhere.example/", headers, body)  # the URL is not signed
        assert not connector.verify_webhook(
            PUSH_URL, headers, body.replace(b'"message_type":0', b'"message_type":1')
        )
        stamp = json.loads(body)["timestamp"]
        assert not connector.verify_webhook(
            PUSH_URL, headers, body.replace(str(stamp).encode(), str(stamp + 1).encode())
        )
        assert not connector.verify_webhook(PUSH_URL, {}, body)
        events.append(connector.parse_webhook(body))
    assert {e.kind for e in events} == {WebhookKind.ORDER_STATUS} and {e.shop_id for e in events} == {
        SELLER_ID
    }
    assert {e.order_id for e in events} == {str(order.order_id)}
    assert [e.platform_status for e in events] == ["unpaid", "pending", "packed", "ready_to_ship"]
    assert [e.status for e in events] == [OrderStatus.UNPAID] + [OrderStatus.TO_SHIP] * 3
    assert len({e.event_id for e in events}) == 4


async def test_a_push_signed_with_another_secret_is_refused(pushing: tuple[Env, Receiver]) -> None:
    env, receiver = pushing
    env.sandbox.app().app_secret = "someone-elses-secret"
    env.sandbox.place_order()
    await env.sandbox.drain_pushes()
    ((headers, body),) = receiver.pushes
    assert not env.connector().verify_webhook(PUSH_URL, headers, body)
