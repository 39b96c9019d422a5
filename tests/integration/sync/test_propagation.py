"""A sale anywhere moves stock everywhere: webhook -> order -> reservation -> pushes to every shop.

Every test runs on each of the four platforms (the sale happens there) with the next platform as the
other shop.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from aiostore.db.models import InventoryMovement, Order, WebhookEvent
from tests.integration.sync.conftest import MarketFactory, pair_of
from tests.integration.sync.marketplace import PLATFORMS, Market


async def _link_one_unit(market: Market, sku: str, on_hand: int) -> tuple[object, dict[str, tuple[str, str]]]:
    """Give one sellable unit on every shop the same SKU, create the master variant, pull listings."""
    units = {}
    for platform, h in market.shops.items():
        unit = h.units()[0]
        h.set_unit(unit.item_id, unit.variant_id, sku=sku, stock=on_hand)
        units[platform] = (unit.item_id, unit.variant_id)
    variant_id = await market.master(sku, on_hand)
    return variant_id, units


def sellable(market: Market, platform: str, key: tuple[str, str]) -> int:
    unit = market.shops[platform].unit(*key)
    return unit.stock - unit.reserved


async def _pull(market: Market, owner) -> None:  # type: ignore[no-untyped-def]
    ids = [str(c) for c in market.channel_ids.values()]
    resp = await owner.post("/api/sync/pull", json={"channel_account_ids": ids, "kinds": ["products"]})
    assert resp.status_code == 202, resp.text
    await market.settle()
    jobs = (await owner.get("/api/jobs", params={"kind": "pull_products"})).json()["items"]
    assert jobs and all(j["status"] == "succeeded" for j in jobs), [(j["status"], j["error"]) for j in jobs]


@pytest.mark.parametrize("platform", PLATFORMS)
async def test_a_sale_reaches_every_shop(make_market: MarketFactory, platform: str) -> None:
    market, owner = await make_market(pair_of(platform))
    for p in market.shops:
        await market.connect(p)
    variant_id, units = await _link_one_unit(market, "SYNC-TEE-1", 10)
    await _pull(market, owner)
    listings = (await owner.get("/api/listings", params={"unmatched": "false"})).json()["items"]
    assert len(listings) == 2

    order_id = market.shops[platform].place_order([(*units[platform], 3)])
    await market.settle()

    inv = await market.inventory(variant_id)
    assert (inv.on_hand, inv.reserved) == (10, 3)
    for p, key in units.items():
        assert sellable(market, p, key) == 7, (p, market.shops[p].unit(*key))
    orders = (await owner.get("/api/orders")).json()["items"]
    assert [o["platform_order_id"] for o in orders] == [order_id]
    assert orders[0]["status"] in ("to_ship", "unpaid")

    market.shops[platform].set_order_status(order_id, "cancelled")
    await market.settle()
    inv = await market.inventory(variant_id)
    assert (inv.on_hand, inv.reserved) == (10, 0)
    for p, key in units.items():
        assert sellable(market, p, key) == 10, p


@pytest.mark.parametrize("platform", PLATFORMS)
async def test_duplicate_and_reordered_pushes_change_nothing_twice(
    make_market: MarketFactory, platform: str
) -> None:
    market, owner = await make_market(pair_of(platform))
    for p in market.shops:
        await market.connect(p)
    variant_id, units = await _link_one_unit(market, "SYNC-DUP-1", 5)
    await _pull(market, owner)
    shop = market.shops[platform]
    shop.set_faults({"push_duplicate_rate": 1.0, "push_reorder_rate": 0.5, "seed": 3})
    order_id = shop.place_order([(*units[platform], 2)])
    shop.set_order_status(order_id, "shipped")
    await market.settle()
    inv = await market.inventory(variant_id)
    assert (inv.on_hand, inv.reserved) == (3, 0)
    async with market.db.transaction(market.org_id) as session:
        moves = (
            await session.scalars(
                select(InventoryMovement)
                .where(InventoryMovement.variant_id == variant_id)
                .where(InventoryMovement.cause == "order")
            )
        ).all()
        assert sum(m.on_hand_delta for m in moves) == -2 and sum(m.reserved_delta for m in moves) == 0
        events = await session.scalar(select(func.count()).select_from(WebhookEvent))
        assert events is not None and events >= 1
    for p, key in units.items():
        assert sellable(market, p, key) == 3, p


@pytest.mark.parametrize("platform", PLATFORMS)
async def test_last_unit_sold_twice_one_is_oversold_and_every_shop_shows_zero(
    make_market: MarketFactory, platform: str
) -> None:
    market, owner = await make_market(pair_of(platform))
    for p in market.shops:
        await market.connect(p)
    variant_id, units = await _link_one_unit(market, "SYNC-LAST-1", 1)
    await _pull(market, owner)
    for p, key in units.items():  # both buyers click at the same moment: no push in between
        market.shops[p].place_order([(*key, 1)])
    await market.settle()
    async with market.db.transaction(market.org_id) as session:
        flags = sorted((await session.scalars(select(Order.oversold))).all())
        events = (
            await session.execute(select(WebhookEvent.platform, WebhookEvent.status, WebhookEvent.error))
        ).all()
    assert flags == [False, True], events
    inv = await market.inventory(variant_id)
    assert inv.on_hand - inv.reserved <= 0
    for p, key in units.items():
        assert sellable(market, p, key) == 0, p
    oversold = (await owner.get("/api/orders", params={"oversold": "true"})).json()["items"]
    assert len(oversold) == 1
