"""Each rule kind raises its alert when its condition holds and clears it when it stops; an alert that
stays true is raised (and notified) once, and again only after it cleared."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from aiostore.db.models import AlertState, ChannelAccount, Inventory, Listing, Order, SyncJob
from aiostore.db.session import Database
from aiostore.services.alerts import evaluate
from aiostore.settings import Settings
from tests.factories import Caller
from tests.integration.alerts.support import (
    count_notifications,
    days_ago,
    make_job,
    make_listing,
    make_order,
    make_shop,
    make_variant,
)


async def _evaluate(db: Database, org_id: uuid.UUID, settings: Settings) -> evaluate.Outcome:
    async with db.transaction(org_id) as session:
        return await evaluate.evaluate_org(session, org_id, settings)


async def _open(db: Database, org_id: uuid.UUID, kind: str) -> list[AlertState]:
    async with db.transaction(org_id) as s:
        found = await s.scalars(
            select(AlertState).where(AlertState.kind == kind, AlertState.cleared_at.is_(None))
        )
        return list(found.all())


async def _set(db: Database, org_id: uuid.UUID, model: type, row_id: uuid.UUID, **values: object) -> None:
    async with db.transaction(org_id) as s:
        await s.execute(update(model).where(model.id == row_id).values(**values))  # type: ignore[attr-defined]


async def test_low_cover_raises_under_n_days_and_clears(
    db: Database, owner: Caller, test_settings: Settings
) -> None:
    shop = await make_shop(db, owner.org_id)
    variant = await make_variant(db, owner.org_id, "KAOS-M", on_hand=10)
    for day in range(28):  # one unit a day: 10 days of cover, over the default 7
        await make_order(db, shop, placed_at=days_ago(day + 0.5), variant_id=variant)
    await make_order(db, shop, placed_at=days_ago(40), variant_id=variant, quantity=500)  # outside the window
    await make_order(db, shop, placed_at=days_ago(1), variant_id=variant, quantity=500, status="cancelled")
    assert (await _evaluate(db, owner.org_id, test_settings)).raised["low_cover"] == 0
    await make_order(db, shop, placed_at=days_ago(2), variant_id=variant, quantity=28)  # 2 a day: 5 days
    outcome = await _evaluate(db, owner.org_id, test_settings)
    assert outcome.raised["low_cover"] == 1
    [state] = await _open(db, owner.org_id, "low_cover")
    assert state.subject == {"sku": "KAOS-M", "available": 10, "days": 5.0}
    async with db.transaction(owner.org_id) as s:
        await s.execute(update(Inventory).where(Inventory.variant_id == variant).values(on_hand=100))
    outcome = await _evaluate(db, owner.org_id, test_settings)
    assert outcome.cleared["low_cover"] == 1
    assert await _open(db, owner.org_id, "low_cover") == []


async def test_oversold_order_raises_and_clears_when_shipped(
    db: Database, owner: Caller, test_settings: Settings
) -> None:
    shop = await make_shop(db, owner.org_id, name="Toko Laris")
    order = await make_order(db, shop, placed_at=days_ago(0), status="to_ship", oversold=True)
    await make_order(db, shop, placed_at=days_ago(0), status="completed", oversold=True)  # done: no alert
    assert (await _evaluate(db, owner.org_id, test_settings)).raised["oversold"] == 1
    [state] = await _open(db, owner.org_id, "oversold")
    assert state.subject["shop"] == "Toko Laris" and state.subject["order"].startswith("SO-")
    await _set(db, owner.org_id, Order, order, status="shipped")
    assert (await _evaluate(db, owner.org_id, test_settings)).cleared["oversold"] == 1


async def test_token_expiry_within_seven_days_expired_refused_or_failing(
    db: Database, owner: Caller, test_settings: Settings
) -> None:
    now = datetime.now(UTC)
    soon = await make_shop(db, owner.org_id, name="A", refresh_expires_at=now + timedelta(days=3))
    await make_shop(db, owner.org_id, name="B", refresh_expires_at=now + timedelta(days=30))
    await make_shop(db, owner.org_id, name="C", refresh_expires_at=now - timedelta(days=1))
    await make_shop(db, owner.org_id, name="D", status="needs_reauth")
    await make_shop(db, owner.org_id, name="E", status="disconnected", refresh_expires_at=now)
    later = now + timedelta(days=30)
    await make_shop(db, owner.org_id, name="F", refresh_expires_at=later, refresh_failures=2)
    # The platform announced an earlier end (Lazada's expiry push) than the refresh token's.
    await make_shop(
        db, owner.org_id, name="G", refresh_expires_at=later, authorization_expires_at=now + timedelta(days=2)
    )
    assert (await _evaluate(db, owner.org_id, test_settings)).raised["token_expiry"] == 5
    states = {s.subject["shop"]: s.subject["state"] for s in await _open(db, owner.org_id, "token_expiry")}
    assert states == {
        "A": "expiring",
        "C": "expired",
        "D": "refused",
        "F": "refresh_failing",
        "G": "expiring",
    }
    await _set(db, owner.org_id, ChannelAccount, soon.channel_id, refresh_expires_at=now + timedelta(days=60))
    assert (await _evaluate(db, owner.org_id, test_settings)).cleared["token_expiry"] == 1


async def test_dead_lettered_job_raises_and_clears_when_retried(
    db: Database, owner: Caller, test_settings: Settings
) -> None:
    shop = await make_shop(db, owner.org_id)
    job = await make_job(db, shop, "failed")
    await make_job(db, shop, "failed", finished_at=days_ago(3))  # older than the rule's 24 hours
    await make_job(db, shop, "succeeded")
    assert (await _evaluate(db, owner.org_id, test_settings)).raised["job_failed"] == 1
    [state] = await _open(db, owner.org_id, "job_failed")
    assert state.subject_key == str(job) and state.subject["job_kind"] == "pull_orders"
    await _set(db, owner.org_id, SyncJob, job, status="queued")
    assert (await _evaluate(db, owner.org_id, test_settings)).cleared["job_failed"] == 1


async def test_rejected_listing_raises_and_clears(
    db: Database, owner: Caller, test_settings: Settings
) -> None:
    shop = await make_shop(db, owner.org_id)
    refused = await make_listing(db, shop, "SKU-R", sync_state="error", last_error="Budi's phone 0812")
    await make_listing(db, shop, "SKU-B", status="banned")
    await make_listing(db, shop, "SKU-OK")
    assert (await _evaluate(db, owner.org_id, test_settings)).raised["listing_rejected"] == 2
    subjects = [s.subject for s in await _open(db, owner.org_id, "listing_rejected")]
    assert sorted(s["sku"] for s in subjects) == ["SKU-B", "SKU-R"]
    assert all("0812" not in str(s) for s in subjects)  # a free-text error never reaches an alert
    await _set(db, owner.org_id, Listing, refused, sync_state="in_sync")
    assert (await _evaluate(db, owner.org_id, test_settings)).cleared["listing_rejected"] == 1


async def test_stock_drift_seen_by_a_pull_raises_and_clears(
    db: Database, owner: Caller, test_settings: Settings
) -> None:
    shop = await make_shop(db, owner.org_id)
    drifted = await make_listing(db, shop, "SKU-D", pushed_stock=5, platform_stock=3)
    await make_listing(db, shop, "SKU-P", pushed_stock=5, platform_stock=3, stock_dirty=True)  # push pending
    await make_listing(db, shop, "SKU-N", platform_stock=3)  # never pushed
    await make_listing(db, shop, "SKU-S", pushed_stock=4, platform_stock=4)
    assert (await _evaluate(db, owner.org_id, test_settings)).raised["stock_drift"] == 1
    [state] = await _open(db, owner.org_id, "stock_drift")
    assert (state.subject["platform_stock"], state.subject["pushed_stock"]) == (3, 5)
    await _set(db, owner.org_id, Listing, drifted, platform_stock=5)
    assert (await _evaluate(db, owner.org_id, test_settings)).cleared["stock_drift"] == 1


async def test_quiet_shop_raises_after_an_unusual_silence_and_clears_on_an_order(
    db: Database, owner: Caller, test_settings: Settings
) -> None:
    busy = await make_shop(db, owner.org_id, name="Sepi")
    now = datetime.now(UTC)
    for hour in range(12):  # an order every hour, the last 29 hours ago: 3 × 1 h < 6 h minimum < 29 h
        await make_order(db, busy, placed_at=now - timedelta(hours=29 + hour))
    rare = await make_shop(db, owner.org_id, name="Jarang")
    for hour in range(3):  # too few orders to call it a shop that normally sells
        await make_order(db, rare, placed_at=now - timedelta(hours=50 + hour))
    assert (await _evaluate(db, owner.org_id, test_settings)).raised["quiet_shop"] == 1
    [state] = await _open(db, owner.org_id, "quiet_shop")
    assert state.subject["shop"] == "Sepi" and state.subject["hours"] == 29
    await make_order(db, busy, placed_at=now)
    assert (await _evaluate(db, owner.org_id, test_settings)).cleared["quiet_shop"] == 1


async def test_an_alert_that_stays_true_is_notified_once_until_it_clears(
    db: Database, owner: Caller, test_settings: Settings
) -> None:
    shop = await make_shop(db, owner.org_id)
    order = await make_order(db, shop, placed_at=days_ago(0), status="to_ship", oversold=True)
    for _ in range(3):
        await _evaluate(db, owner.org_id, test_settings)
    assert await count_notifications(db, owner.org_id) == 1
    [state] = await _open(db, owner.org_id, "oversold")
    first_seen = state.first_seen
    await _set(db, owner.org_id, Order, order, status="shipped")
    await _evaluate(db, owner.org_id, test_settings)
    await _set(db, owner.org_id, Order, order, status="to_ship")
    outcome = await _evaluate(db, owner.org_id, test_settings)
    assert outcome.raised["oversold"] == 1
    assert await count_notifications(db, owner.org_id) == 2
    [again] = await _open(db, owner.org_id, "oversold")
    assert again.id == state.id and again.first_seen == first_seen and again.raised_at > state.raised_at


async def test_a_disabled_rule_clears_its_alerts_and_raises_none(
    db: Database, owner: Caller, test_settings: Settings
) -> None:
    shop = await make_shop(db, owner.org_id)
    await make_order(db, shop, placed_at=days_ago(0), status="to_ship", oversold=True)
    await _evaluate(db, owner.org_id, test_settings)
    resp = await owner.put("/api/alerts/rules/oversold", json={"enabled": False})
    assert resp.status_code == 200 and resp.json()["enabled"] is False
    outcome = await _evaluate(db, owner.org_id, test_settings)
    assert outcome.cleared["oversold"] == 1 and "oversold" not in outcome.raised
    assert await _open(db, owner.org_id, "oversold") == []
