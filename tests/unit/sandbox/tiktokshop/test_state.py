"""The TikTok Shop sandbox's state: seeded data, stock held by orders, cursor pages that lose nothing."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aiostore.sandbox.common import ManualClock, SandboxError
from aiostore.sandbox.tiktokshop import TikTokShopSandbox, TikTokShopSandboxConfig
from aiostore.sandbox.tiktokshop.catalog import format_amount, parse_amount


def make(**overrides: object) -> TikTokShopSandbox:
    config = TikTokShopSandboxConfig(clock=ManualClock(1_700_000_000), rate_limit_rps=None)
    for key, value in overrides.items():
        setattr(config, key, value)
    return TikTokShopSandbox(config)


def test_seeding_is_deterministic_and_fits_the_currency() -> None:
    first, second = make(region="SG", products=20, orders=15), make(region="SG", products=20, orders=15)
    assert [p.title for p in first.catalog.products.values()] == [
        p.title for p in second.catalog.products.values()
    ]
    assert [o.status for o in first.orders.orders.values()] == [
        o.status for o in second.orders.orders.values()
    ]
    skus = [s for p in first.catalog.products.values() for s in p.skus.values()]
    assert len(skus) == 60 and all(s.price % 10 == 0 and s.price > 0 for s in skus)
    assert len({s.seller_sku for s in skus}) == 60 and all(len(s.attributes) == 2 for s in skus)
    idr = make(products=5)
    assert all(s.price % 500 == 0 for p in idr.catalog.products.values() for s in p.skus.values())


def test_open_seeded_orders_hold_their_units() -> None:
    sandbox = make(products=10, orders=60)
    held: dict[str, int] = {}
    for order in sandbox.orders.orders.values():
        if order.stock_state == "reserved":
            for (_, sku_id), quantity in order.units().items():
                held[sku_id] = held.get(sku_id, 0) + quantity
    committed = {s.sku_id: s.committed for p in sandbox.catalog.products.values() for s in p.skus.values()}
    assert held and all(committed[sku_id] == quantity for sku_id, quantity in held.items())


def test_stock_moves_with_the_order() -> None:
    sandbox = make(products=1, variants_per_product=1)
    product = next(iter(sandbox.catalog.products.values()))
    sku = next(iter(product.skus.values()))
    sku.quantity, sku.committed = 10, 0
    order = sandbox.place_order([(product.product_id, sku.sku_id, 4)])
    assert (sku.quantity, sku.committed, order.status) == (6, 4, "UNPAID")
    with pytest.raises(SandboxError, match="not enough stock"):
        sandbox.place_order([(product.product_id, sku.sku_id, 7)])
    sandbox.set_order_status(order.order_id, "CANCELLED")
    assert (sku.quantity, sku.committed) == (10, 0)
    shipped = sandbox.place_order([(product.product_id, sku.sku_id, 3)], status="AWAITING_SHIPMENT")
    for _ in range(4):
        sandbox.advance_order(shipped.order_id)
    assert (shipped.status, sku.quantity, sku.committed) == ("COMPLETED", 7, 0)
    with pytest.raises(SandboxError, match="normal path"):
        sandbox.advance_order(shipped.order_id)


@settings(max_examples=25, deadline=None)
@given(products=st.integers(0, 60), page=st.integers(1, 25), deleted=st.integers(0, 5))
def test_product_pages_return_each_product_once(products: int, page: int, deleted: int) -> None:
    sandbox = make(products=products, variants_per_product=1)
    shop = sandbox.shop()
    for product in list(sandbox.catalog.products.values())[:deleted]:
        sandbox.catalog.set_status(product, "DELETED", sandbox.now())
    seen: list[str] = []
    after: str | None = None
    while True:
        found, total, more = sandbox.catalog.search(
            shop.shop_id, status="ALL", after=after, limit=page, now=sandbox.now()
        )
        seen += [p.product_id for p in found]
        assert total == products - min(deleted, products)
        if not more:
            break
        after = found[-1].product_id
    assert len(seen) == len(set(seen)) == products - min(deleted, products)


@settings(max_examples=25, deadline=None)
@given(orders=st.integers(0, 80), page=st.integers(1, 30), descending=st.booleans())
def test_order_pages_return_each_order_once(orders: int, page: int, descending: bool) -> None:
    sandbox = make(products=5, orders=orders)
    shop = sandbox.shop()
    seen: list[str] = []
    after: tuple[int, str] | None = None
    while True:
        found, more, total = sandbox.orders.page(
            shop.shop_id, "update_time", None, None, page, descending=descending, after=after
        )
        seen += [o.order_id for o in found]
        assert total == orders
        if not more:
            break
        after = (found[-1].update_time, found[-1].order_id)
    assert sorted(seen) == sorted(sandbox.orders.orders) and len(seen) == len(set(seen))


@given(st.integers(min_value=0, max_value=10**12), st.sampled_from([0, 2]))
def test_amounts_round_trip(minor: int, exponent: int) -> None:
    assert parse_amount(format_amount(minor, exponent), exponent) == minor


@pytest.mark.parametrize(
    ("value", "exponent"), [("1.5", 0), ("1.234", 2), ("x", 2), (1.5, 2), (True, 0), ("Infinity", 2)]
)
def test_bad_amounts(value: object, exponent: int) -> None:
    with pytest.raises(ValueError):
        parse_amount(value, exponent)


def test_tokens_and_shops() -> None:
    sandbox = make(access_token="ROW_a", refresh_token="ROW_r")
    other = sandbox.add_shop("7000000000000000009", "MY")
    app_key = sandbox.app.app_key
    assert sandbox.tokens.shops_of(app_key, other.open_id) == [sandbox.config.shop_id, other.shop_id]
    assert sandbox.shop_by_cipher(other.cipher) is other and other.cipher.startswith("ROW_")
    with pytest.raises(SandboxError):
        sandbox.add_shop("1", "TH")
    assert sandbox.expire_access_tokens() == 1 and sandbox.expire_refresh_tokens() == 1
