"""Every change of what a listing should show as stock reaches its shop by itself, as a sale does.

Each cause (stock set through the API, a changed safety buffer, linking a listing, the catalog import,
a pull that matches a SKU) marks the listings dirty and asks for the shop's coalesced push in its own
transaction; nobody calls /api/sync/push here. The sandboxes' own stock is what is checked.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import func, select

from aiostore.db.models import Listing
from aiostore.services import inventory
from tests.factories import Caller
from tests.integration.sync.conftest import MarketFactory, pair_of
from tests.integration.sync.marketplace import Market
from tests.integration.sync.test_propagation import _link_one_unit, _pull, sellable
from tests.integration.sync.test_push_wakeup import _waiting_pushes


async def _dirty(market: Market) -> int:
    async with market.db.transaction(market.org_id) as session:
        return int(
            await session.scalar(select(func.count()).select_from(Listing).where(Listing.stock_dirty)) or 0
        )


async def _linked_pair(make_market: MarketFactory, platform: str, sku: str, on_hand: int):  # type: ignore[no-untyped-def]
    market, owner = await make_market(pair_of(platform))
    for p in market.shops:
        await market.connect(p)
    variant_id, units = await _link_one_unit(market, sku, on_hand)
    await _pull(market, owner)
    assert await _dirty(market) == 0
    return market, owner, variant_id, units


@pytest.mark.parametrize("platform", ["shopee", "lazada"])
async def test_stock_set_through_the_api_reaches_every_shop(
    make_market: MarketFactory, platform: str
) -> None:
    market, owner, variant_id, units = await _linked_pair(make_market, platform, "SET-1", 10)
    resp = await owner.put(f"/api/variants/{variant_id}/inventory", json={"on_hand": 4})
    assert resp.status_code == 200, resp.text
    assert await _waiting_pushes(market) >= 1  # asked for in the same transaction, no sale needed
    await market.settle()
    for p, key in units.items():
        assert sellable(market, p, key) == 4, p
    assert await _dirty(market) == 0

    bad = await owner.put(f"/api/variants/{variant_id}/inventory", json={"on_hand": -1})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "on_hand"
    assert await _waiting_pushes(market) == 0 and await _dirty(market) == 0  # nothing half applied


@pytest.mark.parametrize("platform", ["tiktokshop", "tokopedia"])
async def test_a_changed_safety_buffer_reaches_every_shop(make_market: MarketFactory, platform: str) -> None:
    market, owner, variant_id, units = await _linked_pair(make_market, platform, "BUF-1", 10)
    resp = await owner.put(f"/api/variants/{variant_id}/inventory", json={"on_hand": 10, "safety_buffer": 3})
    assert resp.status_code == 200, resp.text
    await market.settle()
    for p, key in units.items():
        assert sellable(market, p, key) == 7, p


async def one_shop(make_market: MarketFactory, platform: str, sku: str, stock: int):  # type: ignore[no-untyped-def]
    """One connected shop whose first unit has this seller SKU and stock: (market, owner, channel, key)."""
    market, owner = await make_market([platform])
    channel = await market.connect(platform)
    unit = market.shops[platform].units()[0]
    market.shops[platform].set_unit(unit.item_id, unit.variant_id, sku=sku, stock=stock)
    return market, owner, channel, (unit.item_id, unit.variant_id)


async def unmatched_listing(owner: Caller, sku: str) -> dict[str, Any]:
    items = (await owner.get("/api/listings", params={"unmatched": "true"})).json()["items"]
    return next(x for x in items if x["platform_sku"] == sku)


async def test_linking_a_listing_pushes_its_stock(make_market: MarketFactory) -> None:
    market, owner, _, key = await one_shop(make_market, "tiktokshop", "SHOP-ONLY-1", 2)
    variant_id = await market.master("MASTER-1", 9)
    await _pull(market, owner)
    listing = await unmatched_listing(owner, "SHOP-ONLY-1")
    refused = await owner.put(
        f"/api/listings/{listing['id']}/variant", json={"variant_id": str(uuid.uuid4())}
    )
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "variant_id"
    assert await _waiting_pushes(market) == 0
    resp = await owner.put(f"/api/listings/{listing['id']}/variant", json={"variant_id": str(variant_id)})
    assert resp.status_code == 200, resp.text
    await market.settle()
    assert sellable(market, "tiktokshop", key) == 9
    assert await _dirty(market) == 0


async def test_the_catalog_import_pushes_the_imported_stock(make_market: MarketFactory) -> None:
    market, owner, channel, key = await one_shop(make_market, "lazada", "IMPORT-1", 8)
    await _pull(market, owner)
    market.shops["lazada"].set_unit(*key, stock=3)  # the shop drifted since we last saw it
    resp = await owner.post("/api/listings/import", json={"channel_account_id": str(channel)})
    assert resp.status_code == 200, resp.text
    await market.settle()
    assert sellable(market, "lazada", key) == 8  # the master's, pushed


async def test_a_pull_that_matches_a_sku_pushes_the_master_stock(make_market: MarketFactory) -> None:
    market, owner, _, key = await one_shop(make_market, "shopee", "MATCH-1", 4)
    shop = market.shops["shopee"]
    await market.master("MATCH-1", 10)
    await _pull(market, owner)  # the pull links it by SKU; its push is queued and run by settle
    await market.settle()
    assert sellable(market, "shopee", key) == 10
    calls = shop.call_count()
    await _pull(market, owner)  # already linked: a second pull pushes nothing
    pushes = (await owner.get("/api/jobs", params={"kind": "push_stock"})).json()["items"]
    assert len(pushes) == 1 and shop.call_count() > calls


async def test_a_change_that_rolls_back_asks_for_no_push(make_market: MarketFactory) -> None:
    market, _owner, variant_id, _units = await _linked_pair(make_market, "shopee", "ROLL-1", 5)
    with pytest.raises(RuntimeError):
        async with market.db.transaction(market.org_id) as session:
            await inventory.stock_changed(session, market.org_id, [variant_id])
            assert await _waiting_pushes(market) == 0  # not visible outside the transaction yet
            raise RuntimeError("the change failed")
    assert await _waiting_pushes(market) == 0 and await _dirty(market) == 0
