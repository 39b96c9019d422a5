"""A pull whose order list returns only ids and statuses (Shopee, Tokopedia) reads no detail of an order
we hold at the listed status: a second pull of an unchanged window makes no detail call, and a changed
or new order is still read and ingested, by the periodic pull and by a backfill alike."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from aiostore.db.models import InventoryMovement, Order, SyncJob
from aiostore.domain.permissions import Role
from aiostore.services.context import CLI, OrgContext
from aiostore.services.sync import requests
from tests.integration.sync.conftest import MarketFactory
from tests.integration.sync.intake_support import Shop, assert_exact, open_shop

DETAIL = {"shopee": "order/get_order_detail", "tokopedia": "order"}  # Tokopedia's /v2/fs/{fs_id}/order
LIST = {"shopee": "order/get_order_list", "tokopedia": "order/list"}


async def _last_pull(shop: Shop) -> SyncJob:
    market = shop.market
    async with market.db.transaction(market.org_id) as session:
        job = await session.scalar(
            select(SyncJob)
            .where(SyncJob.kind == "pull_orders", SyncJob.channel_account_id == shop.channel_id)
            .where(SyncJob.started_by.in_(("user", "cli")))
            .order_by(SyncJob.created_at.desc())
            .limit(1)
        )
    assert job is not None and job.status == "succeeded", (job and job.status, job and job.error)
    return job


async def _pull(shop: Shop) -> tuple[SyncJob, int]:
    """One periodic-style pull of the shop's orders; (its job, the detail calls it made)."""
    sandbox = shop.market.shops[shop.platform]
    sandbox.reset_calls()
    await shop.pull_orders()
    await shop.market.settle()
    job = await _last_pull(shop)
    assert sandbox.call_count(LIST[shop.platform]) >= 1  # the list was read every time
    return job, sandbox.call_count(DETAIL[shop.platform])


async def _counts(shop: Shop) -> tuple[int, int]:
    """(order rows, stock movements) of the org."""
    market = shop.market
    async with market.db.transaction(market.org_id) as session:
        rows = await session.scalar(select(func.count()).select_from(Order))
        moves = await session.scalar(select(func.count()).select_from(InventoryMovement))
    return int(rows or 0), int(moves or 0)


def _result(job: SyncJob) -> dict[str, int]:
    return {k: job.result[k] for k in ("orders", "created", "updated", "unchanged", "stale")}


@pytest.mark.parametrize("platform", ["shopee", "tokopedia"])
async def test_a_pull_reads_the_detail_only_of_orders_changed_since_we_took_them(
    make_market: MarketFactory, platform: str
) -> None:
    market, owner = await make_market([platform], products=3, variants=1)
    shop = await open_shop(market, owner, platform)
    market.shops[platform].set_faults({"push_drop_rate": 1.0})  # no webhook: the pulls bring every order
    placed = [shop.place(f"INTAKE-{n % 3}", 1) for n in range(6)]
    shop.move(placed[0], "shipped")
    shop.move(placed[1], "cancelled")

    job, details = await _pull(shop)
    assert _result(job) == {"orders": 6, "created": 6, "updated": 0, "unchanged": 0, "stale": 0}
    assert details >= 1
    await assert_exact(shop)
    held = await _counts(shop)

    job, details = await _pull(shop)  # nothing changed: the list alone answers
    assert details == 0
    assert _result(job) == {"orders": 6, "created": 0, "updated": 0, "unchanged": 6, "stale": 0}
    assert (job.progress_done, job.progress_total) == (6, 6)
    assert await _counts(shop) == held
    await assert_exact(shop)

    shop.move(placed[2], "shipped")  # held at to_ship, listed as shipped: read
    new = shop.place("INTAKE-0", 2)  # not held: read
    job, details = await _pull(shop)
    assert details == (1 if platform == "shopee" else 2)  # Shopee reads up to 50 a call, Tokopedia one
    assert _result(job) == {"orders": 7, "created": 1, "updated": 1, "unchanged": 5, "stale": 0}
    assert (job.progress_done, job.progress_total) == (7, 7)
    assert new in shop.orders
    await assert_exact(shop)

    # A backfill of a window the pulls took: the same rule, no duplicate, no stock moved twice, and the
    # order whose status changed since is read.
    shop.move(placed[3], "cancelled")
    rows, _ = await _counts(shop)
    sandbox = market.shops[platform]
    sandbox.reset_calls()
    async with market.db.transaction(market.org_id) as session:
        ctx = OrgContext(market.org_id, Role.OWNER, CLI)
        now = datetime.now(UTC)
        await requests.request_backfill(
            session, ctx, [shop.channel_id], now - timedelta(days=2), now, dry_run=False, started_by="cli"
        )
    await market.settle()
    job = await _last_pull(shop)
    assert job.result["backfill"] and sandbox.call_count(DETAIL[platform]) == 1
    assert _result(job) == {"orders": 7, "created": 0, "updated": 1, "unchanged": 6, "stale": 0}
    assert (await _counts(shop))[0] == rows
    await assert_exact(shop)


async def test_the_same_order_id_held_on_another_shop_is_still_read(make_market: MarketFactory) -> None:
    """The held versions are read per shop: an order id we hold only on another shop is not ours."""
    market, owner = await make_market(["tokopedia", "shopee"], products=3, variants=1)
    shop = await open_shop(market, owner, "tokopedia")
    other = await market.connect("shopee")
    market.shops["tokopedia"].set_faults({"push_drop_rate": 1.0})
    order_id = shop.place("INTAKE-0", 1)
    job, details = await _pull(shop)
    assert details == 1 and job.result["created"] == 1
    async with market.db.transaction(market.org_id) as session:  # the row now belongs to the other shop
        order = await session.scalar(select(Order).where(Order.platform_order_id == order_id))
        assert order is not None
        order.channel_account_id = other
    job, details = await _pull(shop)
    assert details == 1 and (job.result["created"], job.result["unchanged"]) == (1, 0)


async def test_a_platform_status_change_within_one_unified_status_is_read(make_market: MarketFactory) -> None:
    """Shopee's READY_TO_SHIP and PROCESSED are both "to ship": the row's own status tells them apart."""
    market, owner = await make_market(["shopee"], products=3, variants=1)
    shop = await open_shop(market, owner, "shopee")
    market.shops["shopee"].set_faults({"push_drop_rate": 1.0})
    order_id = shop.place("INTAKE-0", 1)
    job, _ = await _pull(shop)
    assert job.result["created"] == 1
    market.shops["shopee"].sandbox.set_order_status(order_id, "PROCESSED", force=True)  # type: ignore[attr-defined]
    job, details = await _pull(shop)
    assert details == 1 and (job.result["updated"], job.result["unchanged"]) == (1, 0)
    async with market.db.transaction(market.org_id) as session:
        order = await session.scalar(select(Order).where(Order.platform_order_id == order_id))
    assert order is not None and (order.status, order.platform_status) == ("to_ship", "PROCESSED")
    await assert_exact(shop)
    job, details = await _pull(shop)
    assert details == 0 and job.result["unchanged"] == 1
