"""The Shopee connector against the Shopee sandbox over HTTP: every protocol method, pagination and batching.

Call counts come from the sandbox's own counter (what the platform received), so they prove the batching.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aiostore.connectors.batching import min_calls
from aiostore.connectors.dtos import (
    CancelReason,
    ListingStatus,
    PriceUpdate,
    ProductDraft,
    ProductUpdate,
    ShipRequest,
    StockUpdate,
    VariantDraft,
)
from aiostore.connectors.errors import InvalidRequest, NotFound, Refused
from aiostore.domain.market import Currency, MarketCode
from aiostore.domain.money import Money
from aiostore.domain.orders import OrderStatus
from tests.integration.connectors.conftest import BASE_URL, SHOP_ID, TEST_LIMITS, Env, MakeEnv, open_env


def now_of(env: Env) -> datetime:
    return datetime.fromtimestamp(env.clock(), UTC)


# -- authorization ------------------------------------------------------------------------------------


async def test_authorize_exchange_and_refresh(env: Env) -> None:
    connector = env.connector(tokens=False)
    url = connector.authorization_url("st-123", "https://aiostore.example/callback/shopee")
    page = await env.http.get(url)
    assert page.status_code == 200, page.text
    session = re.search(r'name="session" value="([^"]+)"', page.text)
    assert session is not None
    approved = await env.http.get(f"{BASE_URL}/_sandbox/oauth/approve?session={session[1]}&shop_id={SHOP_ID}")
    assert approved.status_code == 302
    callback = urlsplit(approved.headers["location"])
    query = {k: v[0] for k, v in parse_qs(callback.query).items()}
    assert (
        callback.path == "/callback/shopee"
        and query["state"] == "st-123"
        and query["shop_id"] == str(SHOP_ID)
    )

    tokens = await connector.exchange_code(query["code"], query)
    assert tokens.shop_id == str(SHOP_ID)
    assert tokens.access_expires_at == now_of(env) + timedelta(hours=4)
    assert connector.tokens == tokens and env.saved_tokens == [tokens]
    assert (await connector.shop_info()).market is MarketCode.ID

    fresh = await connector.refresh(tokens)
    assert fresh.access_token != tokens.access_token and fresh.refresh_token != tokens.refresh_token
    with pytest.raises(InvalidRequest):
        await connector.exchange_code(query["code"], query)  # a code is single-use


async def test_shop_info(env: Env) -> None:
    info = await env.connector().shop_info()
    assert (info.shop_id, info.market, info.active, info.status) == (
        str(SHOP_ID),
        MarketCode.ID,
        True,
        "NORMAL",
    )
    assert info.name and info.authorization_expires_at is not None


# -- products -----------------------------------------------------------------------------------------


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    products=st.integers(min_value=0, max_value=160),
    page=st.integers(min_value=1, max_value=100),
    batch=st.integers(min_value=1, max_value=50),
    models=st.sampled_from([0, 1, 3]),
)
async def test_list_products_returns_each_exactly_once(
    products: int, page: int, batch: int, models: int
) -> None:
    async with open_env() as env:
        env.sandbox.seed(products=products, variants_per_product=models)
        limits = replace(TEST_LIMITS, product_page=page, product_detail_batch=batch)
        listed = [p async for p in env.connector(limits=limits).list_products()]
        ids = [p.item_id for p in listed]
        assert sorted(ids) == sorted(str(i) for i in env.sandbox.catalog.items)
        assert len(set(ids)) == len(ids)
        with_models = sum(1 for p in listed if p.has_variants)
        assert env.calls("product/get_item_list") == max(1, min_calls(products, page))
        assert env.calls("product/get_item_base_info") == min_calls(products, batch)
        assert env.calls("product/get_model_list") == with_models == (products if models else 0)
        assert sum(len(p.variants) for p in listed) == products * max(models, 1)


async def test_list_products_since(env: Env) -> None:
    connector = env.connector()
    env.clock.advance(3600)
    changed = sorted(env.sandbox.catalog.items)[:3]
    for item_id in changed:
        await connector.update_product(ProductUpdate(str(item_id), name=f"Renamed {item_id}"))
    listed = [p async for p in connector.list_products(updated_since=now_of(env) - timedelta(minutes=1))]
    assert sorted(p.item_id for p in listed) == [str(i) for i in changed]
    assert all(p.name.startswith("Renamed") for p in listed)


async def test_get_products_in_batches_of_50(make_env: MakeEnv) -> None:
    env = await make_env(products=120, variants_per_product=1)
    ids = [str(i) for i in sorted(env.sandbox.catalog.items)]
    found = await env.connector().get_products([*ids, "1"])  # an unknown id is left out
    assert [p.item_id for p in found] == ids
    assert env.calls("product/get_item_base_info") == 3
    variant = found[0].variants[0]
    assert variant.price is not None and variant.price.currency is Currency.IDR and variant.stock is not None


async def test_create_and_update_product(env: Env) -> None:
    for name in ["img-1", "img"]:
        env.sandbox.images.issue(name)  # as if uploaded
    connector = env.connector()
    draft = ProductDraft(
        name="Eco Bamboo Mug",
        description="A mug made of bamboo fibre.",
        category_id="101220",
        price=Money(45000, Currency.IDR),
        stock=12,
        weight_kg=Decimal("0.4"),
        image_ids=("img-1",),
        logistics_ids=("8003",),
        seller_sku="MUG-1",
    )
    created = await connector.create_product(draft)
    assert created.ok and created.external_id and not created.dry_run
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
    with pytest.raises(NotFound):
        await connector.update_product(ProductUpdate("123", name="nothing"))


async def test_create_product_with_variants(env: Env) -> None:
    for name in ["img-1", "img"]:
        env.sandbox.images.issue(name)  # as if uploaded
    connector = env.connector()
    draft = ProductDraft(
        name="Tee",
        description="A tee.",
        category_id="101220",
        price=Money(99000, Currency.IDR),
        stock=0,
        weight_kg=Decimal("0.2"),
        image_ids=("img",),
        logistics_ids=("8003",),
        option_names=("Size",),
        variants=(
            VariantDraft(("M",), "TEE-M", Money(99000, Currency.IDR), 3),
            VariantDraft(("L",), "TEE-L", Money(109000, Currency.IDR), 4),
        ),
    )
    created = await connector.create_product(draft)
    assert created.external_id is not None
    (product,) = await connector.get_products([created.external_id])
    assert [v.seller_sku for v in product.variants] == ["TEE-M", "TEE-L"]


# -- price and stock ----------------------------------------------------------------------------------


async def test_update_stock_one_call_per_item_at_most_50_models(make_env: MakeEnv) -> None:
    env = await make_env()
    env.sandbox.seed(products=1, variants_per_product=60)
    env.sandbox.seed(products=2, variants_per_product=3, seed=2)
    connector = env.connector()
    products = [p async for p in connector.list_products()]
    updates = [
        StockUpdate(v.item_id, v.variant_id, n % 7) for p in products for n, v in enumerate(p.variants)
    ]
    assert len(updates) == 66
    env.sandbox.reset_calls()
    results = await connector.update_stock(updates)
    assert all(r.ok and not r.dry_run for r in results)
    assert [(r.item_id, r.variant_id) for r in results] == [(u.item_id, u.variant_id) for u in updates]
    assert env.calls("product/update_stock") == 2 + 1 + 1  # 60 models → 50 + 10; two items of 3
    reread = {
        v.variant_id: v.stock
        for p in await connector.get_products([p.item_id for p in products])
        for v in p.variants
    }
    assert all(reread[u.variant_id] == u.stock for u in updates)


async def test_update_stock_partial_failure_is_data(env: Env) -> None:
    connector = env.connector()
    product = (await connector.get_products([str(min(env.sandbox.catalog.items))]))[0]
    good, other = product.variants[0], product.variants[1]
    results = await connector.update_stock(
        [
            StockUpdate(good.item_id, good.variant_id, 5),
            StockUpdate(good.item_id, "42", 5),  # no such model: the platform's failure_list
            StockUpdate(other.item_id, other.variant_id, -1),  # refused before sending
            StockUpdate("999", "0", 1),  # no such item: the whole call fails
        ]
    )
    assert [r.ok for r in results] == [True, False, False, False]
    assert results[1].error is not None and results[1].error.kind == "Refused"
    assert results[2].error is not None and results[2].error.kind == "InvalidRequest"
    assert results[3].error is not None and results[3].error.kind == "NotFound"
    assert env.calls("product/update_stock") == 2


async def test_update_prices(env: Env) -> None:
    connector = env.connector()
    products = await connector.get_products([str(i) for i in sorted(env.sandbox.catalog.items)[:3]])
    updates = [
        PriceUpdate(v.item_id, v.variant_id, v.price + Money(500, Currency.IDR))
        for p in products
        for v in p.variants
        if v.price is not None
    ]
    results = await connector.update_prices([*updates, PriceUpdate("1", "0", Money(1000, Currency.SGD))])
    assert [r.ok for r in results] == [True] * len(updates) + [False]
    assert env.calls("product/update_price") == 3
    again = await connector.get_products([p.item_id for p in products])
    assert [v.price for p in again for v in p.variants] == [u.price for u in updates]


# -- orders -------------------------------------------------------------------------------------------


def window_calls(update_times: list[int], since: int, until: int, window: int, page: int) -> int:
    """What Shopee's cursor pages cost: per ≤15-day window, one call per page (one for an empty window)."""
    calls, start = 0, since
    while True:
        stop = min(start + window, until)
        calls += max(1, min_calls(sum(start <= t <= stop for t in update_times), page))
        if stop >= until:
            return calls
        start = stop


@pytest.mark.parametrize(
    ("orders", "days", "page"), [(0, 3, 100), (1, 20, 100), (130, 31, 100), (230, 46, 100), (97, 40, 7)]
)
async def test_list_orders_each_once_in_15_day_windows(
    make_env: MakeEnv, orders: int, days: int, page: int
) -> None:
    env = await make_env(products=30)
    env.sandbox.seed(orders=orders, order_days=days, seed=5)
    since, until = now_of(env) - timedelta(days=days + 1), now_of(env)
    limits = replace(TEST_LIMITS, order_page=page)
    refs = [r async for r in env.connector(limits=limits).list_orders(since, until)]
    ids = [r.order_id for r in refs]
    assert len(ids) == len(set(ids))
    assert sorted(ids) == sorted(env.sandbox.orders.orders)
    assert all(r.status is not None and r.platform_status for r in refs)
    times = [o.update_time for o in env.sandbox.orders.orders.values()]
    expected = window_calls(times, int(since.timestamp()), int(until.timestamp()), 15 * 86400, page)
    assert env.calls("order/get_order_list") == expected


async def test_get_orders_in_batches_of_50(make_env: MakeEnv) -> None:
    env = await make_env(products=20, orders=120)
    ids = sorted(env.sandbox.orders.orders)
    orders = await env.connector().get_orders(ids)
    assert sorted(o.order_id for o in orders) == ids
    assert env.calls("order/get_order_detail") == 3
    paid = next(o for o in orders if o.status is OrderStatus.TO_SHIP)
    assert paid.lines and paid.total is not None and paid.total.currency is Currency.IDR
    assert paid.buyer.address.name and paid.buyer.address.phone and paid.buyer.username
    assert paid.updated_at >= paid.created_at
    assert sum(line.unit_price.amount * line.quantity for line in paid.lines) <= paid.total.amount


async def test_ship_order(env: Env) -> None:
    connector = env.connector()
    order = env.sandbox.place_order(status="READY_TO_SHIP")
    result = await connector.ship_order(order.order_sn, ShipRequest())
    assert result.ok and result.external_id == order.order_sn
    (shipped,) = await connector.get_orders([order.order_sn])
    assert (shipped.platform_status, shipped.status) == ("PROCESSED", OrderStatus.TO_SHIP)
    assert env.calls("logistics/get_shipping_parameter") == 1 and env.calls("logistics/ship_order") == 1
    with pytest.raises(Refused):
        await connector.ship_order(order.order_sn, ShipRequest())
    assert env.calls("logistics/ship_order") == 2  # not retried


async def test_cancel_order(env: Env) -> None:
    connector = env.connector()
    first = env.sandbox.place_order()
    await connector.cancel_order(first.order_sn, CancelReason.CUSTOMER_REQUEST)
    second = env.sandbox.place_order()
    await connector.cancel_order(second.order_sn, CancelReason.OUT_OF_STOCK)  # lines read from the order
    cancelled = await connector.get_orders([first.order_sn, second.order_sn])
    assert [o.status for o in cancelled] == [OrderStatus.CANCELLED, OrderStatus.CANCELLED]
    assert all(o.cancelled_by == "seller" for o in cancelled)
    with pytest.raises(InvalidRequest):
        await connector.cancel_order(first.order_sn, CancelReason.CUSTOMER_REQUEST)
