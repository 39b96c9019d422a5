"""A change queues its shops' pushes in one statement (`push.queue_pushes`): each shop's push gate is held
until the change commits, and a push already waiting for a shop, or being queued by another change
that has not committed yet, takes this change in instead of a second push."""

from __future__ import annotations

import asyncio
import uuid

from sqlalchemy import text

from aiostore.services.sync.push import PUSH_TASK, queue_pushes
from tests.integration.sync.conftest import MarketFactory
from tests.integration.sync.marketplace import Market


async def _waiting(market: Market) -> list[str]:
    async with market.db.engine.connect() as conn:
        rows = await conn.execute(
            text(
                "SELECT queueing_lock, lock, args FROM procrastinate_jobs"
                " WHERE task_name = :task AND status = 'todo' ORDER BY queueing_lock"
            ),
            {"task": PUSH_TASK},
        )
        return [f"{q} {lock} {args['org_id']} {args['channel_id']}" for q, lock, args in rows.all()]


def _push(org_id: uuid.UUID, channel_id: uuid.UUID) -> str:
    return f"push:{channel_id} push_stock:{channel_id} {org_id} {channel_id}"


async def _gates_held(market: Market) -> int:
    """Advisory locks held in share mode by any session (the changes' push gates)."""
    async with market.db.engine.connect() as conn:
        found = await conn.scalar(
            text(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND mode = 'ShareLock' AND granted"
            )
        )
        return int(found or 0)


async def _blocked(market: Market) -> bool:
    async with market.db.engine.connect() as conn:
        return bool(await conn.scalar(text("SELECT count(*) FROM pg_locks WHERE NOT granted")))


async def _start_all(market: Market) -> None:
    """Every waiting job is taken by a worker (it no longer absorbs a change)."""
    async with market.db.engine.connect() as conn:
        await conn.execute(text("UPDATE procrastinate_jobs SET status = 'doing' WHERE status = 'todo'"))
        await conn.commit()


async def test_pushes_to_several_shops_in_one_statement_holding_their_gates(
    make_market: MarketFactory,
) -> None:
    market, _ = await make_market(["shopee", "lazada"])
    shopee, lazada = await market.connect("shopee"), await market.connect("lazada")
    org = market.org_id
    await _start_all(market)

    async with market.db.transaction(org) as session:
        await queue_pushes(session, org, [lazada, shopee, lazada])
        assert await _gates_held(market) == 2  # until the change commits
    assert await _gates_held(market) == 0
    assert await _waiting(market) == sorted([_push(org, shopee), _push(org, lazada)])

    async with market.db.transaction(org) as session:  # both wait already: nothing more is queued
        await queue_pushes(session, org, [shopee, lazada])
        await session.execute(text("SELECT 1"))  # the transaction goes on
    assert await _waiting(market) == sorted([_push(org, shopee), _push(org, lazada)])

    async with market.db.transaction(org) as session:  # nothing to queue: no statement, no gate
        await queue_pushes(session, org, [])
    assert await _waiting(market) == sorted([_push(org, shopee), _push(org, lazada)])


async def test_a_push_queued_meanwhile_by_a_change_not_yet_committed(make_market: MarketFactory) -> None:
    market, _ = await make_market(["shopee", "lazada"])
    shopee, lazada = await market.connect("shopee"), await market.connect("lazada")
    org = market.org_id
    await _start_all(market)

    async with market.db.transaction(org) as first:
        await queue_pushes(first, org, [lazada])  # not committed yet

        async def second() -> None:
            async with market.db.transaction(org) as session:
                await queue_pushes(session, org, [shopee, lazada])

        other = asyncio.create_task(second())
        while not await _blocked(market):  # it waits for the first change's push of Lazada
            done, _ = await asyncio.wait({other}, timeout=0.01)
            assert not done, "the second change did not wait for the first one's push"
    await other  # the first committed: its push of Lazada takes the second change in
    assert await _waiting(market) == sorted([_push(org, shopee), _push(org, lazada)])

    await _start_all(market)
    async with market.db.transaction(org) as first:  # a change that rolls back queues nothing ...
        await queue_pushes(first, org, [lazada])

        async def third() -> None:
            async with market.db.transaction(org) as session:
                await queue_pushes(session, org, [lazada])

        other = asyncio.create_task(third())
        while not await _blocked(market):
            done, _ = await asyncio.wait({other}, timeout=0.01)
            assert not done
        await first.rollback()
    await other  # ... and the change that waited for it queues its own
    assert await _waiting(market) == [_push(org, lazada)]
