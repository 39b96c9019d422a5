"""The evaluator runs on the real job queue: every minute over every organisation with a shop, and at
once when an order is found oversold or a job is dead-lettered (queued in that very transaction)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from aiostore.db.engine import DatabaseURLs
from aiostore.db.models import Order, OrderLine, SyncJob
from aiostore.db.session import Database
from aiostore.services import inventory
from aiostore.services.sync import jobs
from aiostore.settings import Settings
from aiostore.worker.app import configure
from aiostore.worker.tasks.alerts import evaluate_all
from tests.factories import Caller
from tests.integration.alerts.support import (
    count_notifications,
    days_ago,
    make_job,
    make_order,
    make_shop,
    make_variant,
    queued,
    run_alert_jobs,
)


async def test_a_dead_lettered_job_queues_an_evaluation_at_once(
    urls: DatabaseURLs, db: Database, test_settings: Settings, owner: Caller
) -> None:
    shop = await make_shop(db, owner.org_id)
    job_id = await make_job(db, shop, "running")
    for round_ in range(2):  # the second failure finds the first evaluation waiting: one job for both
        async with db.transaction(owner.org_id) as session:
            job = await session.get(SyncJob, job_id)
            assert job is not None
            job.attempts, job.max_attempts = 5, 5
            assert await jobs.schedule_retry(session, job, error="boom", retry_after=None) is False
        assert await queued(db, "alerts.evaluate_org") == 1, round_
    assert await count_notifications(db, owner.org_id) == 0
    await run_alert_jobs(urls, db, test_settings)
    assert await count_notifications(db, owner.org_id) == 1
    assert (await owner.get("/api/notifications")).json()["items"][0]["kind"] == "job_failed"


async def test_an_oversold_order_queues_an_evaluation_at_once(
    urls: DatabaseURLs, db: Database, test_settings: Settings, owner: Caller
) -> None:
    shop = await make_shop(db, owner.org_id)
    variant = await make_variant(db, owner.org_id, "LAST-ONE", on_hand=0)
    order_id = await make_order(db, shop, placed_at=days_ago(0), variant_id=variant, status="to_ship")
    rolled_back = False
    try:
        async with db.transaction(owner.org_id) as session:
            order = await session.get(Order, order_id)
            assert order is not None
            lines = list(
                (await session.scalars(select(OrderLine).where(OrderLine.order_id == order_id))).all()
            )
            await inventory.apply_order_status(session, owner.org_id, order, lines)
            assert order.oversold
            raise RuntimeError("roll back")
    except RuntimeError:
        rolled_back = True
    assert rolled_back and await queued(db, "alerts.evaluate_org") == 0  # no job for a rollback
    async with db.transaction(owner.org_id) as session:
        order = await session.get(Order, order_id)
        assert order is not None
        lines = list((await session.scalars(select(OrderLine).where(OrderLine.order_id == order_id))).all())
        await inventory.apply_order_status(session, owner.org_id, order, lines)
    assert await queued(db, "alerts.evaluate_org") == 1
    await run_alert_jobs(urls, db, test_settings)
    items = (await owner.get("/api/notifications")).json()["items"]
    assert sorted(i["kind"] for i in items) == ["low_cover", "oversold"]  # and nothing left of LAST-ONE


async def test_the_periodic_task_evaluates_every_organisation_with_a_shop(
    urls: DatabaseURLs, db: Database, test_settings: Settings, owner: Caller, other_org: Caller
) -> None:
    for caller in (owner, other_org):
        shop = await make_shop(db, caller.org_id)
        await make_order(db, shop, placed_at=days_ago(0), status="unpaid", oversold=True)
    queue = configure(urls)
    async with queue.open_async():
        await evaluate_all.defer_async(timestamp=int(datetime.now(UTC).timestamp()))
    await run_alert_jobs(urls, db, test_settings)
    assert await count_notifications(db, owner.org_id) == 1
    assert await count_notifications(db, other_org.org_id) == 1
    assert [i["kind"] for i in (await other_org.get("/api/notifications")).json()["items"]] == ["oversold"]
