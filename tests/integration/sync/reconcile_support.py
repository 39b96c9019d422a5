"""What the reconciliation tests share: one shop with linked listings, a run of the schedule's
reconciliation, and the findings as the API lists them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from aiostore.db.models import SyncJob, VariantPrice
from aiostore.domain.market import market as market_of
from aiostore.services.reconciliation import run
from aiostore.worker import runtime
from tests.factories import Caller
from tests.integration.sync.marketplace import Market
from tests.integration.sync.test_propagation import _pull


async def linked_shop(
    market: Market, owner: Caller, platform: str, units: int, on_hand: int = 10
) -> list[Any]:
    """Connect the shop, give its first `units` sellable units master SKUs R-<n> with `on_hand` stock
    and the platform's own price as master price, pull and settle (the link pushes the stock)."""
    await market.connect(platform)
    h = market.shops[platform]
    chosen = h.units()[:units]
    currency = market_of(h.market).currency.value
    for n, unit in enumerate(chosen):
        sku = f"R-{n}"
        h.set_unit(unit.item_id, unit.variant_id, sku=sku, stock=on_hand)
        variant_id = await market.master(sku, on_hand)
        async with market.db.transaction(market.org_id) as session:
            amount = h.price_of(unit.item_id, unit.variant_id)
            session.add(
                VariantPrice(
                    org_id=market.org_id,
                    variant_id=variant_id,
                    market=h.market,
                    currency=currency,
                    amount=amount,
                )
            )
    await _pull(market, owner)
    await market.settle()
    return chosen


async def reconcile(market: Market, *, later: timedelta = timedelta(hours=2)) -> list[dict[str, Any]]:
    """The schedule's tick as if `later` had passed (the worker's own periodic tick may have reconciled
    the shop already), then the queue run to the end; the results of the reconcile jobs this started,
    newest first."""
    started = datetime.now(UTC)
    await run.tick(runtime.current().sync, started + later)
    await market.settle()
    async with market.db.transaction(market.org_id) as session:
        jobs = (
            await session.scalars(
                select(SyncJob)
                .where(SyncJob.kind == "reconcile", SyncJob.created_at >= started)
                .order_by(SyncJob.created_at.desc())
            )
        ).all()
    assert all(j.status == "succeeded" for j in jobs), [(j.status, j.error) for j in jobs]
    return [j.result or {} for j in jobs]


async def findings(owner: Caller, **params: str) -> list[dict[str, Any]]:
    resp = await owner.get("/api/reconciliation/findings", params=params)
    assert resp.status_code == 200, resp.text
    items: list[dict[str, Any]] = resp.json()["items"]
    return items


def listing_id(found: list[dict[str, Any]]) -> uuid.UUID:
    return uuid.UUID(found[0]["listing_id"])
