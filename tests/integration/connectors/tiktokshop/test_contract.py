"""The TikTok Shop connector against the TikTok Shop sandbox over HTTP: every protocol method, pagination and
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

from aiostore.connectors.batching import min_calls
from aiostore.connectors.dtos import (
    ListingStatus,
    PriceUpdate,
    ProductDraft,
    ProductUpdate,
    StockUpdate,
    VariantDraft,
)
from aiostore.connectors.errors import NotFound, Refused
from aiostore.domain.market import Currency, MarketCode
from aiostore.domain.money import Money
from tests.integration.connectors.tiktokshop.conftest import (
    APP,
    BASE_URL,
    SHOP_ID,
    TEST_LIMITS,
    Env,
    MakeEnv,
    open_env,
)

# -- authorization ------------------------------------------------------------------------------------


async def approve(env: Env, url: str) -> dict[str, str]:
    page = await env.http.get(url)
    assert page.status_code == 200, page.text
    action = re.search(r'action="([^"]+)"', page.text)
    session = re.search(r'name="session" value="([^"]+)"', page.text)
    assert action is not None and session is not None
    approved = await env.http.post(f"{BASE_URL}{action[1]}", data={"session": session[1]})
    assert approved.status_code == 302
    callback = urlsplit(approved.headers["location"])
    assert callback.path == "/api/channels/callback/tiktokshop"
    return {k: v[0] for k, v in parse_qs(callback.query).items()}


async def test_authorize_exchange_and_refresh(env: Env) -> None:
    connector = env.connector(tokens=False, shop_id=None)
    query = await approve(
        env, connector.authorization_url("st-123", "ignored: TikTok uses the registered URL")
    )
    assert query["state"] == "st-123" and query["shop_region"] == "ID"

    tokens = await connector.exchange_code(query["code"], query)
    assert (tokens.shop_id, tokens.external_ids["shop_cipher"]) == (SHOP_ID, env.cipher)
    assert tokens.access_expires_at == env.now() + timedelta(days=7)  # absolute expiry read as such
    assert tokens.refresh_expires_at == env.now() + timedelta(days=365)
    assert connector.tokens == tokens and env.saved_tokens == [tokens] and connector.shop_id == SHOP_ID
    assert (await connector.shop_info()).market is MarketCode.ID

    fresh = await connector.refresh(tokens)
    assert fresh.access_token != tokens.access_token and fresh.refresh_token != tokens.refresh_token
    assert fresh.shop_id == SHOP_ID and fresh.external_ids["shop_cipher"] == env.cipher
    assert connector.tokens == fresh
    with pytest.raises(Exception, match="auth code"):
        await connector.exchange_code(query["code"], query)  # a code is single-use


async def test_the_current_authorize_page_takes_the_service_id(env: Env) -> None:
    app = replace(APP, extra={"service_id": env.sandbox.app.service_id, "authorize_base_url": BASE_URL})
    url = env.connector(app=app).authorization_url("st-9", "x")
    assert urlsplit(url).path == "/open/authorize"
    assert (await approve(env, url))["state"] == "st-9"


async def test_an_authorization_that_misses_the_shop_is_refused(env: Env) -> None:
    code = env.sandbox.authorize()
    with pytest.raises(Refused, match="shop 42"):
        await env.connector(tokens=False, shop_id="42").exchange_code(code, {})


async def test_shop_info_and_the_cipher_looked_up_once(env: Env) -> None:
    connector = env.connector(tokens=env.tokens(with_cipher=False))
    info = await connector.shop_info()
    assert (info.shop_id, info.market, info.active, info.status) == (
        SHOP_ID,
        MarketCode.ID,
        True,
        "AUTHORIZED",
    )
    listed = [p async for p in connector.list_products()]
    assert len(listed) == 12 and env.calls("/authorization/202309/shops") == 1
    other = env.connector(tokens=env.tokens(with_cipher=False))
    await other.get_orders(["1"])  # no cipher stored: looked up first, once
    assert env.calls("/authorization/202309/shops") == 2


# -- products -----------------------------------------------------------------------------------------


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    products=st.integers(min_value=0, max_value=230),
    page=st.integers(min_value=1, max_value=100),
    skus=st.sampled_from([1, 3]),
)
async def test_list_products_returns_each_exactly_once(products: int, page: int, skus: int) -> None:
    async with open_env() as env:
        env.sandbox.seed(products=products, variants_per_product=skus)
        listed = [
            p async for p in env.connector(limits=replace(TEST_LIMITS, product_page=page)).list_products()
        ]
        ids = [p.item_id for p in listed]
        assert sorted(ids) == sorted(env.sandbox.catalog.products) and len(set(ids)) == len(ids)
        assert env.calls("products/search") == max(1, min_calls(products, page))
        assert env.calls("/product/202309/products/{product_id}") == 0  # SKUs come inline
        assert sum(len(p.variants) for p in listed) == products * skus
        assert all(p.has_variants == (skus > 1) for p in listed)


async def test_list_products_since(env: Env) -> None:
    connector = env.connector()
    env.clock.advance(3600)
    changed = sorted(env.sandbox.catalog.products)[:3]
    for product_id in changed:
        await connector.update_product(ProductUpdate(product_id, name=f"Renamed {product_id}"))
    listed = [p async for p in connector.list_products(updated_since=env.now() - timedelta(minutes=1))]
    assert sorted(p.item_id for p in listed) == changed and all(p.name.startswith("Renamed") for p in listed)


async def test_get_products_one_call_each(env: Env) -> None:
    ids = sorted(env.sandbox.catalog.products)[:5]
    found = await env.connector().get_products([*ids, ids[0], "1"])  # a repeat and an unknown id
    assert [p.item_id for p in found] == ids
    assert env.calls("/product/202309/products/{product_id}") == 6
    variant = found[0].variants[0]
    assert variant.price is not None and variant.price.currency is Currency.IDR and variant.option_values


async def test_create_and_update_product(env: Env) -> None:
    for name in ["img-1", "img"]:
        env.sandbox.images.issue(name)  # as if uploaded
    connector = env.connector()
    draft = ProductDraft(
        name="Eco Bamboo Mug",
        description="<p>A mug made of bamboo fibre.</p>",
        category_id="601226",
        price=Money(45000, Currency.IDR),
        stock=12,
        weight_kg=Decimal("0.4"),
        image_ids=("img-1",),
        seller_sku="MUG-1",
    )
    created = await connector.create_product(draft)
    assert created.ok and created.external_id and not created.dry_run
    assert env.calls("logistics/202309/warehouses") == 1
    (product,) = await connector.get_products([created.external_id])
    assert (product.name, product.seller_sku, product.status) == (
        "Eco Bamboo Mug",
        "MUG-1",
        ListingStatus.ACTIVE,
    )
    assert product.variants[0].price == Money(45000, Currency.IDR) and product.variants[0].stock == 12

    await connector.update_product(
        ProductUpdate(created.external_id, name="Eco Mug", seller_sku="MUG-2", active=False)
    )
    (product,) = await connector.get_products([created.external_id])
    assert (product.name, product.seller_sku, product.status) == ("Eco Mug", "MUG-2", ListingStatus.INACTIVE)
    await connector.update_product(ProductUpdate(created.external_id, active=True))
    assert (await connector.get_products([created.external_id]))[0].status is ListingStatus.ACTIVE
    with pytest.raises(NotFound):
        await connector.update_product(ProductUpdate("123", name="nothing"))
    with pytest.raises(NotFound):
        await connector.update_product(ProductUpdate("123", active=False))


async def test_create_product_with_variants(env: Env) -> None:
    for name in ["img-1", "img"]:
        env.sandbox.images.issue(name)  # as if uploaded
    draft = ProductDraft(
        name="Tee",
        description="<p>A tee.</p>",
        category_id="600001",
        price=Money(99000, Currency.IDR),
        stock=0,
        weight_kg=Decimal("0.2"),
        image_ids=("img",),
        option_names=("Size",),
        variants=(
            VariantDraft(("M",), "TEE-M", Money(99000, Currency.IDR), 3),
            VariantDraft(("L",), "TEE-L", Money(109000, Currency.IDR), 4),
        ),
    )
    created = await env.connector().create_product(draft)
    assert created.external_id is not None
    (product,) = await env.connector().get_products([created.external_id])
    assert [(v.seller_sku, v.option_values, v.stock) for v in product.variants] == [
        ("TEE-M", ("M",), 3),
        ("TEE-L", ("L",), 4),
    ]


# -- price and stock ----------------------------------------------------------------------------------


async def test_update_stock_one_call_per_product(make_env: MakeEnv) -> None:
    env = await make_env()
    env.sandbox.seed(products=1, variants_per_product=100)
    env.sandbox.seed(products=2, variants_per_product=3, seed=2)
    connector = env.connector()
    products = [p async for p in connector.list_products()]
    updates = [
        StockUpdate(v.item_id, v.variant_id, n % 7) for p in products for n, v in enumerate(p.variants)
    ]
    assert len(updates) == 106
    env.sandbox.reset_calls()
    results = await connector.update_stock(updates)
    assert all(r.ok and not r.dry_run for r in results)
    assert [(r.item_id, r.variant_id) for r in results] == [(u.item_id, u.variant_id) for u in updates]
    assert env.calls("inventory/update") == 3  # 100 SKUs in one call; two products of 3
    reread = {
        v.variant_id: v.stock
        for p in await connector.get_products([p.item_id for p in products])
        for v in p.variants
    }
    assert all(reread[u.variant_id] == u.stock for u in updates)


async def test_update_stock_partial_failure_is_data(env: Env) -> None:
    connector = env.connector()
    product = (await connector.get_products([min(env.sandbox.catalog.products)]))[0]
    good, other = product.variants[0], product.variants[1]
    results = await connector.update_stock(
        [
            StockUpdate(good.item_id, good.variant_id, 5),
            StockUpdate(good.item_id, "42", 5),  # no such SKU: the platform's data.errors
            StockUpdate(other.item_id, other.variant_id, -1),  # refused before sending
            StockUpdate("999", "0", 1),  # no such product: the whole call fails
        ]
    )
    assert [r.ok for r in results] == [True, False, False, False]
    assert results[1].error is not None and (results[1].error.kind, results[1].error.platform_code) == (
        "Refused",
        "12052231",
    )
    assert results[2].error is not None and results[2].error.kind == "InvalidRequest"
    assert results[3].error is not None and results[3].error.kind == "NotFound"
    assert env.calls("inventory/update") == 2
    assert env.sandbox.product(good.item_id).skus[good.variant_id].quantity == 5


async def test_update_prices(env: Env) -> None:
    connector = env.connector()
    products = await connector.get_products(sorted(env.sandbox.catalog.products)[:3])
    updates = [
        PriceUpdate(v.item_id, v.variant_id, v.price + Money(500, Currency.IDR))
        for p in products
        for v in p.variants
        if v.price is not None
    ]
    results = await connector.update_prices([*updates, PriceUpdate("1", "0", Money(1000, Currency.SGD))])
    assert [r.ok for r in results] == [True] * len(updates) + [False]
    assert env.calls("prices/update") == 3
    again = await connector.get_products([p.item_id for p in products])
    assert [v.price for p in again for v in p.variants] == [u.price for u in updates]
