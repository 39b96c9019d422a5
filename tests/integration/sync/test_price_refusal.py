"""A price the platform refused stays visible until a later price is accepted (found by bench/soak.py).

Lazada refuses a price not above the sale price it holds. Before, a listing kept one sync state for stock
and price alike, so the next successful stock push set it back to `in_sync`: the `listing_rejected`
alert cleared while the shop still sold at its old price. Now the price has its own outcome
(`price_sync_state`, `price_error`), shown by the API, counted by the alert and by the reconciliation
(a `refused` finding, never adopted as a seller-centre edit), and cleared by an accepted price.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select, update

from aiostore.db.models import AlertState, Inventory, Listing, VariantPrice
from aiostore.sandbox.lazada.models import Sku
from aiostore.services import inventory
from aiostore.services.alerts import evaluate
from aiostore.services.sync.push import mark_prices_dirty
from tests.factories import Caller
from tests.integration.sync.conftest import MarketFactory
from tests.integration.sync.marketplace import Market
from tests.integration.sync.reconcile_support import findings, linked_shop, reconcile
from tests.integration.sync.test_propagation import sellable


async def _commit_price(market: Market, listing: dict[str, Any], amount: int) -> None:
    """The master price in the shop's market set to `amount` (minor units), committed: a price push."""
    async with market.db.transaction(market.org_id) as session:
        await session.execute(
            update(VariantPrice)
            .where(VariantPrice.variant_id == uuid.UUID(listing["variant_id"]))
            .values(amount=amount)
        )
        await mark_prices_dirty(session, market.org_id, [uuid.UUID(listing["id"])])
    await market.settle()


async def _alert(market: Market, listing_id: str) -> AlertState | None:
    """The listing's `listing_rejected` alert after an evaluation (None: never raised)."""
    async with market.db.transaction(market.org_id) as session:
        await evaluate.evaluate_org(session, market.org_id, market.settings)
        found = await session.scalar(
            select(AlertState).where(
                AlertState.kind == "listing_rejected", AlertState.subject_key == listing_id
            )
        )
        return found


async def _listing(owner: Caller, listing_id: str) -> dict[str, Any]:
    resp = await owner.get(f"/api/listings/{listing_id}")
    assert resp.status_code == 200, resp.text
    body: dict[str, Any] = resp.json()
    return body


async def test_a_refused_price_outlives_a_stock_push_until_a_price_is_accepted(
    make_market: MarketFactory,
) -> None:
    market, owner = await make_market(["lazada"])
    [unit] = await linked_shop(market, owner, "lazada", 1)
    h = market.shops["lazada"]
    sku: Sku = h.sandbox.product(int(unit.item_id)).skus[int(unit.variant_id)]  # type: ignore[attr-defined]
    theirs = sku.price
    sku.special_price = theirs - theirs // 5  # a sale price on Lazada, 80% of the price
    [listing] = (await owner.get("/api/listings", params={"unmatched": "false"})).json()["items"]
    assert listing["price_sync_state"] is None and listing["price_error"] is None  # no price pushed yet
    # The organisation adopts seller-centre price edits: a refused price must not be taken for one.
    assert (await owner.put("/api/reconciliation/policy", json={"price": "adopt"})).status_code == 200

    refused = sku.special_price - sku.special_price // 10  # not above the sale price: refused
    await _commit_price(market, listing, refused)
    shown = await _listing(owner, listing["id"])
    assert shown["price_sync_state"] == "error", shown
    assert "SalePrice must be lower than Price" in shown["price_error"], shown
    assert h.price_of(unit.item_id, unit.variant_id) == theirs
    alert = await _alert(market, listing["id"])
    assert alert is not None and alert.cleared_at is None and alert.subject["state"] == "price_refused"

    # A stock change: its push succeeds, and the refused price stays on the listing and in the alert.
    variant_id = uuid.UUID(listing["variant_id"])
    async with market.db.transaction(market.org_id) as session:
        await session.execute(update(Inventory).where(Inventory.variant_id == variant_id).values(on_hand=7))
        await inventory.stock_changed(session, market.org_id, [variant_id])
    await market.settle()
    assert sellable(market, "lazada", (unit.item_id, unit.variant_id)) == 7
    shown = await _listing(owner, listing["id"])
    assert (shown["sync_state"], shown["last_error"]) == ("in_sync", None), shown
    assert shown["price_sync_state"] == "error" and "SalePrice" in shown["price_error"], shown
    alert = await _alert(market, listing["id"])
    assert alert is not None and alert.cleared_at is None
    errors = (await owner.get("/api/listings", params={"sync_state": "error"})).json()["items"]
    assert [x["id"] for x in errors] == [listing["id"]]
    in_sync = (await owner.get("/api/listings", params={"sync_state": "in_sync"})).json()["items"]
    assert listing["id"] not in [x["id"] for x in in_sync]
    page = await owner.get("/listings", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "SalePrice must be lower than Price" in page.text

    # The reconciliation sees the shop's own price: refused, not edited there; nothing adopted.
    [result] = await reconcile(market)
    assert (result["findings"]["refused"], result["findings"]["price"], result["policy_actions"]) == (1, 0, 0)
    [found] = await findings(owner, kind="price", status="open")
    assert (found["cause"], found["status"]) == ("refused", "open") and "SalePrice" in found["detail"]
    adopt = await owner.post(f"/api/reconciliation/findings/{found['id']}/resolve", json={"action": "adopt"})
    assert adopt.status_code == 422 and adopt.json()["errors"][0]["field"] == "action", adopt.text
    async with market.db.transaction(market.org_id) as session:
        master = await session.scalar(
            select(VariantPrice.amount).where(VariantPrice.variant_id == variant_id)
        )
    assert master == refused  # the seller's price change stands

    # A price the platform accepts clears the refusal, the alert and the finding.
    accepted = theirs + theirs // 10
    await _commit_price(market, listing, accepted)
    assert h.price_of(unit.item_id, unit.variant_id) == accepted
    shown = await _listing(owner, listing["id"])
    assert (shown["price_sync_state"], shown["price_error"]) == ("in_sync", None), shown
    alert = await _alert(market, listing["id"])
    assert alert is not None and alert.cleared_at is not None
    await reconcile(market)
    assert await findings(owner, kind="price", status="open") == []
    async with market.db.transaction(market.org_id) as session:
        row = await session.get(Listing, uuid.UUID(listing["id"]))
        assert row is not None and not row.price_dirty
