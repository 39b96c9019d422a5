"""Prices reach a shop only when a committed price change asks (`mark_prices_dirty`), through the same
per-shop push as stock; linking, stock pushes and an asked-for push never send one.

What a shop holds is read back by pulling its products again (the listing's `platform_state`).
"""

from __future__ import annotations

import json
import uuid
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select, update

from aiostore.db.models import Listing, VariantPrice
from aiostore.domain.market import market as market_of
from aiostore.domain.money import Money
from aiostore.services.sync.push import mark_prices_dirty
from tests.integration.sync.conftest import MarketFactory, pair_of
from tests.integration.sync.marketplace import PLATFORMS, Market
from tests.integration.sync.test_propagation import _link_one_unit, _pull, sellable
from tests.integration.sync.test_push_causes import one_shop, unmatched_listing


async def _listings(market: Market) -> dict[str, Listing]:
    """Linked listings by platform."""
    async with market.db.transaction(market.org_id) as session:
        rows = (await session.scalars(select(Listing).where(Listing.variant_id.is_not(None)))).all()
    by_channel = {v: k for k, v in market.channel_ids.items()}
    return {by_channel[x.channel_account_id]: x for x in rows}


async def _shop_prices(market: Market, owner: Any) -> dict[str, str]:
    """The price each shop holds now (pulled again)."""
    await _pull(market, owner)
    return {p: x.platform_state["price"] for p, x in (await _listings(market)).items()}


def _major(market: Market, platform: str, amount: str) -> str:
    """A realistic amount in the shop's market: thousands of rupiah, dollars and ringgit as they are."""
    return str(int(float(amount) * 1000)) if market.shops[platform].market == "ID" else amount


def _scaled(price: str, factor: str) -> str:
    """A shop's price times a factor, in the precision of its decimal string."""
    value = Decimal(price)
    return str((value * Decimal(factor)).quantize(Decimal(1).scaleb(value.as_tuple().exponent)))


async def _price_of(market: Market, listing_id: str) -> str:
    async with market.db.transaction(market.org_id) as session:
        listing = await session.get(Listing, uuid.UUID(listing_id))
        assert listing is not None
        return str(listing.platform_state["price"])


async def _set_master_price(market: Market, variant_id: uuid.UUID, platform: str, major: str) -> Money:
    code = market.shops[platform].market
    money = Money.from_major(major, market_of(code).currency)
    async with market.db.transaction(market.org_id) as session:
        session.add(
            VariantPrice(
                org_id=market.org_id,
                variant_id=variant_id,
                market=code,
                currency=money.currency.value,
                amount=money.amount,
            )
        )
    return money


async def _world(make_market: MarketFactory, platforms: list[str], sku: str):  # type: ignore[no-untyped-def]
    market, owner = await make_market(platforms)
    for p in market.shops:
        await market.connect(p)
    variant_id, units = await _link_one_unit(market, sku, 10)
    await _pull(market, owner)
    return market, owner, variant_id, units


@pytest.mark.parametrize("platform", PLATFORMS)
async def test_a_committed_price_reaches_the_shop(make_market: MarketFactory, platform: str) -> None:
    """The master price in the shop's market, or the listing's own override where it has one."""
    market, owner, variant_id, _ = await _world(make_market, pair_of(platform), "PRICE-1")
    other = pair_of(platform)[1]
    before = await _shop_prices(market, owner)
    # Near the shops' own prices: platforms refuse a model priced far from its siblings.
    master = await _set_master_price(market, variant_id, platform, _scaled(before[platform], "1.1"))
    listings = await _listings(market)
    override = _scaled(before[other], "0.9")
    async with market.db.transaction(market.org_id) as session:
        await session.execute(
            update(Listing).where(Listing.id == listings[other].id).values(overrides={"price": override})
        )
    async with market.db.transaction(market.org_id) as session:
        await mark_prices_dirty(session, market.org_id, [x.id for x in listings.values()])
    await market.settle()
    pushed = await _listings(market)  # recorded as the platform now holds it, before any pull
    assert pushed[platform].platform_state["price"] == str(master.to_major())
    assert not any(x.price_dirty for x in pushed.values())
    after = await _shop_prices(market, owner)
    assert Money.from_major(after[platform], master.currency) == master, (before, after)
    assert Money.from_major(after[other], market_of(market.shops[other].market).currency) == Money.from_major(
        override, market_of(market.shops[other].market).currency
    )
    jobs = (await owner.get("/api/jobs", params={"kind": "push_stock"})).json()["items"]
    items = [i for j in jobs for i in (await owner.get(f"/api/jobs/{j['id']}")).json()["items"]]
    assert sorted(i["result"] for i in items if i["ref"].startswith("price:")) == ["ok", "ok"], items


async def test_a_listing_without_a_price_fails_with_the_reason_and_sends_nothing(
    make_market: MarketFactory,
) -> None:
    market, owner, _, _ = await _world(make_market, ["shopee"], "NOPRICE-1")
    before = await _shop_prices(market, owner)
    listing = (await _listings(market))["shopee"]
    async with market.db.transaction(market.org_id) as session:
        await mark_prices_dirty(session, market.org_id, [listing.id])
    await market.settle()
    assert await _shop_prices(market, owner) == before
    job = (await owner.get("/api/jobs", params={"kind": "push_stock"})).json()["items"][0]
    items = (await owner.get(f"/api/jobs/{job['id']}")).json()["items"]
    price = [i for i in items if i["ref"].startswith("price:")]
    assert len(price) == 1 and price[0]["result"] == "failed" and "price" in price[0]["error"], items
    assert not (await _listings(market))["shopee"].price_dirty  # a retry would not change it


@pytest.mark.parametrize("platform", ["tiktokshop", "lazada"])
async def test_linking_and_pushing_never_send_a_price(make_market: MarketFactory, platform: str) -> None:
    """The incident: a linked listing pushed through /api/sync/push got the master's price."""
    market, owner, _, key = await one_shop(make_market, platform, "SHOP-PRICE-1", 2)
    variant_id = await market.master("MASTER-PRICE-1", 6)
    await _set_master_price(market, variant_id, platform, _major(market, platform, "913.5"))
    await _pull(market, owner)
    listing = await unmatched_listing(owner, "SHOP-PRICE-1")
    before = await _price_of(market, listing["id"])
    linked = await owner.put(f"/api/listings/{listing['id']}/variant", json={"variant_id": str(variant_id)})
    assert linked.status_code == 200, linked.text
    await market.settle()
    for body in ({"listing_ids": [listing["id"]]}, {"listing_ids": [listing["id"]], "prices": True}):
        resp = await owner.post("/api/sync/push", json=body)
        assert resp.status_code == 202, resp.text
        await market.settle()
    assert sellable(market, platform, key) == 6  # the stock did go
    assert (await _shop_prices(market, owner))[platform] == before  # the shop's own price stayed
    pushes = (await owner.get("/api/jobs", params={"kind": "push_listings"})).json()["items"]
    items = [i for j in pushes for i in (await owner.get(f"/api/jobs/{j['id']}")).json()["items"]]
    assert items and not [i for i in items if i["ref"].startswith("price:")]
    bad = await owner.post("/api/sync/push", json={"listing_ids": [listing["id"]], "prices": "yes please"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "prices"


async def test_an_asked_for_push_sends_only_a_pending_committed_price(make_market: MarketFactory) -> None:
    market, owner, variant_id, _ = await _world(make_market, ["tokopedia"], "PENDING-1")
    master = await _set_master_price(market, variant_id, "tokopedia", "123000")
    listing = (await _listings(market))["tokopedia"]
    before = await _shop_prices(market, owner)
    # A committed price whose push was dead-lettered stays pending (no push task waits for it).
    async with market.db.transaction(market.org_id) as session:
        await session.execute(update(Listing).where(Listing.id == listing.id).values(price_dirty=True))
    await owner.post("/api/sync/push", json={"listing_ids": [str(listing.id)]})
    await market.settle()
    assert await _shop_prices(market, owner) == before and (await _listings(market))["tokopedia"].price_dirty
    resp = await owner.post("/api/sync/push", json={"listing_ids": [str(listing.id)], "prices": True})
    assert resp.status_code == 202, resp.text
    await market.settle()
    after = await _shop_prices(market, owner)
    assert Money.from_major(after["tokopedia"], master.currency) == master
    assert not (await _listings(market))["tokopedia"].price_dirty


@pytest.mark.parametrize("platform", PLATFORMS)
async def test_a_stock_push_carries_no_price(make_market: MarketFactory, platform: str) -> None:
    """Every connector's stock call, as recorded by a dry run: no price field, whatever the endpoint."""
    market, owner, variant_id, _ = await _world(make_market, [platform], "STOCKONLY-1")
    await _set_master_price(market, variant_id, platform, _major(market, platform, "99"))
    channel = market.channel_ids[platform]
    dry = await owner.put(f"/api/channels/{channel}/write-mode", json={"write_mode": "dry"})
    assert dry.status_code == 200, dry.text
    resp = await owner.put(f"/api/variants/{variant_id}/inventory", json={"on_hand": 3})
    assert resp.status_code == 200, resp.text
    await market.settle()
    job = next(
        j
        for j in (await owner.get("/api/jobs", params={"kind": "push_stock"})).json()["items"]
        if j["dry_run"]
    )
    sent = (await owner.get(f"/api/jobs/{job['id']}")).json()["result"]["dry_run_requests"]
    assert sent and all("price" not in json.dumps(r["body"]).lower() for r in sent), sent
