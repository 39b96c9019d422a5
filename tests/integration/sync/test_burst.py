"""A burst of orders with injected faults ends with every shop's stock exactly right."""

from __future__ import annotations

import os
import random

import pytest
from sqlalchemy import select

from aiostore.db.models import Inventory, Listing, Variant
from tests.integration.sync.conftest import MarketFactory
from tests.integration.sync.marketplace import PLATFORMS, Market

BURST = int(os.environ.get("AIOSTORE_TEST_BURST", "1000"))
SKUS = 12


async def _catalog(market: Market, owner) -> dict[str, dict[str, tuple[str, str]]]:  # type: ignore[no-untyped-def]
    """SKUs on every shop (the same SKU names everywhere), master variants, listings pulled."""
    by_sku: dict[str, dict[str, tuple[str, str]]] = {}
    for platform, h in market.shops.items():
        for i, unit in enumerate(h.units()[:SKUS]):
            sku = f"BURST-{i:03d}"
            h.set_unit(unit.item_id, unit.variant_id, sku=sku, stock=BURST)
            by_sku.setdefault(sku, {})[platform] = (unit.item_id, unit.variant_id)
    for sku in by_sku:
        await market.master(sku, BURST)
    resp = await owner.post(
        "/api/sync/pull",
        json={"channel_account_ids": [str(c) for c in market.channel_ids.values()], "kinds": ["products"]},
    )
    assert resp.status_code == 202
    await market.settle()
    return by_sku


async def assert_every_shop_exact(market: Market, by_sku: dict[str, dict[str, tuple[str, str]]]) -> None:
    async with market.db.transaction(market.org_id) as session:
        rows = (
            await session.execute(
                select(Variant.sku, Inventory).join(Inventory, Inventory.variant_id == Variant.id)
            )
        ).all()
        dirty = (
            await session.scalars(select(Listing.platform_sku).where(Listing.stock_dirty.is_(True)))
        ).all()
    assert dirty == [], dirty
    mismatches = []
    for sku, inv in rows:
        available = max(0, inv.on_hand - inv.reserved - inv.safety_buffer)
        for platform, key in by_sku[sku].items():
            unit = market.shops[platform].unit(*key)
            if unit.stock - unit.reserved != available:
                mismatches.append((sku, platform, unit.stock - unit.reserved, available))
    assert mismatches == []


@pytest.mark.parametrize("platform", PLATFORMS)
async def test_burst_with_faults_ends_exact(make_market: MarketFactory, platform: str) -> None:
    others = [p for p in PLATFORMS if p != platform]
    market, owner = await make_market([platform, *others], products=SKUS, variants=1)
    for p in market.shops:
        await market.connect(p)
    by_sku = await _catalog(market, owner)
    for h in market.shops.values():  # 10% of every API call fails (5xx, busy, rate limited), pushes too
        h.set_faults({"error_rate": 0.1, "rate_limit_rate": 0.0, "seed": 11})
    rng = random.Random(5)
    sold = 0
    orders: list[tuple[str, str]] = []
    skus = sorted(by_sku)
    for n in range(BURST // 4):
        shop = PLATFORMS[n % len(PLATFORMS)] if n % 3 else platform  # the platform under test sells most
        sku = rng.choice(skus)
        orders.append((shop, market.shops[shop].place_order([(*by_sku[sku][shop], 1)])))
        sold += 1
    # some of them are cancelled, some shipped
    for shop, order_id in orders[: len(orders) // 10]:
        market.shops[shop].set_order_status(order_id, "cancelled")
    for shop, order_id in orders[len(orders) // 10 : len(orders) // 5]:
        market.shops[shop].set_order_status(order_id, "shipped")
    await market.settle()  # retries included: every failed call is tried again until it succeeds
    await assert_every_shop_exact(market, by_sku)
    async with market.db.transaction(market.org_id) as session:
        reserved = sum((await session.scalars(select(Inventory.reserved))).all())
        on_hand = sum((await session.scalars(select(Inventory.on_hand))).all())
    cancelled, shipped = len(orders) // 10, len(orders) // 5 - len(orders) // 10
    from aiostore.db.models import ChannelAccount, Order, OrderLine

    async with market.db.transaction(market.org_id) as session:
        rows = (
            await session.execute(
                select(
                    ChannelAccount.platform,
                    Order.platform_order_id,
                    Order.status,
                    Order.platform_status,
                    OrderLine.stock_state,
                )
                .join(Order, Order.channel_account_id == ChannelAccount.id)
                .join(OrderLine, OrderLine.order_id == Order.id)
            )
        ).all()
    ours = {(r[0], r[1]): r for r in rows}
    missing = [o for o in orders if o not in ours]
    expected_state = {}
    for i, o in enumerate(orders):
        expected_state[o] = (
            "released" if i < cancelled else ("deducted" if i < cancelled + shipped else "reserved")
        )
    # An order first seen already cancelled never held stock: "none" is as good as "released" there.
    wrong = [
        (o, ours[o][2:], expected_state[o])
        for o in orders
        if o in ours
        and ours[o][4] != expected_state[o]
        and not (expected_state[o] == "released" and ours[o][4] == "none")
    ]
    assert not missing and not wrong, (missing, wrong)
    assert reserved == sold - cancelled - shipped
    assert on_hand == SKUS * BURST - shipped
