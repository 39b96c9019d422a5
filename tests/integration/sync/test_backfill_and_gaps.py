"""Backfills and gap checks on every platform's sandbox: a backfill overlapping what webhooks and pulls
already took creates no duplicate and moves no stock twice; pushes the platform dropped leave holes that
a gap check finds and fills (on demand, or queued when a selling shop's pushes fall silent)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from aiostore.db.models import AuditLog, ChannelAccount, Order, SyncJob
from aiostore.domain.permissions import Role
from aiostore.errors import ValidationFailed
from aiostore.services.context import CLI, OrgContext
from aiostore.services.sync import gaps, jobs, requests, schedule
from tests.integration.sync.conftest import MarketFactory
from tests.integration.sync.intake_support import Shop, assert_exact, open_shop
from tests.integration.sync.marketplace import PLATFORMS, Market


async def _job(market: Market, kind: str, channel_id: uuid.UUID, **params: Any) -> uuid.UUID:
    async with market.db.transaction(market.org_id) as session:
        job = await jobs.create(
            session,
            market.org_id,
            kind,
            channel_account_id=channel_id,
            params=params,
            dry_run=False,
            started_by="user",
        )
        return job.id


async def _done(market: Market, job_id: uuid.UUID) -> SyncJob:
    async with market.db.transaction(market.org_id) as session:
        job = await session.get(SyncJob, job_id)
        assert job is not None and job.status == "succeeded", (job and job.status, job and job.error)
        return job


async def _order_rows(market: Market) -> int:
    async with market.db.transaction(market.org_id) as session:
        return int(await session.scalar(select(func.count()).select_from(Order)) or 0)


def _sell(shop: Shop, count: int) -> list[str]:
    placed = [shop.place(f"INTAKE-{n % 3}", 1 + n % 2) for n in range(count)]
    for order_id in placed[::3]:
        shop.move(order_id, "shipped")
    for order_id in placed[1::5]:
        shop.move(order_id, "cancelled")
    return placed


@pytest.mark.parametrize("platform", PLATFORMS)
async def test_a_backfill_over_a_window_taken_by_webhooks_and_pulls_changes_nothing(
    make_market: MarketFactory, platform: str
) -> None:
    market, owner = await make_market([platform], products=3, variants=1)
    start = datetime.now(UTC) - timedelta(minutes=1)
    shop = await open_shop(market, owner, platform)
    _sell(shop, 9)
    await shop.pull_orders()
    await market.settle()
    await assert_exact(shop)
    rows = await _order_rows(market)
    async with market.db.transaction(market.org_id) as session:
        cursor = (await session.get(ChannelAccount, shop.channel_id)).orders_synced_until  # type: ignore[union-attr]
        ctx = OrgContext(market.org_id, Role.OWNER, CLI)
        until = datetime.now(UTC)
        created = await requests.request_backfill(
            session,
            ctx,
            [shop.channel_id],
            start - timedelta(days=20),
            until,
            dry_run=False,
            started_by="cli",
        )
    await market.settle()
    job = await _done(market, created[0].id)
    assert job.result["orders"] == len(shop.orders) and job.result["created"] == 0 and job.result["backfill"]
    assert await _order_rows(market) == rows
    await assert_exact(shop)
    async with market.db.transaction(market.org_id) as session:
        channel = await session.get(ChannelAccount, shop.channel_id)
        assert channel is not None and channel.orders_synced_until == cursor  # a backfill moves no cursor
        [entry] = (
            await session.scalars(select(AuditLog).where(AuditLog.action == "sync.backfill_requested"))
        ).all()
        assert entry.entity_id == str(job.id)


async def test_a_backfill_window_is_checked(make_market: MarketFactory) -> None:
    market, owner = await make_market(["shopee"], products=3, variants=1)
    channel_id = await market.connect("shopee")
    now = datetime.now(UTC)
    ctx = OrgContext(market.org_id, Role.OWNER, CLI)
    cases = [
        (now, now - timedelta(hours=1), "to", "must be after from"),
        (now - timedelta(hours=1), now + timedelta(days=1), "to", "must not be in the future"),
        (datetime(2026, 1, 1), now, "from", "time zone"),  # noqa: DTZ001  (the bad input)
    ]
    for since, until, field, message in cases:
        async with market.db.transaction(market.org_id) as session:
            with pytest.raises(ValidationFailed) as caught:
                await requests.request_backfill(
                    session, ctx, [channel_id], since, until, dry_run=False, started_by="cli"
                )
        [error] = caught.value.errors
        assert error.field == field and message in error.message
    async with market.db.transaction(market.org_id) as session:
        with pytest.raises(ValidationFailed) as caught:
            await requests.request_backfill(
                session, ctx, [uuid.uuid4()], now - timedelta(hours=1), now, dry_run=False, started_by="cli"
            )
    assert caught.value.errors[0].field == "channel_account_ids.0"


@pytest.mark.parametrize("platform", PLATFORMS)
async def test_a_gap_check_finds_and_fills_the_orders_whose_pushes_were_dropped(
    make_market: MarketFactory, platform: str
) -> None:
    market, owner = await make_market([platform], products=3, variants=1)
    shop = await open_shop(market, owner, platform)
    _sell(shop, 4)
    await market.settle()
    check = await _job(market, gaps.KIND, shop.channel_id)
    await market.settle()
    assert (await _done(market, check)).result["gaps_found"] == 0  # nothing missing: nothing found
    market.shops[platform].set_faults({"push_drop_rate": 1.0})
    dropped = _sell(shop, 5)
    await market.settle()
    assert await _order_rows(market) == 4  # the pushes never came
    check = await _job(market, gaps.KIND, shop.channel_id)
    await market.settle()
    result = (await _done(market, check)).result
    assert result["missing"] == len(dropped) and result["gaps_found"] == result["gaps_filled"] == len(dropped)
    assert sorted(result["order_ids"]) == sorted(dropped)
    await assert_exact(shop)
    async with market.db.transaction(market.org_id) as session:
        [entry] = (
            await session.scalars(select(AuditLog).where(AuditLog.action == "orders.gaps_filled"))
        ).all()
    assert entry.actor_type == "system" and entry.changes["gaps_filled"]["after"] == len(dropped)
    listed = await owner.get("/api/jobs", params={"kind": gaps.KIND})  # what an operator sees
    assert listed.status_code == 200, listed.text
    shown = {j["id"]: j for j in listed.json()["items"]}
    assert shown[str(check)]["result"]["gaps_filled"] == len(dropped)


async def test_a_selling_shop_whose_pushes_fall_silent_gets_a_gap_check(make_market: MarketFactory) -> None:
    market, owner = await make_market(["tiktokshop"], products=3, variants=1)
    shop = await open_shop(market, owner, "tiktokshop")
    _sell(shop, 6)
    await market.settle()
    market.shops["tiktokshop"].set_faults({"push_drop_rate": 1.0})
    dropped = _sell(shop, 3)
    await market.settle()
    sc = market.app.state.sync
    soon = datetime.now(UTC) + timedelta(minutes=5)
    later = datetime.now(UTC) + timedelta(minutes=45)
    async with market.db.transaction(market.org_id) as session:
        channel = await session.get(ChannelAccount, shop.channel_id)
        assert channel is not None
        window = dict(silence=timedelta(minutes=15), expected=3.0)
        # 6 orders in the hour before the last push: 45 silent minutes would have brought 4 or more.
        assert await gaps.silent_since(session, channel, soon, **window) is None  # not silent long enough
        assert await gaps.silent_since(session, channel, later, **window) is not None
        assert (
            await gaps.silent_since(session, channel, later, silence=timedelta(minutes=15), expected=1e9)
            is None
        )
        # The periodic pull is not due at `later` (as if one had just run): the tick's periodic pull would
        # otherwise race the check for the dropped orders, and the check would fill only what it won.
        channel.orders_synced_until = later
    await schedule.tick(sc, now=later)
    async with market.db.transaction(market.org_id) as session:
        [check] = (await session.scalars(select(SyncJob).where(SyncJob.kind == gaps.KIND))).all()
    assert check.params["reason"] == "webhook_silence" and check.started_by == "schedule"
    await market.settle()
    result = (await _done(market, check.id)).result
    assert result["gaps_filled"] == len(dropped) and result["reason"] == "webhook_silence"
    await assert_exact(shop)
    await schedule.tick(sc, now=later)  # that silence was checked: no second check
    async with market.db.transaction(market.org_id) as session:
        checks = (await session.scalars(select(SyncJob).where(SyncJob.kind == gaps.KIND))).all()
    assert len(checks) == 1
