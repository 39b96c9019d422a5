"""An order first seen cancelled or returned moves none of our stock, but the platform's own stock of its
items may have moved (Tokopedia takes the units at payment and keeps them on a return): intake sends the
master's available quantity to the order's own shop again, so the shop ends equal to the master."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from aiostore.db.models import Inventory, Order
from aiostore.services import orders
from tests.integration.sync.conftest import MarketFactory
from tests.integration.sync.intake_support import STOCK, Shop, open_shop
from tests.integration.sync.marketplace import PLATFORMS


def sellable(shop: Shop, sku: str) -> int:
    unit = shop.market.shops[shop.platform].unit(*shop.skus[sku])
    return unit.stock - unit.reserved


async def master_available(shop: Shop, sku: str) -> int:
    async with shop.market.db.transaction(shop.market.org_id) as session:
        inv = await session.scalar(select(Inventory).where(Inventory.variant_id == shop.variants[sku]))
        assert inv is not None
        return inv.on_hand - inv.reserved - inv.safety_buffer


@pytest.mark.parametrize("platform", PLATFORMS)
async def test_an_order_first_seen_returned_leaves_its_shop_equal_to_the_master(
    make_market: MarketFactory, platform: str
) -> None:
    market, owner = await make_market([platform], products=3, variants=1)
    shop = await open_shop(market, owner, platform)
    shop.tee.forward = False  # its pushes are on the way: we first see the order through the pull
    order_id = shop.place("INTAKE-0", 2)
    shop.move(order_id, "shipped")
    shop.move(order_id, "returned")
    if platform == "tokopedia":  # took the units at payment, kept them on the return
        assert sellable(shop, "INTAKE-0") == STOCK - 2
    await shop.pull_orders()
    await market.settle()
    async with market.db.transaction(market.org_id) as session:
        status = await session.scalar(select(Order.status).where(Order.platform_order_id == order_id))
    assert status == "returned"
    assert await master_available(shop, "INTAKE-0") == STOCK  # a return gives the units back
    assert sellable(shop, "INTAKE-0") == STOCK
    assert sellable(shop, "INTAKE-1") == STOCK  # the order's other SKUs' listings untouched


async def test_a_cancellation_first_seen_is_sent_again_and_a_replay_is_not(
    make_market: MarketFactory,
) -> None:
    """The shop's stock set by hand below ours (as a platform that kept a cancelled order's units would
    show it): the order first seen cancelled sends ours there; the same copy again sends nothing."""
    market, owner = await make_market(["tokopedia"], products=3, variants=1)
    shop = await open_shop(market, owner, "tokopedia")
    shop.tee.forward = False
    order_id = shop.place("INTAKE-0", 1)
    shop.move(order_id, "cancelled")
    h = market.shops["tokopedia"]
    h.set_unit(*shop.skus["INTAKE-0"], stock=STOCK - 3)
    await shop.pull_orders()
    await market.settle()
    assert sellable(shop, "INTAKE-0") == STOCK == await master_available(shop, "INTAKE-0")
    h.set_unit(*shop.skus["INTAKE-0"], stock=STOCK - 3)
    await shop.pull_orders()  # the same version: nothing to send (the reconciliation repairs drift)
    await market.settle()
    assert sellable(shop, "INTAKE-0") == STOCK - 3


def test_which_status_changes_send_the_origin_shop_ours_again() -> None:
    assert orders.resends_origin(None, "returned")
    assert orders.resends_origin(None, "cancelled")
    assert orders.resends_origin("shipped", "returned")
    assert orders.resends_origin("cancelled", "returned")
    assert not orders.resends_origin("returned", "returned")  # a replay
    assert not orders.resends_origin(None, "to_ship")
    assert not orders.resends_origin("to_ship", "shipped")
    assert not orders.resends_origin(None, "unknown")
