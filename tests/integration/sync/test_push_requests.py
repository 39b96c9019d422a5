"""A change's pushes to several shops are deferred in one statement (`queue.defer_each`); when a push of
one of those shops was queued since the change looked (another change committed it meanwhile), the
statement is refused under its savepoint and each push is deferred on its own: the one already waiting
absorbs this change, the others are queued, and the change's transaction goes on and commits."""

from __future__ import annotations

import uuid

from sqlalchemy import text

from aiostore.services.sync.push import PUSH_TASK
from aiostore.services.sync.queue import defer_each
from tests.integration.sync.conftest import MarketFactory
from tests.integration.sync.marketplace import Market


def _push(org_id: uuid.UUID, channel_id: uuid.UUID) -> tuple[dict[str, str], dict[str, str]]:
    return (
        {"queueing_lock": f"push:{channel_id}", "lock": f"push_stock:{channel_id}"},
        {"org_id": str(org_id), "channel_id": str(channel_id)},
    )


async def _waiting(market: Market) -> list[str]:
    async with market.db.engine.connect() as conn:
        rows = await conn.execute(
            text("SELECT queueing_lock FROM procrastinate_jobs WHERE task_name = :task AND status = 'todo'"),
            {"task": PUSH_TASK},
        )
        return sorted(str(r[0]) for r in rows.all())


async def test_pushes_to_several_shops_and_one_queued_meanwhile(make_market: MarketFactory) -> None:
    market, _ = await make_market(["shopee", "lazada"])
    shopee, lazada = await market.connect("shopee"), await market.connect("lazada")
    org = market.org_id
    before = await _waiting(market)

    async with market.db.transaction(org) as session:  # both shops' pushes, one statement
        await defer_each(session, PUSH_TASK, [_push(org, shopee), _push(org, lazada)])
    assert sorted(set(await _waiting(market)) - set(before)) == sorted([f"push:{shopee}", f"push:{lazada}"])

    async with market.db.engine.connect() as conn:  # both run: nothing waits any more
        await conn.execute(text("UPDATE procrastinate_jobs SET status = 'doing' WHERE status = 'todo'"))
        await conn.commit()
    async with market.db.transaction(org) as other:  # another change queues Lazada's push and commits
        await defer_each(other, PUSH_TASK, [_push(org, lazada)])
    async with market.db.transaction(org) as session:  # this one asks for both, as it looked before
        await defer_each(session, PUSH_TASK, [_push(org, shopee), _push(org, lazada)])
        await session.execute(text("SELECT 1"))  # its transaction is still usable after the refusal
    assert await _waiting(market) == sorted([f"push:{shopee}", f"push:{lazada}"])  # one each
