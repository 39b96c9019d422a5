"""Two sales of one variant never deadlock on its listings.

A sale inserts its order lines (the foreign key check holds FOR KEY SHARE on each line's listing) before
it locks the inventory; a sale that already holds the inventory then marks every listing of the variant
dirty. That marking must not wait for the first sale's key-share lock, or the two wait for each other
(PostgreSQL kills one: under load a webhook lost every retry to it and its order was never recorded).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import select, text

from aiostore.db.models import Inventory, Listing, Order, OrderLine
from aiostore.services.inventory import lock_inventory, mark_dirty
from tests.integration.sync.conftest import MarketFactory
from tests.integration.sync.test_propagation import _link_one_unit, _pull


async def test_marking_listings_dirty_does_not_wait_for_a_sale_inserting_its_lines(
    make_market: MarketFactory,
) -> None:
    market, owner = await make_market(["shopee"])
    channel_id = await market.connect("shopee")
    variant_id, _ = await _link_one_unit(market, "LOCK-1", 10)
    assert isinstance(variant_id, uuid.UUID)
    await _pull(market, owner)
    async with market.db.transaction(market.org_id) as session:
        listing = await session.scalar(select(Listing).where(Listing.variant_id == variant_id))
        assert listing is not None and not listing.stock_dirty
        listing_id, version = listing.id, listing.stock_version
        item_id, model_id = listing.platform_item_id, listing.platform_model_id

    now = datetime.now(UTC)
    async with market.db.transaction(market.org_id) as first:
        # The first sale has inserted its order and line (holding the key-share lock on the listing) ...
        order = Order(
            org_id=market.org_id,
            channel_account_id=channel_id,
            platform_order_id="LOCK-ORDER-1",
            market=market.shops["shopee"].market,
            status="to_ship",
            platform_status="READY_TO_SHIP",
            currency="SGD",
            placed_at=now,
            platform_updated_at=now,
        )
        first.add(order)
        await first.flush()
        first.add(
            OrderLine(
                org_id=market.org_id,
                order_id=order.id,
                variant_id=variant_id,
                listing_id=listing_id,
                platform_line_id="1",
                platform_item_id=item_id,
                platform_model_id=model_id,
                quantity=1,
                currency="SGD",
            )
        )
        await first.flush()
        # ... and the second, holding the inventory, marks the variant's listings dirty. Were it to wait
        # for the first sale, the first would next wait for the inventory: a deadlock. The lock_timeout
        # only turns such a wait into an error instead of a hung test.
        async with market.db.transaction(market.org_id) as second:
            await second.execute(text("SET LOCAL lock_timeout = '10s'"))
            stock = await lock_inventory(second, market.org_id, [variant_id])
            assert isinstance(stock[variant_id], Inventory)
            await mark_dirty(second, [variant_id])

    async with market.db.transaction(market.org_id) as session:
        after = await session.scalar(select(Listing).where(Listing.id == listing_id))
        assert after is not None and after.stock_dirty and after.stock_version == version + 1
