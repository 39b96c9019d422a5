"""The Tokopedia connector against the Tokopedia sandbox over HTTP: every protocol method, pagination and
batching. Call counts come from the sandbox's own counter (what the platform received)."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aiostore.connectors.dtos import (
    AppCredentials,
    CancelReason,
    ListingStatus,
    PriceUpdate,
    ProductDraft,
    ProductUpdate,
    ShipMethod,
    ShipRequest,
    StockUpdate,
    VariantDraft,
)
from aiostore.connectors.errors import AuthExpired, InvalidRequest, NotFound, Refused
from aiostore.connectors.registry import ShopAccount, get_connector, make
from aiostore.domain.market import Currency, MarketCode
from aiostore.domain.money import Money
from aiostore.domain.orders import OrderStatus
from aiostore.http.client import HttpPolicy
from tests.integration.connectors.tokopedia.conftest import (
    APP,
    BASE_URL,
    SHOP_ID,
    TEST_LIMITS,
    TOKEN,
    Env,
    MakeEnv,
    open_env,
)


@pytest.mark.parametrize("market", [MarketCode.SG, MarketCode.MY])
def test_markets_other_than_indonesia_are_refused(env: Env, market: MarketCode) -> None:
    with pytest.raises(InvalidRequest, match="ID only") as caught:
        env.connector(market=market)
    assert caught.value.field_errors[0].field == "market"
    with pytest.raises(InvalidRequest):
        make("tokopedia", env.http, APP, ShopAccount(market=market), HttpPolicy(), None)
    with pytest.raises(InvalidRequest):
        get_connector("tokopedia", APP, ShopAccount(market=market), env.http)


def test_an_app_without_fs_id_is_refused(env: Env) -> None:
    with pytest.raises(InvalidRequest, match="fs_id"):
        env.connector(app=AppCredentials("id", "secret", BASE_URL))


# -- authorization ------------------------------------------------------------------------------------


async def test_seller_approval_then_exchange(env: Env) -> None:
    other = env.sandbox.add_shop(600_001, "Toko Kedua")
    connector = env.connector(tokens=False, shop_id=None)
    url = connector.authorization_url("st-1", "https://aiostore.example/callback/tokopedia")
    assert url.startswith(f"{BASE_URL}/authorize?")
    page = await env.http.get(url)
    assert page.status_code == 200 and "Toko Kedua" in page.text
    session = re.search(r'name="session" value="([^"]+)"', page.text)
    assert session is not None
    approved = await env.http.post(
        f"{BASE_URL}/_sandbox/oauth/approve", data={"session": session[1], "shop_id": str(other.shop_id)}
    )
    assert approved.status_code == 302
    callback = urlsplit(approved.headers["location"])
    query = {k: v[0] for k, v in parse_qs(callback.query).items()}
    assert callback.path == "/callback/tokopedia" and query["state"] == "st-1" and query["code"]
    assert query["shop_id"] == str(other.shop_id)

    tokens = await connector.exchange_code(query["code"], query)
    assert (tokens.shop_id, tokens.refresh_token, tokens.external_ids["fs_id"]) == (
        str(other.shop_id),
        "",
        "13004",
    )
    assert tokens.access_token == TOKEN  # the app token: the same for every shop of the app
    assert tokens.access_expires_at == env.now() + timedelta(days=14)
    assert connector.tokens == tokens and env.saved_tokens == [tokens]
    assert (await connector.shop_info()).name == "Toko Kedua"
    assert env.calls("/token") == 1 and env.calls("shop-info") == 2


async def test_exchange_for_a_shop_the_seller_did_not_approve(env: Env) -> None:
    env.sandbox.add_shop(600_002)
    connector = env.connector(tokens=False, shop_id=None)
    with pytest.raises(AuthExpired) as caught:
        await connector.exchange_code("any", {"shop_id": "600002"})
    assert caught.value.platform_code == "RBAC_MDLW_001"
    with pytest.raises(InvalidRequest):
        await env.connector(tokens=False, shop_id=None).exchange_code("any", {})


async def test_refresh_hands_back_the_live_token_then_a_new_one(env: Env) -> None:
    connector = env.connector()
    same = await connector.refresh(env.tokens())
    assert same.access_token == TOKEN and same.refresh_token == ""
    env.clock.advance(14 * 86400 + 1)
    fresh = await connector.refresh(same)
    assert fresh.access_token != TOKEN and fresh.shop_id == str(SHOP_ID)
    assert fresh.access_expires_at == env.now() + timedelta(days=14)


async def test_shop_info(env: Env) -> None:
    info = await env.connector().shop_info()
    assert (info.shop_id, info.market, info.active, info.status) == (
        str(SHOP_ID),
        MarketCode.ID,
        True,
        "open",
    )


async def test_a_connector_without_tokens_fetches_the_app_token(env: Env) -> None:
    connector = env.connector(tokens=False)
    assert (await connector.shop_info()).active
    assert env.calls("/token") == 1 and connector.tokens is not None


# -- products -----------------------------------------------------------------------------------------


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    products=st.integers(min_value=0, max_value=120),
    page=st.integers(min_value=1, max_value=50),
    variants=st.sampled_from([0, 1, 3]),
    last_sort_after=st.sampled_from([10_000, 30]),
)
async def test_list_products_returns_each_exactly_once(
    products: int, page: int, variants: int, last_sort_after: int
) -> None:
    async with open_env(last_sort_after=last_sort_after) as env:
        env.sandbox.seed(products=products, variants_per_product=variants)
        limits = replace(TEST_LIMITS, product_page=page)
        connector = env.connector(limits=limits)
        connector.last_sort_after = last_sort_after  # the sandbox asks for last_sort past that many rows
        listed = [p async for p in connector.list_products()]
        ids = [p.item_id for p in listed]
        assert len(set(ids)) == len(ids) == products
        units = [(v.item_id, v.variant_id) for p in listed for v in p.variants]
        assert len(units) == products * max(variants, 1) and len(set(units)) == len(units)
        rows = products * (1 + variants) if variants else products
        assert env.calls("product/info") == rows // page + 1


async def test_get_products_in_batches_of_50(make_env: MakeEnv) -> None:
    env = await make_env(products=120, variants_per_product=1)
    listed = [p async for p in env.connector().list_products()]
    env.sandbox.reset_calls()
    found = await env.connector().get_products([*(p.item_id for p in listed), "1"])  # unknown left out
    assert [p.item_id for p in found] == [p.item_id for p in listed]
    assert env.calls("product/info") == 3 + 3  # 120 parents, then their 120 variants
    assert found[0].variants[0].price is not None and found[0].variants[0].price.currency is Currency.IDR


def _draft(**kw: object) -> ProductDraft:
    base: dict[str, object] = {
        "name": "Eco Bamboo Mug", "description": "A mug.", "category_id": "1828",
        "price": Money(45000, Currency.IDR), "stock": 12, "weight_kg": Decimal("0.4"),
        "image_ids": ("https://img/mug.jpg",), "seller_sku": "MUG-1",
    }  # fmt: skip
    return ProductDraft(**{**base, **kw})  # type: ignore[arg-type]


async def test_create_and_update_product(env: Env) -> None:
    connector = env.connector()
    created = await connector.create_product(_draft())
    assert created.ok and created.external_id
    (product,) = await connector.get_products([created.external_id])
    assert (product.name, product.seller_sku, product.status) == (
        "Eco Bamboo Mug",
        "MUG-1",
        ListingStatus.ACTIVE,
    )
    assert product.variants[0].price == Money(45000, Currency.IDR) and product.variants[0].stock == 12
    await connector.update_product(ProductUpdate(created.external_id, name="Eco Mug", active=False))
    (product,) = await connector.get_products([created.external_id])
    assert (product.name, product.status) == ("Eco Mug", ListingStatus.INACTIVE)
    assert env.calls("status/{upload_id}") == 2  # each upload read once: the sandbox processes at once
    with pytest.raises(NotFound):
        await connector.update_product(ProductUpdate("123", name="nothing"))
    with pytest.raises(NotFound):
        await connector.update_product(ProductUpdate("123", active=True))


async def test_create_with_variants_and_inactive(env: Env) -> None:
    connector = env.connector()
    draft = _draft(
        stock=0,
        active=False,
        option_names=("Ukuran",),
        variants=(
            VariantDraft(("M",), "TEE-M", Money(99000, Currency.IDR), 3),
            VariantDraft(("L",), "TEE-L", Money(109000, Currency.IDR), 4),
        ),
    )
    created = await connector.create_product(draft)
    assert created.ok and created.external_id is not None
    (product,) = await connector.get_products([created.external_id])
    assert product.has_variants and product.status is ListingStatus.INACTIVE
    assert [(v.seller_sku, v.name, v.stock) for v in product.variants] == [
        ("TEE-M", "M", 3),
        ("TEE-L", "L", 4),
    ]
    with pytest.raises(InvalidRequest, match="already used"):
        await connector.create_product(_draft(seller_sku="TEE-M"))


# -- price and stock ----------------------------------------------------------------------------------


async def test_update_stock_in_calls_of_100_rows(make_env: MakeEnv) -> None:
    env = await make_env(products=50, variants_per_product=5)
    connector = env.connector()
    products = [p async for p in connector.list_products()]
    updates = [
        StockUpdate(v.item_id, v.variant_id, n % 9) for p in products for n, v in enumerate(p.variants)
    ]
    assert len(updates) == 250
    env.sandbox.reset_calls()
    results = await connector.update_stock(updates)
    assert all(r.ok and not r.dry_run for r in results)
    assert [(r.item_id, r.variant_id) for r in results] == [(u.item_id, u.variant_id) for u in updates]
    assert env.calls("stock/update") == 3
    reread = {
        v.item_id: v.stock
        for p in await connector.get_products([p.item_id for p in products])
        for v in p.variants
    }
    assert all(reread[u.item_id] == u.stock for u in updates)


async def test_update_stock_partial_failure_is_data(env: Env) -> None:
    connector = env.connector()
    (product,) = await connector.get_products([str(min(env.sandbox.catalog.products))])
    good = product.variants[0]
    results = await connector.update_stock(
        [
            StockUpdate(good.item_id, "0", 5),
            StockUpdate("999", "0", 5),  # no such product: a failed row inside the 200
            StockUpdate(product.item_id, "0", 5),  # a parent: its variants carry the stock
            StockUpdate(good.item_id, "7", -1),  # refused before sending
        ]
    )
    assert [r.ok for r in results] == [True, False, False, False]
    assert [r.error.kind for r in results[1:] if r.error] == ["NotFound", "Refused", "InvalidRequest"]
    assert env.calls("stock/update") == 1


async def test_update_prices(env: Env) -> None:
    connector = env.connector()
    products = [p async for p in connector.list_products()][:3]
    updates = [
        PriceUpdate(v.item_id, v.variant_id, v.price + Money(500, Currency.IDR))
        for p in products
        for v in p.variants
        if v.price is not None
    ]
    results = await connector.update_prices(
        [
            *updates,
            PriceUpdate("1", "0", Money(1000, Currency.SGD)),
            PriceUpdate("1", "0", Money(50, Currency.IDR)),
        ]
    )
    assert [r.ok for r in results] == [True] * len(updates) + [False, False]
    assert env.calls("price/update") == 1
    again = await connector.get_products([p.item_id for p in products])
    assert [v.price for p in again for v in p.variants] == [u.price for u in updates]


# -- orders -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("orders", "days", "page"), [(0, 2, 100), (1, 5, 100), (130, 10, 100), (97, 12, 7)])
async def test_list_orders_each_once_in_3_day_windows(
    make_env: MakeEnv, orders: int, days: int, page: int
) -> None:
    env = await make_env(products=30)
    env.sandbox.seed(orders=orders, order_days=days, seed=5)
    since, until = env.now() - timedelta(days=days, seconds=1), env.now()
    refs = [
        r async for r in env.connector(limits=replace(TEST_LIMITS, order_page=page)).list_orders(since, until)
    ]
    paid = {str(o.order_id) for o in env.sandbox.orders.orders.values() if o.payment_time is not None}
    ids = [r.order_id for r in refs]
    assert len(ids) == len(set(ids)) and set(ids) == paid
    assert all(r.status is not None and r.platform_status for r in refs)
    start, end, window, expected = int(since.timestamp()), int(until.timestamp()), 3 * 86400, 0
    times = [o.create_time for o in env.sandbox.orders.orders.values() if o.payment_time is not None]
    while start <= end:
        stop = min(start + window, end)
        expected += sum(start <= t <= stop for t in times) // page + 1
        start = stop + 1
    assert env.calls("order/list") == expected


async def test_get_orders_one_call_each(make_env: MakeEnv) -> None:
    env = await make_env(products=20, orders=40)
    paid = sorted(str(o.order_id) for o in env.sandbox.orders.orders.values() if o.payment_time is not None)
    orders = await env.connector().get_orders([*paid, "1"])
    assert sorted(o.order_id for o in orders) == paid
    assert env.calls("/v2/fs/{fs_id}/order") == len(paid) + 1
    ready = next(o for o in orders if o.status is OrderStatus.TO_SHIP)
    assert ready.lines and ready.total is not None and ready.total.currency is Currency.IDR
    assert ready.buyer.address.name and ready.buyer.address.phone
    assert sum(line.unit_price.amount * line.quantity for line in ready.lines) <= ready.total.amount


async def test_ship_with_a_pickup(env: Env) -> None:
    connector = env.connector()
    order = env.sandbox.place_order()
    result = await connector.ship_order(str(order.order_id), ShipRequest())
    assert result.ok and result.external_id == str(order.order_id)
    (shipped,) = await connector.get_orders([str(order.order_id)])
    assert (shipped.platform_status, shipped.status) == ("450", OrderStatus.TO_SHIP)
    assert env.calls("ack") == 1 and env.calls("pick-up") == 1
    with pytest.raises(Refused):
        await connector.ship_order(str(order.order_id), ShipRequest())
    assert env.calls("pick-up") == 2  # not retried, no second ack


async def test_ship_with_the_sellers_own_courier(env: Env) -> None:
    connector = env.connector()
    order = env.sandbox.place_order()
    with pytest.raises(InvalidRequest, match="AWB"):
        await connector.ship_order(str(order.order_id), ShipRequest(method=ShipMethod.SELF))
    await connector.ship_order(
        str(order.order_id), ShipRequest(method=ShipMethod.SELF, tracking_number="JP123")
    )
    (shipped,) = await connector.get_orders([str(order.order_id)])
    assert (shipped.status, shipped.packages[0].tracking_number) == (OrderStatus.SHIPPED, "JP123")
    with pytest.raises(NotFound):
        await connector.ship_order("1", ShipRequest())


async def test_cancel_order(env: Env) -> None:
    connector = env.connector()
    first, second = env.sandbox.place_order(), env.sandbox.place_order()
    await connector.cancel_order(str(first.order_id), CancelReason.CUSTOMER_REQUEST)
    await connector.cancel_order(str(second.order_id), CancelReason.OUT_OF_STOCK)  # lines read from the order
    cancelled = await connector.get_orders([str(first.order_id), str(second.order_id)])
    assert [(o.status, o.platform_status, o.cancelled_by) for o in cancelled] == [
        (OrderStatus.CANCELLED, "10", "seller"),
        (OrderStatus.CANCELLED, "3", "seller"),
    ]
    with pytest.raises(Refused):
        await connector.cancel_order(str(first.order_id), CancelReason.CUSTOMER_REQUEST)
