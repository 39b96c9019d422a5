"""The TikTok Shop connector against the TikTok Shop sandbox over HTTP: orders, returns, shipping, cancelling,
other markets and reuse. Call counts come from the sandbox's own counter (what the platform received)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from aiostore.connectors.batching import min_calls
from aiostore.connectors.dtos import CancelReason, PriceUpdate, ShipRequest
from aiostore.connectors.errors import NotFound, Refused
from aiostore.connectors.tiktokshop import TikTokShopConnector
from aiostore.domain.market import Currency, MarketCode
from aiostore.domain.money import Money
from aiostore.domain.orders import OrderStatus
from aiostore.domain.platforms import Platform
from tests.integration.connectors.tiktokshop.conftest import APP, SHOP_ID, TEST_LIMITS, Env, MakeEnv

# -- orders -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("orders", "days", "page"), [(0, 3, 100), (1, 20, 100), (230, 46, 100), (97, 40, 7)])
async def test_list_orders_each_once(make_env: MakeEnv, orders: int, days: int, page: int) -> None:
    env = await make_env(products=30)
    env.sandbox.seed(orders=orders, order_days=days, seed=5)
    refs = [
        r
        async for r in env.connector(limits=replace(TEST_LIMITS, order_page=page)).list_orders(
            env.now() - timedelta(days=days + 1), env.now()
        )
    ]
    ids = [r.order_id for r in refs]
    assert len(ids) == len(set(ids)) and sorted(ids) == sorted(env.sandbox.orders.orders)
    assert all(r.status is not None and r.platform_status and r.order is not None for r in refs)
    assert env.calls("orders/search") == max(1, min_calls(orders, page))
    updated = [r.updated_at.timestamp() if r.updated_at else 0.0 for r in refs]
    assert updated == sorted(updated)  # ascending by update time


async def test_list_orders_window_is_inclusive(env: Env) -> None:
    env.clock.advance(60)  # past every seeded order
    order = env.sandbox.place_order()
    at = env.now()
    refs = [r.order_id async for r in env.connector().list_orders(at, at)]
    assert refs == [order.order_id]


async def test_get_orders_in_batches_of_50(make_env: MakeEnv) -> None:
    env = await make_env(products=20, orders=120)
    ids = sorted(env.sandbox.orders.orders)
    orders = await env.connector().get_orders([*ids, "1"])
    assert sorted(o.order_id for o in orders) == ids
    assert env.calls("/order/202309/orders") == 3
    paid = next(o for o in orders if o.platform_status == "AWAITING_SHIPMENT")
    assert paid.lines and paid.total is not None and paid.total.currency is Currency.IDR
    assert paid.buyer.address.name and paid.buyer.address.phone and paid.buyer.user_id
    assert sum(x.unit_price.amount * x.quantity for x in paid.lines) <= paid.total.amount
    unpaid = next(o for o in orders if o.platform_status == "UNPAID")
    assert not unpaid.buyer.address.full_address  # TikTok hides the address until paid


async def test_a_return_makes_the_order_returned(env: Env) -> None:
    order = env.sandbox.place_order(status="AWAITING_SHIPMENT")
    env.sandbox.set_order_status(order.order_id, "IN_TRANSIT", force=True)
    env.clock.advance(60)
    env.sandbox.return_order(order.order_id)
    (found,) = await env.connector().get_orders([order.order_id])
    assert (found.status, found.platform_status) == (
        OrderStatus.RETURNED,
        "RETURN_OR_REFUND_REQUEST_COMPLETE",
    )
    refs = [r async for r in env.connector().list_orders(env.now() - timedelta(seconds=1))]
    assert [(r.order_id, r.status) for r in refs] == [(order.order_id, OrderStatus.RETURNED)]


async def test_ship_order(env: Env) -> None:
    connector = env.connector()
    order = env.sandbox.place_order(status="AWAITING_SHIPMENT")
    result = await connector.ship_order(order.order_id, ShipRequest())
    assert result.ok and result.external_id == order.order_id and result.detail == order.package.package_id
    (shipped,) = await connector.get_orders([order.order_id])
    assert (shipped.platform_status, shipped.status) == ("AWAITING_COLLECTION", OrderStatus.TO_SHIP)
    assert (
        shipped.packages[0].tracking_number
        and env.sandbox.order(order.order_id).package.handover_method == "PICKUP"
    )
    assert env.calls("handover_time_slots") == 1 and env.calls("packages/{package_id}/ship") == 1
    with pytest.raises(Refused):
        await connector.ship_order(order.order_id, ShipRequest())
    assert env.calls("packages/{package_id}/ship") == 2  # not retried
    unpaid = env.sandbox.place_order()
    with pytest.raises(Refused, match="no package"):
        await connector.ship_order(unpaid.order_id, ShipRequest())


async def test_cancel_order(env: Env) -> None:
    connector = env.connector()
    first = env.sandbox.place_order()
    result = await connector.cancel_order(first.order_id, CancelReason.CUSTOMER_REQUEST)
    assert result.detail == "CANCELLATION_REQUEST_COMPLETE"
    second = env.sandbox.place_order(status="AWAITING_SHIPMENT")
    await connector.cancel_order(second.order_id, CancelReason.OUT_OF_STOCK)
    cancelled = await connector.get_orders([first.order_id, second.order_id])
    assert [o.status for o in cancelled] == [OrderStatus.CANCELLED, OrderStatus.CANCELLED]
    assert all(o.cancelled_by == "seller" for o in cancelled)
    with pytest.raises(Refused):
        await connector.cancel_order(first.order_id, CancelReason.CUSTOMER_REQUEST)
    with pytest.raises(NotFound):
        await connector.cancel_order("1", CancelReason.CUSTOMER_REQUEST)


async def test_an_sg_shop_trades_in_sgd(make_env: MakeEnv) -> None:
    env = await make_env(region="SG", products=2, orders=5)
    connector = env.connector(market=MarketCode.SG)
    listed = [p async for p in connector.list_products()]
    assert {v.price.currency for p in listed for v in p.variants if v.price} == {Currency.SGD}
    variant = listed[0].variants[0]
    assert variant.price is not None
    bumped = variant.price + Money(1, Currency.SGD)  # one cent: two decimals survive the wire
    assert (await connector.update_prices([PriceUpdate(variant.item_id, variant.variant_id, bumped)]))[0].ok
    assert env.sandbox.product(variant.item_id).skus[variant.variant_id].price == bumped.amount
    assert all(o.currency == "SGD" for o in await connector.get_orders(list(env.sandbox.orders.orders)))


async def test_a_reuser_changes_only_the_platform(env: Env) -> None:
    """Tokopedia shops served through TikTok Shop: the same connector under another platform name."""

    class Reused(TikTokShopConnector):
        platform = Platform.TOKOPEDIA

    connector = Reused(
        env.http,
        APP,
        shop_id=SHOP_ID,
        tokens=env.tokens(),
        market=MarketCode.ID,
        policy=env.policy,
        limits=TEST_LIMITS,
        clock=env.clock,
    )
    assert (await connector.shop_info()).shop_id == SHOP_ID
    assert connector.client.client.platform == "tokopedia" and connector.client.client.limiter_key.startswith(
        "tokopedia:"
    )
    assert await env.policy.breakers.state("tokopedia") == "closed"
    assert (
        connector.parse_webhook(b'{"type":1,"shop_id":"1","data":{"order_id":"2"}}').platform
        is Platform.TOKOPEDIA
    )
