"""Pushes: per shop, the stock and the committed prices of its dirty listings, in the platform's largest
batches.

Every change of a variant's available quantity (a sale, a set or adjusted stock, a changed safety
buffer, a listing linked to a variant, an import) marks the listings concerned stock-dirty and asks for
one push per affected shop in the same transaction (`inventory.stock_changed`, or `request_pushes`
after `inventory.mark_dirty` for sales). A committed price change marks listings price-dirty through
`mark_prices_dirty`, the only writer of that flag. The push task carries a queueing lock per shop:
while one waits in the queue, further requests join it, so a burst costs one batched call per shop and
kind, not one per change. It reads the state when it runs, so it always sends the latest values; a
per-shop advisory lock (the push gate, below) makes it wait for the changes that joined it to commit
first. Stock and prices travel in separate platform calls: a stock call never carries a price.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import exists, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from aiostore.db import bulk
from aiostore.db.models import Listing, SyncJob
from aiostore.errors import AppError
from aiostore.http.shared import autocommit
from aiostore.services.reconciliation import readback
from aiostore.services.sync import jobs, recovery
from aiostore.services.sync.context import ShopConnection, SyncContext, open_channel
from aiostore.services.sync.pacing import PACER
from aiostore.services.sync.push_items import Passing, requests_of
from aiostore.services.sync.push_prices import push_prices_of
from aiostore.services.sync.push_stock import Targets, plan_rows, push_stock_of, read_dirty
from aiostore.services.sync.runner import Handler, claim, execute, handler, succeed_in

PUSH_TASK = "sync.push_stock"
PUSH_QUEUE = "push"  # the push task's queue (worker/tasks/sync.py declares the task on it)
_GATE_KEY = "hashtextextended('push:' || {}, 0)"  # a shop's push gate: its advisory lock key, from its id
DIRTY = or_(Listing.stock_dirty.is_(True), Listing.price_dirty.is_(True))


async def request_pushes(
    session: AsyncSession, org_id: uuid.UUID, channel_ids: Iterable[uuid.UUID] | None = None
) -> list[uuid.UUID]:
    """Queue one (coalesced) push for each shop with dirty listings (of `channel_ids`, or of the org), in
    the caller's transaction. A caller that has just marked listings dirty knows their shops: it calls
    `queue_pushes` with them, one statement fewer."""
    stmt = select(Listing.channel_account_id).where(DIRTY).distinct()
    if channel_ids is not None:
        wanted = sorted(set(channel_ids))
        if not wanted:
            return []
        stmt = stmt.where(Listing.channel_account_id.in_(wanted))
    shops = list((await session.scalars(stmt)).all())
    await queue_pushes(session, org_id, shops)
    return sorted(shops)


# Each shop's push gate held (shared, until the transaction ends), then its push queued unless one is
# waiting under its queueing lock: procrastinate's unique index of waiting queueing locks turns the
# insert into nothing (a push still waiting reads this change when it runs: it passes the gate when it
# starts, so it waits for this transaction). All the gates first (the sort reads every row before the
# first insert), in the shops' order. An insert meeting another transaction's uncommitted push of the
# same shop waits for it to end: every change queues its shops in id order, so two changes never wait
# for each other in a circle. The row is what procrastinate's `defer` writes (procrastinate_defer_jobs_v1)
# for the push task, and its triggers run (the NOTIFY that wakes a worker, the `deferred` event): one
# statement where a change once took five (the gates, a look for waiting pushes, and a deferral in a
# savepoint against a refusal).
_QUEUE = text(
    f"""WITH gates AS MATERIALIZED (
        SELECT s, n, pg_advisory_xact_lock_shared({_GATE_KEY.format("s")}) AS held
        FROM unnest(CAST(:shops AS text[])) WITH ORDINALITY AS shops(s, n))
    INSERT INTO procrastinate_jobs (queue_name, task_name, lock, queueing_lock, args)
    SELECT :queue, :task, '{jobs.PUSH_LOCK}' || s, '{jobs.PUSH_QUEUEING_LOCK}' || s,
           jsonb_build_object('org_id', CAST(:org AS text), 'channel_id', s)
    FROM gates ORDER BY n
    ON CONFLICT (queueing_lock) WHERE status = 'todo' DO NOTHING"""  # noqa: S608
)


async def queue_pushes(session: AsyncSession, org_id: uuid.UUID, channel_ids: Iterable[uuid.UUID]) -> None:
    """One push for each of these shops, whose listings the caller's transaction has marked dirty (or
    joined to the push already waiting for the shop): one statement, see `_QUEUE`.

    The gate: a change holds its shops' gates from its push requests to its commit; a push passes the
    gate (`pass_push_gate`) before it first looks for dirty listings. The queueing lock lets a change
    join a push that is still waiting, before the change commits; without the gate that push could
    start, find nothing dirty and end, and the change's listings would stay dirty with no push left to
    send them (a lost wake-up). With it, the push waits for every change that joined it. Changes share
    the gate, so they never wait for each other."""
    shops = sorted({str(c) for c in channel_ids})
    if shops:
        await session.execute(
            _QUEUE, {"queue": PUSH_QUEUE, "task": PUSH_TASK, "org": str(org_id), "shops": shops}
        )


async def mark_prices_dirty(
    session: AsyncSession, org_id: uuid.UUID, listing_ids: Iterable[uuid.UUID]
) -> None:
    """A committed price change: these listings' prices must reach their shops; asks for the pushes.

    The only writer of `price_dirty`. Listings are locked in id order, FOR NO KEY UPDATE, as sales lock
    them (services/inventory.mark_dirty), so concurrent commits, sales and pushes cannot deadlock.
    """
    ids = sorted(set(listing_ids))
    if not ids:
        return
    locked = (
        select(Listing.id)
        .where(bulk.among(Listing.id, ids))
        .order_by(Listing.id)
        .with_for_update(key_share=True)
    )
    shops = (
        await session.execute(
            update(Listing)
            .where(Listing.id.in_(locked.scalar_subquery()))
            .values(
                price_dirty=True, price_dirty_at=datetime.now(UTC), price_version=Listing.price_version + 1
            )
            .returning(Listing.channel_account_id)
            .execution_options(synchronize_session=False)
        )
    ).scalars()
    await queue_pushes(session, org_id, shops)


_PASS = text(f"SELECT pg_advisory_xact_lock({_GATE_KEY.format('CAST(:shop AS text)')})")  # noqa: S608


async def pass_push_gate(engine: AsyncEngine, channel_id: uuid.UUID) -> None:
    """Wait until every change that holds the shop's push gate has committed, holding nothing after.

    One statement in a transaction of its own: the gate is taken exclusively and let go at once. A push
    passes it once, when its queue job has started: from then on no change can join that job (a change
    joins only a push still waiting in the queue, and defers a push of its own otherwise), so the
    changes it must wait for are exactly those holding the gate at that moment. Holding the gate while
    it read and planned (as it once did) made every sale to the shop wait for that read as well: a sale
    asking for a shared gate queues behind a waiting exclusive one.
    """
    async with autocommit(engine).connect() as conn:
        await conn.execute(_PASS, {"shop": str(channel_id)})


@dataclass
class _Round:
    """What a push round found when it closed its job in its last transaction: whether the shop still
    has dirty listings (None: not looked, e.g. the round sent prices too, or failed)."""

    dirty_left: bool | None = None


async def start_push(
    sc: SyncContext,
    org_id: uuid.UUID,
    channel_id: uuid.UUID,
    *,
    rounds: int = 5,
    queue_job_id: int | None = None,
    run_before: bool = True,
) -> str | None:
    """The push task: a visible job for this shop's dirty listings, run now; again while changes that
    came in meanwhile left listings dirty (up to `rounds`), so a burst's tail needs no new job.

    The first round passes the push gate (`pass_push_gate`). Each round reads what it sends in one
    transaction (the shop, its dirty listings' stock, whether a price is pending) and creates its job
    there, so the platform call follows after one transaction, not four; prices are looked at only when
    one is pending. After the call one transaction records the outcome, asks for the read-back, closes
    the job and looks whether anything is still dirty: nothing, and the task ends there (a change
    committed later asked for a push of its own, which waits in the queue behind this one).

    Its jobs name the push task's queue job (`queue_job_id`); an attempt run again after its worker died
    first cancels the job its dead attempt left running (services/sync/recovery.py). A queue job never
    run before (`run_before` False: procrastinate counts no attempt) has no such job to look for."""
    status: str | None = None
    for n in range(rounds):
        await PACER.wait(channel_id, sc.db.engine)  # the quota's next slot, then read: the call carries all
        if n == 0:  # later rounds read changes that committed, or asked for a push of their own
            await pass_push_gate(sc.db.engine, channel_id)
        async with sc.tx(org_id) as session:
            if n == 0 and queue_job_id is not None and run_before:
                await recovery.close_earlier_attempt(session, queue_job_id)
            dirty = await read_dirty(session, channel_id)
            stock, prices = dirty.rows, dirty.prices
            if not stock and not prices:
                return status
            try:
                shop: ShopConnection | None = await open_channel(sc, org_id, channel_id, session)
            except AppError:  # gone or disconnected: the job's handler fails with the reason
                shop = None
            planned = await plan_rows(session, shop, stock, dirty.terms) if shop is not None and stock else {}
            job = await jobs.create(
                session,
                org_id,
                "push_stock",
                channel_account_id=channel_id,
                dry_run=sc.dry_run,
                started_by="system",
                defer_now=False,
            )
            job.queue_job_id = queue_job_id
            claim(sc, job)  # it runs right here, now
        found = _Round()
        handle = None if shop is None else _round(shop, planned, prices=prices, found=found)
        status = await execute(sc, org_id, job, handle)
        if status != jobs.SUCCEEDED or found.dirty_left is False:
            return status  # a retry is scheduled (the job failed), or nothing is left to send
    return status


def _round(shop: ShopConnection, planned: Targets, *, prices: bool, found: _Round) -> Handler:
    async def run(sc: SyncContext, job: SyncJob) -> dict[str, Any]:
        return await _push(sc, job, None, prices=prices, shop=shop, planned=planned, found=found)

    return run


async def _push(
    sc: SyncContext,
    job: SyncJob,
    listing_ids: list[uuid.UUID] | None,
    *,
    prices: bool,
    shop: ShopConnection | None = None,
    planned: Targets | None = None,
    found: _Round | None = None,
) -> dict[str, Any]:
    """Stock of the dirty (or chosen) listings, then, when asked, their pending committed prices.

    Without prices, the transaction that records the stock's outcome also asks for the read-back and
    closes the job (and tells a push round, `found`, whether the shop has dirty listings left)."""
    assert job.channel_account_id is not None  # noqa: S101
    if shop is None:
        async with sc.tx(job.org_id) as session:
            shop = await open_channel(sc, job.org_id, job.channel_account_id, session)
    connection = shop
    written = readback.Written()
    closed: list[dict[str, Any]] = []

    async def close(session: AsyncSession, result: dict[str, Any], retryable: Passing) -> None:
        result = dict(result)
        await _request_readback(sc, session, job, connection.channel.id, written, result)
        if retryable.count:
            return  # raised below, after the commit
        # whether the shop has dirty listings left, asked in the statement that closes the job
        left = exists().where(Listing.channel_account_id == connection.channel.id, DIRTY)
        done = await succeed_in(session, job.id, result | _calls(connection), also=left)
        if done is not None:
            closed.append(done[0])
            if found is not None:
                found.dirty_left = bool(done[1])

    stock, retryable = await push_stock_of(
        sc, job, shop, listing_ids, planned, written, then=None if prices else close
    )
    if closed:
        return closed[0]
    result: dict[str, Any] = dict(stock)
    if prices:
        result["prices"], price_retryable = await push_prices_of(sc, job, shop, listing_ids, written)
        retryable += price_retryable
        async with sc.tx(job.org_id) as session:
            await _request_readback(sc, session, job, shop.channel.id, written, result)
    if retryable.count:
        raise retryable.error(shop.channel.platform)
    return result | _calls(shop)


def _calls(shop: ShopConnection) -> dict[str, Any]:
    return {"api_calls": shop.connector.api_calls, "dry_run_requests": requests_of(shop.records)}


async def _request_readback(
    sc: SyncContext,
    session: AsyncSession,
    job: SyncJob,
    channel_id: uuid.UUID,
    written: readback.Written,
    result: dict[str, Any],
) -> None:
    """Read back by a job of its own: the shop's next push does not wait for reads."""
    if written.items() and readback.enabled(sc.settings):
        readback_job = await readback.request(session, sc.settings, job.org_id, channel_id, job.id, written)
        result["readback_job"] = str(readback_job)


@handler("push_stock")
async def push_stock(sc: SyncContext, job: SyncJob) -> dict[str, Any]:
    """The shop's coalesced push: every stock-dirty listing's stock and every price-dirty one's price."""
    return await _push(sc, job, None, prices=True)


@handler("push_listings")
async def push_listings(sc: SyncContext, job: SyncJob) -> dict[str, Any]:
    """Chosen listings' stock (POST /api/sync/push); with `prices`, also the prices that committed
    changes left pending for them. A price nobody committed is never sent."""
    ids = [uuid.UUID(i) for i in job.params.get("listing_ids", [])]
    return await _push(sc, job, ids, prices=bool(job.params.get("prices")))
