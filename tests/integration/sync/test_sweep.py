"""The sweep: a push that was dead-lettered leaves the shop's listings dirty; the sweep requests a new
push for it once the listings have been dirty longer than the threshold, and only when no push is on
its way."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from aiostore.db.models import Listing
from aiostore.http.client import HttpPolicy
from aiostore.http.shared import SharedBreakers
from aiostore.services.sync.sweep import sweep
from aiostore.worker import runtime
from tests.integration.sync.conftest import MarketFactory, pair_of
from tests.integration.sync.test_propagation import _link_one_unit, _pull, sellable


async def test_sweep_delivers_a_dead_lettered_push(make_market: MarketFactory) -> None:
    market, owner = await make_market(pair_of("shopee"), settings_changes={"breaker_recovery_seconds": 0.2})
    # the shared breaker opens during the failures; a short recovery lets the sweep's push probe it
    connectors = market.app.state.connectors
    breakers = SharedBreakers(market.db.engine, recovery_seconds=0.2, refresh_seconds=0)
    policy = HttpPolicy(retry=connectors.policy.retry, limiters=connectors.policy.limiters, breakers=breakers)
    market.app.state.connectors = type(connectors)(market.settings, connectors.http, policy)
    runtime.install(runtime.make(market.settings, market.db, market.app.state.connectors))
    for p in market.shops:
        await market.connect(p)
    _, units = await _link_one_unit(market, "SWEEP-1", 10)
    await _pull(market, owner)
    other = pair_of("shopee")[1]
    market.shops[other].set_faults({"error_rate": 1.0, "seed": 1})
    market.shops["shopee"].place_order([(*units["shopee"], 1)])
    await market.settle()
    failed = (await owner.get("/api/jobs", params={"status": "failed", "kind": "push_stock"})).json()["items"]
    assert len(failed) == 1  # dead-lettered: every attempt failed
    assert sellable(market, other, units[other]) == 10
    async with market.db.transaction(market.org_id) as session:
        dirty = (await session.scalars(select(Listing.channel_account_id).where(Listing.stock_dirty))).all()
    assert dirty == [market.channel_ids[other]]
    market.shops[other].set_faults({"error_rate": 0.0})
    await asyncio.sleep(0.3)  # the breaker's recovery time

    sc = runtime.current().sync
    assert await sweep(sc) == []  # dirty for less than the threshold: a push may still be coming
    later = datetime.now(UTC) + timedelta(minutes=market.settings.sync_sweep_after_minutes, seconds=1)
    assert await sweep(sc, later) == [market.channel_ids[other]]
    assert await sweep(sc, later) == []  # its push is queued now: not requested twice
    await market.settle()
    assert sellable(market, other, units[other]) == 9
    pushes = (await owner.get("/api/jobs", params={"kind": "push_stock", "status": "succeeded"})).json()
    assert pushes["items"]
    assert await sweep(sc, later) == []  # nothing dirty any more
