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
from aiostore.connectors.recording import DryRunRecord, RecordingConnector
from aiostore.connectors.registry import ShopAccount, get_connector
from aiostore.connectors.tiktokshop import TikTokShopConnector
from aiostore.domain.market import Currency, MarketCode
from aiostore.domain.money import Money
from aiostore.domain.orders import OrderStatus
from aiostore.domain.platforms import Platform
from tests.integration.connectors.support import Receiver
from tests.integration.connectors.tiktokshop.conftest import (
    APP,
    APP_SECRET,
    SHOP_ID,
    TEST_LIMITS,
    TOKEN,
    Env,
    MakeEnv,
)

WRITE_PATHS = (
    "/product/202309/products",
    "partial_edit",
    "products/deactivate",
    "prices/update",
    "inventory/update",
    "packages/{package_id}/ship",
    "return_refund/202309/cancellations",
)


def registry_connector(env: Env, write_mode: str, records: list[DryRunRecord] | None = None) -> object:
    async def keep(record: DryRunRecord) -> None:
        if records is not None:
            records.append(record)

    return get_connector(
        Platform.TIKTOKSHOP,
        APP,
        ShopAccount(shop_id=SHOP_ID, market=MarketCode.ID, tokens=env.tokens()),
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
    ready = env.sandbox.place_order(status="AWAITING_SHIPMENT")  # (orders take units off the available stock)
    unpaid = env.sandbox.place_order()
    products = [p async for p in dry.list_products()]  # reads pass through
    before = {v.variant_id: (v.stock, v.price) for p in products for v in p.variants}
    stock = [StockUpdate(v.item_id, v.variant_id, 1) for p in products[:2] for v in p.variants]
    prices = [
        PriceUpdate(v.item_id, v.variant_id, v.price + Money(500, Currency.IDR))
        for v in products[0].variants
        if v.price
    ]

    stock_results = await dry.update_stock([*stock, StockUpdate(stock[0].item_id, "7", -5)])
    price_results = await dry.update_prices([*prices, PriceUpdate("1", "0", Money(100, Currency.SGD))])
    await dry.update_product(ProductUpdate(products[0].item_id, name="Dry name", active=False))
    created = await dry.create_product(
        ProductDraft("Mug", "A mug.", "1", Money(10000, Currency.IDR), 1, Decimal("0.3"), ("img",))
    )
    shipped = await dry.ship_order(ready.order_id, ShipRequest())
    cancelled = await dry.cancel_order(unpaid.order_id, CancelReason.OUT_OF_STOCK)

    assert all(env.calls(path) == 0 for path in WRITE_PATHS)
    assert env.calls("handover_time_slots") == 1 and env.calls("warehouses") == 1  # reads the plans need
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
    stock_requests = dry.records[0].requests
    assert [r.path for r in stock_requests] == [
        f"/product/202309/products/{p.item_id}/inventory/update" for p in products[:2]
    ]
    first = stock_requests[0].body["skus"][0]
    assert first["id"] == stock[0].variant_id and first["inventory"][0]["quantity"] == 1
    assert first["inventory"][0]["warehouse_id"] == env.sandbox.shop().warehouse_id  # learnt from the pull
    query = parse_qs(urlsplit(stock_requests[0].url).query)
    assert query["shop_cipher"] == [env.cipher] and query["sign"] == ["***"] and "timestamp" in query
    rendered = json.dumps([r.url for r in dry.recorded_requests])
    assert TOKEN not in rendered and APP_SECRET not in rendered
    assert [r.path for r in dry.records[2].requests] == [
        f"/product/202309/products/{products[0].item_id}/partial_edit",
        "/product/202309/products/deactivate",
    ]
    assert dry.records[4].requests[0].body["handover_method"] == "PICKUP"
    assert dry.records[5].requests[0].body == {
        "order_id": unpaid.order_id,
        "cancel_reason": "seller_cancel_unpaid_reason_out_of_stock",
    }

    after = [p async for p in dry.list_products()]
    assert {v.variant_id: (v.stock, v.price) for p in after for v in p.variants} == before
    assert [o.status for o in await dry.get_orders([ready.order_id, unpaid.order_id])] == [
        OrderStatus.TO_SHIP,
        OrderStatus.UNPAID,
    ]


async def test_live_mode_sends_what_dry_run_recorded(env: Env) -> None:
    dry, live = registry_connector(env, "dry"), registry_connector(env, "live")
    assert isinstance(dry, RecordingConnector) and isinstance(live, TikTokShopConnector)
    (product,) = await live.get_products([min(env.sandbox.catalog.products)])
    await dry.get_products([product.item_id])  # each learns the SKUs' warehouse from its read
    updates = [StockUpdate(v.item_id, v.variant_id, 9) for v in product.variants]
    await dry.update_stock(updates)
    plan = await live.plan_update_stock(updates)
    assert [c.request.body for c in plan.calls] == [r.body for r in dry.recorded_requests]
    assert all(r.ok and not r.dry_run for r in await live.update_stock(updates))
    assert env.calls("inventory/update") == 1


# -- pushes -------------------------------------------------------------------------------------------

PUSH_URL = "https://aiostore.example/webhooks/tiktokshop"


@pytest.fixture
async def pushing(make_env: MakeEnv) -> tuple[Env, Receiver]:
    receiver = Receiver()
    env = await make_env(products=5, push_url=PUSH_URL, push_transport=httpx.ASGITransport(app=receiver))
    return env, receiver


async def test_order_status_pushes_verify_and_parse(pushing: tuple[Env, Receiver]) -> None:
    env, receiver = pushing
    connector = env.connector()
    order = env.sandbox.place_order()
    env.sandbox.set_order_status(order.order_id, "AWAITING_SHIPMENT")
    await connector.ship_order(order.order_id, ShipRequest())
    await env.sandbox.drain_pushes()
    assert len(receiver.pushes) == 3
    events = []
    for headers, body in receiver.pushes:
        assert connector.verify_webhook(PUSH_URL, headers, body)
        assert connector.verify_webhook(
            "https://any.example/url", headers, body
        )  # TikTok does not sign the URL
        assert not connector.verify_webhook(PUSH_URL, headers, body.replace(b'"type":1', b'"type":2'))
        pushed_at = str(json.loads(body)["timestamp"]).encode()
        assert not connector.verify_webhook(PUSH_URL, headers, body.replace(pushed_at, b"1700009999"))
        events.append(connector.parse_webhook(body))
    assert [e.kind for e in events] == [WebhookKind.ORDER_STATUS] * 3
    assert {e.order_id for e in events} == {order.order_id} and {e.shop_id for e in events} == {SHOP_ID}
    assert [e.status for e in events] == [OrderStatus.UNPAID, OrderStatus.TO_SHIP, OrderStatus.TO_SHIP]
    assert [e.platform_status for e in events][-1] == "AWAITING_COLLECTION"
    assert len({e.event_id for e in events}) == 3


async def test_another_app_key_refuses_the_push(pushing: tuple[Env, Receiver]) -> None:
    env, receiver = pushing
    env.sandbox.place_order()
    await env.sandbox.drain_pushes()
    headers, body = receiver.pushes[0]
    other = TikTokShopConnector(
        env.http, APP.__class__(app_key="other", app_secret=APP_SECRET, base_url="http://x")
    )
    assert not other.verify_webhook(PUSH_URL, headers, body)


async def test_a_shop_webhook_address_takes_over(pushing: tuple[Env, Receiver]) -> None:
    env, receiver = pushing
    env.sandbox.shop().webhooks["RETURN_STATUS_CHANGE"] = "https://aiostore.example/returns"
    order = env.sandbox.place_order(status="AWAITING_SHIPMENT")
    env.sandbox.return_order(order.order_id)
    await env.sandbox.drain_pushes()
    event = env.connector().parse_webhook(receiver.pushes[-1][1])
    assert (event.platform_code, event.status) == ("12", OrderStatus.RETURNED)
    assert [d.url for d in env.sandbox.pushes.deliveries][-1] == "https://aiostore.example/returns"
