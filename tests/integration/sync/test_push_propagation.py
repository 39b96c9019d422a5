"""Which sales each stock push carried: `listings.sale_pending` until a push takes the stock, then the job's
`sale_at` (the oldest), `sales_carried` and `pushed_at`; the operations report's propagation reads them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from aiostore.connectors.dtos import ItemError, ItemResult
from aiostore.db.models import InventoryMovement, Listing, SyncJob
from aiostore.services import inventory
from aiostore.services.sync import jobs
from aiostore.services.sync.context import ShopConnection, open_channel
from aiostore.services.sync.push import request_pushes
from aiostore.services.sync.push_stock import Targets, _record, plan_stock, push_stock_of
from aiostore.worker import runtime
from tests.integration.sync.conftest import MarketFactory, pair_of
from tests.integration.sync.marketplace import Market
from tests.integration.sync.test_propagation import _link_one_unit, _pull, sellable


async def _pushes(market: Market, channel_id: uuid.UUID) -> list[SyncJob]:
    async with market.db.transaction(market.org_id) as session:
        rows = await session.scalars(
            select(SyncJob)
            .where(SyncJob.kind == "push_stock", SyncJob.channel_account_id == channel_id)
            .order_by(SyncJob.created_at)
        )
        return list(rows.all())


async def _listing(market: Market, channel_id: uuid.UUID) -> Listing:
    async with market.db.transaction(market.org_id) as session:
        found = await session.scalar(
            select(Listing).where(Listing.channel_account_id == channel_id, Listing.variant_id.is_not(None))
        )
        assert found is not None
        return found


async def test_a_push_records_the_sale_it_carried_and_the_report_measures_it(
    make_market: MarketFactory,
) -> None:
    market, owner = await make_market(pair_of("shopee"))
    for p in market.shops:
        await market.connect(p)
    variant_id, units = await _link_one_unit(market, "PROP-1", 10)
    await _pull(market, owner)
    sold_on, other = (market.channel_ids[p] for p in pair_of("shopee"))
    before = {c: len(await _pushes(market, c)) for c in (sold_on, other)}

    market.shops["shopee"].place_order([(*units["shopee"], 2)])
    await market.settle()
    assert all(sellable(market, p, key) == 8 for p, key in units.items())

    async with market.db.transaction(market.org_id) as session:
        sale = await session.scalar(
            select(InventoryMovement.created_at).where(
                InventoryMovement.variant_id == variant_id, InventoryMovement.cause == "order"
            )
        )
    carried = [j for j in (await _pushes(market, other))[before[other] :] if j.sale_at is not None]
    assert len(carried) == 1
    push = carried[0]
    assert (push.sale_at, push.sales_carried, push.status) == (sale, 1, "succeeded")
    assert push.pushed_at is not None and push.finished_at is not None and sale is not None
    assert sale < push.pushed_at <= push.finished_at
    # the shop where it sold is pushed too, but its own sale is not a propagation
    assert all(j.sale_at is None for j in await _pushes(market, sold_on))
    assert (await _listing(market, other)).sale_pending == []

    day = push.pushed_at.date()
    resp = await owner.get(
        "/api/reports/operations", params={"from": str(day - timedelta(days=1)), "to": str(day)}
    )
    assert resp.status_code == 200, resp.text
    shops = {s["shop_id"]: s for s in resp.json()["shops"]}
    seconds = round((push.pushed_at - sale).total_seconds(), 3)
    assert (shops[str(other)]["pushes"], shops[str(other)]["propagation_p50_s"]) == (1, seconds)
    assert shops[str(other)]["propagation_p95_s"] == seconds
    assert (shops[str(sold_on)]["pushes"], shops[str(sold_on)]["propagation_p50_s"]) == (0, None)


@dataclass
class ReadPush:
    """A push of the other shop that has read its listing (one sale pending) and not called yet."""

    market: Market
    variant_id: uuid.UUID
    sold_on: uuid.UUID
    other: uuid.UUID
    shop: ShopConnection
    planned: Targets
    job: SyncJob


async def _read_after_a_sale(make_market: MarketFactory, platform: str, sku: str, at: datetime) -> ReadPush:
    market, owner = await make_market(pair_of(platform))
    for p in market.shops:
        await market.connect(p)
    variant_id, _ = await _link_one_unit(market, sku, 10)
    await _pull(market, owner)
    sold_on, other = (market.channel_ids[p] for p in pair_of(platform))
    sc = runtime.current().sync
    async with sc.tx(market.org_id) as session:
        await inventory.mark_dirty(session, [variant_id], sale=inventory.Sale(at, sold_on))
    shop = await open_channel(sc, market.org_id, other)
    async with sc.tx(market.org_id) as session:
        planned = await plan_stock(session, shop, None)
        job = await jobs.create(
            session,
            market.org_id,
            "push_stock",
            channel_account_id=other,
            dry_run=False,
            started_by="system",
            defer_now=False,
        )
    return ReadPush(market, variant_id, sold_on, other, shop, planned, job)


async def _job(push: ReadPush) -> SyncJob:
    async with push.market.db.transaction(push.market.org_id) as session:
        return await jobs.get_job(session, push.job.id)


async def test_a_sale_noted_while_a_push_is_in_flight_waits_for_the_next_push(
    make_market: MarketFactory,
) -> None:
    first, second = datetime(2026, 12, 1, 3, tzinfo=UTC), datetime(2026, 12, 1, 3, 0, 2, tzinfo=UTC)
    push = await _read_after_a_sale(make_market, "tiktokshop", "PROP-2", first)
    market, sc = push.market, runtime.current().sync
    async with sc.tx(market.org_id) as session:  # a second sale is recorded while the call is out
        shops = await inventory.mark_dirty(
            session, [push.variant_id], sale=inventory.Sale(second, push.sold_on)
        )
        await request_pushes(session, market.org_id, shops)  # as a sale asks for its pushes
    summary, retryable = await push_stock_of(sc, push.job, push.shop, None, push.planned)
    assert (summary, retryable.count) == ({"listings": 1, "failed": 0}, 0)

    listing = await _listing(market, push.other)
    assert listing.stock_dirty and listing.sale_pending == [second]  # not carried: still pending
    done = await _job(push)
    assert (done.sale_at, done.sales_carried) == (first, 1)

    await market.settle()  # the push the second sale asked for carries it
    latest = [j for j in await _pushes(market, push.other) if j.sale_at is not None][-1]
    assert (latest.sale_at, latest.sales_carried) == (second, 1)
    listing = await _listing(market, push.other)
    assert not listing.stock_dirty and listing.sale_pending == []


async def test_a_refused_stock_drops_the_pending_sales_without_counting_them(
    make_market: MarketFactory,
) -> None:
    push = await _read_after_a_sale(make_market, "lazada", "PROP-3", datetime.now(UTC))
    # what the platform answered: a refusal a retry would not change
    (key,) = push.planned
    refused = ItemResult(*key, ok=False, error=ItemError("InvalidRequest", "item banned", retryable=False))
    async with push.market.db.transaction(push.market.org_id) as session:
        await _record(session, push.job, push.planned, [refused], datetime.now(UTC))
    listing = await _listing(push.market, push.other)
    assert (listing.stock_dirty, listing.sale_pending, listing.sync_state) == (False, [], "error")
    done = await _job(push)
    assert (done.sale_at, done.sales_carried, done.pushed_at) == (None, None, None)
