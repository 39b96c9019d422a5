"""The Lazada connector's orders against the sandbox: update-time pages with their items fetched 50 orders a
call, order details, shipping (pack + ready to ship) and cancelling, with the platform's stock effects."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from aiostore.connectors.batching import min_calls
from aiostore.connectors.dtos import CancelLine, CancelReason, ShipMethod, ShipRequest
from aiostore.connectors.errors import InvalidRequest, Refused
from aiostore.domain.market import Currency
from aiostore.domain.orders import OrderStatus
from tests.integration.connectors.lazada.conftest import SELLER_ID, TEST_LIMITS, Env, MakeEnv


@pytest.mark.parametrize(("orders", "days", "page"), [(0, 3, 100), (1, 20, 100), (230, 46, 100), (97, 40, 7)])
async def test_list_orders_each_once_with_items_in_batches(
    make_env: MakeEnv, orders: int, days: int, page: int
) -> None:
    env = await make_env(products=30)
    env.sandbox.seed(orders=orders, order_days=days, seed=5)
    since, until = env.now() - timedelta(days=days + 1), env.now()
    refs = [
        r async for r in env.connector(limits=replace(TEST_LIMITS, order_page=page)).list_orders(since, until)
    ]
    ids = [r.order_id for r in refs]
    assert len(ids) == len(set(ids)) and sorted(ids) == sorted(str(i) for i in env.sandbox.orders.orders)
    assert all(r.order is not None and r.status is r.order.status and r.platform_status for r in refs)
    assert all(r.order is not None and r.order.lines for r in refs)
    assert env.calls("orders/get") == max(1, min_calls(orders, page))
    pages = [min(page, orders - n) for n in range(0, orders, page)]
    assert env.calls("orders/items/get") == sum(min_calls(n, 50) for n in pages)


async def test_orders_of_one_second_page_by_offset(env: Env) -> None:
    placed = {str(env.sandbox.place_order().order_id) for _ in range(23)}  # the clock stands still
    since = env.now() - timedelta(minutes=1)
    refs = [r async for r in env.connector(limits=replace(TEST_LIMITS, order_page=5)).list_orders(since)]
    assert {r.order_id for r in refs} == placed and len(refs) == 23
    assert env.calls("orders/get") == 5


async def test_get_orders(make_env: MakeEnv) -> None:
    env = await make_env(products=20, orders=120)
    ids = sorted(str(i) for i in env.sandbox.orders.orders)
    orders = await env.connector().get_orders([*ids, "1"])
    assert sorted(o.order_id for o in orders) == ids
    assert env.calls("order/get") == 121 and env.calls("orders/items/get") == 3
    paid = next(o for o in orders if o.status is OrderStatus.TO_SHIP)
    assert paid.lines and paid.total is not None and paid.total.currency is Currency.IDR
    assert paid.buyer.address.name and paid.buyer.address.phone and paid.buyer.user_id
    assert paid.updated_at >= paid.created_at and paid.paid_at is not None
    assert sum(line.unit_price.amount * line.quantity for line in paid.lines) <= paid.total.amount
    cancelled = next(o for o in orders if o.status is OrderStatus.CANCELLED)
    assert cancelled.cancelled_by in ("buyer", "seller", "system") and cancelled.cancel_reason


async def test_ship_order_packs_then_readies_to_ship(env: Env) -> None:
    connector = env.connector()
    product = next(iter(env.sandbox.catalog.products.values()))
    sku = next(iter(product.skus.values()))
    sku.quantity, sku.withhold, sku.occupy = 10, 0, 0
    order = env.sandbox.place_order([(product.item_id, sku.sku_id, 2)], paid=True)
    assert (sku.quantity, sku.occupy) == (10, 2)
    result = await connector.ship_order(str(order.order_id), ShipRequest())
    assert result.ok and result.external_id == str(order.order_id) and result.detail.startswith("FP")
    (shipped,) = await connector.get_orders([str(order.order_id)])
    assert (shipped.platform_status, shipped.status) == ("ready_to_ship", OrderStatus.TO_SHIP)
    assert shipped.packages and shipped.packages[0].tracking_number and shipped.carrier
    assert (sku.quantity, sku.occupy) == (8, 0)  # ready to ship takes the units out of the total
    assert env.calls("order/fulfill/pack") == 1 and env.calls("order/package/rts") == 1
    with pytest.raises(Refused, match="nothing to ship"):
        await connector.ship_order(str(order.order_id), ShipRequest())
    with pytest.raises(InvalidRequest):
        await connector.ship_order(str(order.order_id), ShipRequest(method=ShipMethod.SELF))
    assert env.calls("order/fulfill/pack") == 1


async def test_ship_an_order_already_packed(env: Env) -> None:
    order = env.sandbox.place_order(paid=True)
    env.sandbox.advance_order(order.order_id)  # pending -> packed
    result = await env.connector().ship_order(str(order.order_id), ShipRequest())
    assert result.ok and env.calls("order/fulfill/pack") == 0 and env.calls("order/package/rts") == 1
    assert {i.status for i in order.items} == {"ready_to_ship"}


async def test_ship_refusal_per_package_is_refused(env: Env) -> None:
    order = env.sandbox.place_order(paid=True)
    with pytest.raises(Refused, match="package not found"):
        await env.connector().ship_order(str(order.order_id), ShipRequest(package_id="FP0"))


async def test_cancel_order(env: Env) -> None:
    connector = env.connector()
    first = env.sandbox.place_order()
    await connector.cancel_order(str(first.order_id), CancelReason.CUSTOMER_REQUEST)
    second = env.sandbox.place_order(paid=True)
    line = second.items[0]
    await connector.cancel_order(
        str(second.order_id), CancelReason.OUT_OF_STOCK, [CancelLine(str(line.item_id), str(line.sku_id))]
    )
    cancelled = await connector.get_orders([str(first.order_id), str(second.order_id)])
    assert cancelled[0].status is OrderStatus.CANCELLED and cancelled[0].cancelled_by == "seller"
    assert {i.status for i in second.items if i.sku_id == line.sku_id} == {"canceled"}
    assert env.calls("order/reverse/cancel/validate") == 2 and env.calls("order/reverse/cancel/create") == 2
    with pytest.raises(Refused):
        await connector.cancel_order(str(first.order_id), CancelReason.CUSTOMER_REQUEST)  # nothing left
    env.sandbox.set_order_status(second.order_id, "ready_to_ship", force=True)
    with pytest.raises(Refused, match="no longer be cancelled"):
        await connector.cancel_order(str(second.order_id), CancelReason.CUSTOMER_REQUEST)
    assert env.calls("order/reverse/cancel/create") == 2


async def test_cancel_reasons_follow_what_lazada_offers(env: Env) -> None:
    order = env.sandbox.place_order()
    order.payment_method = "MIXEDCARD"
    with pytest.raises(InvalidRequest, match="cod_not_supported"):
        await env.connector().cancel_order(str(order.order_id), CancelReason.COD_NOT_SUPPORTED)
    assert env.sandbox.orders.orders[order.order_id].items[0].status == "unpaid"
    assert order.seller_id == SELLER_ID
