"""The Lazada connector against the Lazada sandbox over HTTP: every protocol method, gateways, pagination
and batching. Call counts come from the sandbox's own counter (what the platform received)."""

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
from aiostore.connectors.errors import InvalidRequest, NotFound
from aiostore.domain.market import Currency, MarketCode
from aiostore.domain.money import Money
from tests.integration.connectors.lazada.conftest import SELLER_ID, TEST_LIMITS, Env, MakeEnv, open_env

# -- authorization and gateways -------------------------------------------------------------------


async def authorize(env: Env, market: MarketCode, seller_id: str) -> dict[str, str]:
    """The seller's trip through the approval page; returns the callback's query."""
    connector = env.connector(tokens=False, market=market)
    url = connector.authorization_url("st-123", "https://aiostore.example/callback/lazada")
    assert url.startswith("https://auth.lazada.com/oauth/authorize?")
    assert parse_qs(urlsplit(url).query)["country"] == [market.value.lower()]
    page = await env.http.get(url)
    assert page.status_code == 200, page.text
    session = re.search(r'name="session" value="([^"]+)"', page.text)
    assert session is not None and seller_id in page.text
    approved = await env.http.get(
        f"https://auth.lazada.com/_sandbox/oauth/approve?session={session[1]}&seller_id={seller_id}"
    )
    assert approved.status_code == 302
    callback = urlsplit(approved.headers["location"])
    assert callback.path == "/callback/lazada"
    return {k: v[0] for k, v in parse_qs(callback.query).items()}


async def test_authorize_exchange_and_refresh(env: Env) -> None:
    query = await authorize(env, MarketCode.ID, SELLER_ID)
    assert query["state"] == "st-123" and query["code"].startswith("0_100001_")
    connector = env.connector(tokens=False)
    tokens = await connector.exchange_code(query["code"], query)
    assert (tokens.shop_id, tokens.external_ids["country"]) == (SELLER_ID, "id")
    assert tokens.access_expires_at == env.now() + timedelta(days=7)
    assert connector.tokens == tokens and env.saved_tokens == [tokens]
    info = await connector.shop_info()
    assert (info.shop_id, info.market, info.active) == (SELLER_ID, MarketCode.ID, True)
    assert info.authorization_expires_at == env.now() + timedelta(days=14)

    fresh = await connector.refresh(tokens)
    assert fresh.access_token != tokens.access_token and fresh.refresh_token != tokens.refresh_token
    assert fresh.shop_id == SELLER_ID and connector.tokens == fresh
    with pytest.raises(InvalidRequest):
        await connector.exchange_code(query["code"], query)  # a code is single-use
    assert env.calls("auth/token/create") == 2 and env.calls("auth/token/refresh") == 1


async def test_the_gateway_follows_the_sellers_country(env: Env) -> None:
    env.sandbox.add_seller("300001", "SG")
    env.sandbox.seed(products=3, shop_id="300001")
    query = await authorize(env, MarketCode.SG, "300001")
    connector = env.connector(tokens=False, market=MarketCode.SG)
    tokens = await connector.exchange_code(query["code"], query)
    assert tokens.external_ids["country"] == "sg" and connector.gateway == "https://api.lazada.sg/rest"
    products = [p async for p in connector.list_products()]
    assert len(products) == 3 and products[0].variants[0].price is not None
    assert products[0].variants[0].price.currency is Currency.SGD

    # the token names its country: a shop account stored as ID still calls the SG gateway ...
    stored = env.connector(tokens=tokens, market=MarketCode.ID)
    assert (await stored.shop_info()).market is MarketCode.SG  # so the service can refuse the mismatch
    # ... and a token without it on the wrong gateway is refused by Lazada, not refreshed
    bare = env.connector(tokens=replace(tokens, external_ids={}), market=MarketCode.ID)
    with pytest.raises(InvalidRequest, match="SG gateway"):
        await bare.shop_info()
    assert env.calls("auth/token/refresh") == 0


async def test_a_base_url_fixed_by_settings_serves_each_country_by_path(env: Env) -> None:
    connector = env.connector(base_url="http://127.0.0.1:8803/{country}/rest")
    assert connector.gateway == "http://127.0.0.1:8803/id/rest"
    assert (await connector.shop_info()).shop_id == SELLER_ID
    fixed = env.connector(base_url="http://127.0.0.1:8803")
    assert fixed.gateway == "http://127.0.0.1:8803/rest" and (await fixed.shop_info()).active


# -- products -------------------------------------------------------------------------------------


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    products=st.integers(min_value=0, max_value=130),
    page=st.integers(min_value=1, max_value=50),
    skus=st.sampled_from([1, 3]),
)
async def test_list_products_returns_each_exactly_once(products: int, page: int, skus: int) -> None:
    async with open_env() as env:
        env.sandbox.seed(products=products, variants_per_product=skus)
        listed = [
            p async for p in env.connector(limits=replace(TEST_LIMITS, product_page=page)).list_products()
        ]
        ids = [p.item_id for p in listed]
        assert sorted(ids) == sorted(str(i) for i in env.sandbox.catalog.products) and len(set(ids)) == len(
            ids
        )
        assert env.calls("products/get") == max(1, min_calls(products, page))
        assert sum(len(p.variants) for p in listed) == products * skus
        assert all(p.has_variants == (skus > 1) for p in listed)


async def test_list_products_goes_on_past_the_offset_cap(make_env: MakeEnv) -> None:
    env = await make_env(product_offset_max=20)
    env.sandbox.seed(products=57, variants_per_product=1)
    connector = env.connector(limits=replace(TEST_LIMITS, product_page=10))
    connector.product_offset_cap = 20
    listed = [p async for p in connector.list_products()]
    assert sorted(p.item_id for p in listed) == sorted(str(i) for i in env.sandbox.catalog.products)
    assert len({p.item_id for p in listed}) == 57 == len(listed)


async def test_list_products_since(env: Env) -> None:
    connector = env.connector()
    env.clock.advance(3600)
    changed = sorted(env.sandbox.catalog.products)[:3]
    for item_id in changed:
        await connector.update_product(ProductUpdate(str(item_id), name=f"Renamed {item_id}"))
    listed = [p async for p in connector.list_products(updated_since=env.now() - timedelta(minutes=1))]
    assert sorted(p.item_id for p in listed) == [str(i) for i in changed]
    assert all(p.name.startswith("Renamed") for p in listed)


async def test_get_products_one_call_each(env: Env) -> None:
    ids = [str(i) for i in sorted(env.sandbox.catalog.products)[:4]]
    found = await env.connector().get_products([*ids, "1"])  # an unknown id is left out
    assert [p.item_id for p in found] == ids and env.calls("product/item/get") == 5
    variant = found[0].variants[0]
    assert variant.price is not None and variant.price.currency is Currency.IDR and variant.stock is not None


async def test_create_and_update_product(env: Env) -> None:
    for name in ["https://id-live.slatic.net/p/mug.jpg", "https://img.example/tee.jpg"]:
        env.sandbox.images.issue(name)  # as if uploaded
    connector = env.connector()
    draft = ProductDraft(
        name="Eco <Bamboo> Mug & Co",
        description="A mug made of bamboo fibre.",
        category_id="10002019",
        price=Money(45000, Currency.IDR),
        stock=12,
        weight_kg=Decimal("0.4"),
        image_ids=("https://id-live.slatic.net/p/mug.jpg",),
        seller_sku="MUG-1",
    )
    created = await connector.create_product(draft)
    assert created.ok and created.external_id and not created.dry_run
    (product,) = await connector.get_products([created.external_id])
    assert (product.name, product.seller_sku, product.status) == (
        "Eco <Bamboo> Mug & Co",
        "MUG-1",
        ListingStatus.ACTIVE,
    )
    assert product.variants[0].price == Money(45000, Currency.IDR) and product.variants[0].stock == 12

    update = ProductUpdate(
        created.external_id, name="Eco Mug", seller_sku="MUG-2", active=False, weight_kg=Decimal("0.5")
    )
    await connector.update_product(update)
    (product,) = await connector.get_products([created.external_id])
    assert (product.name, product.seller_sku, product.status, product.weight_kg) == (
        "Eco Mug",
        "MUG-2",
        ListingStatus.INACTIVE,
        Decimal("0.5"),
    )
    with pytest.raises(NotFound):
        await connector.update_product(ProductUpdate("123", name="nothing"))


async def test_create_product_with_variants(env: Env) -> None:
    for name in ["https://id-live.slatic.net/p/mug.jpg", "https://img.example/tee.jpg"]:
        env.sandbox.images.issue(name)  # as if uploaded
    price = Money(99000, Currency.IDR)
    draft = ProductDraft(
        name="Tee",
        description="A tee.",
        category_id="8707",
        price=price,
        stock=0,
        weight_kg=Decimal("0.2"),
        image_ids=("https://img.example/tee.jpg",),
        option_names=("Colour", "Size"),
        variants=(
            VariantDraft(("Red", "M"), "TEE-R-M", price, 3),
            VariantDraft(("Red", "L"), "TEE-R-L", price + Money(10000, Currency.IDR), 4),
        ),
    )
    created = await env.connector().create_product(draft)
    assert created.external_id is not None
    (product,) = await env.connector().get_products([created.external_id])
    assert product.has_variants and [v.seller_sku for v in product.variants] == ["TEE-R-M", "TEE-R-L"]
    assert [v.option_values for v in product.variants] == [("Red", "M"), ("Red", "L")]
    with pytest.raises(InvalidRequest):
        await env.connector().update_product(ProductUpdate(created.external_id, seller_sku="ONE"))


# -- price and stock ------------------------------------------------------------------------------


async def test_update_stock_in_calls_of_50_skus_of_any_products(make_env: MakeEnv) -> None:
    env = await make_env()
    env.sandbox.seed(products=22, variants_per_product=3)
    connector = env.connector()
    products = [p async for p in connector.list_products()]
    updates = [
        StockUpdate(v.item_id, v.variant_id, n % 7 + 10) for p in products for n, v in enumerate(p.variants)
    ]
    env.sandbox.reset_calls()
    results = await connector.update_stock(updates)
    assert all(r.ok and not r.dry_run for r in results)
    assert [(r.item_id, r.variant_id) for r in results] == [(u.item_id, u.variant_id) for u in updates]
    assert env.calls("product/price_quantity/update") == min_calls(66, 50) == 2
    reread = {
        v.variant_id: v.stock
        for p in await connector.get_products([p.item_id for p in products])
        for v in p.variants
    }
    assert all(reread[u.variant_id] == u.stock for u in updates)


async def test_update_stock_partial_failure_is_data(env: Env) -> None:
    connector = env.connector()
    order = env.sandbox.place_order(paid=True)
    held = order.items[0]
    product = (await connector.get_products([str(min(env.sandbox.catalog.products))]))[0]
    good = product.variants[0]
    results = await connector.update_stock(
        [
            StockUpdate(good.item_id, good.variant_id, 5),
            StockUpdate(good.item_id, "42", 5),  # no such SKU: listed in the 501 answer's detail
            StockUpdate(str(held.item_id), str(held.sku_id), 0),  # below what the order occupies
            StockUpdate(good.item_id, good.variant_id + "0", -1),  # refused before sending
        ]
    )
    assert [r.ok for r in results] == [True, False, False, False]
    assert [r.error.kind for r in results[1:] if r.error] == ["Refused", "Refused", "InvalidRequest"]
    assert results[2].error is not None and "locked stock" in results[2].error.message
    assert env.calls("product/price_quantity/update") == 1
    assert env.sandbox.catalog.sku(SELLER_ID, int(good.variant_id))[1].quantity == 5  # type: ignore[index]


async def test_update_prices(env: Env) -> None:
    connector = env.connector()
    for product in env.sandbox.catalog.products.values():
        for sku in product.skus.values():
            sku.special_price = 0
    products = await connector.get_products([str(i) for i in sorted(env.sandbox.catalog.products)[:3]])
    updates = [
        PriceUpdate(v.item_id, v.variant_id, v.price + Money(500, Currency.IDR))
        for p in products
        for v in p.variants
        if v.price
    ]
    results = await connector.update_prices([*updates, PriceUpdate("1", "2", Money(1000, Currency.SGD))])
    assert [r.ok for r in results] == [True] * len(updates) + [False]
    assert env.calls("product/price_quantity/update") == 1
    again = await connector.get_products([p.item_id for p in products])
    assert [v.price for p in again for v in p.variants] == [u.price for u in updates]
