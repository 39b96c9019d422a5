"""A job that meets the platform's open circuit sent nothing: it spends no attempt and runs again when the
circuit lets a probe through, so an outage longer than the job's attempts dead-letters nothing.

The circuit is opened by real failures (a sandbox answering 5xx) through the shared breaker (PostgreSQL);
its recovery is long (10 minutes) so it stays open while the test looks. Time passing is the database's:
the breaker's row is moved to its half-open moment, and a waiting job is made due, as the clock would."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import select, text

from aiostore.connectors.errors import PlatformUnavailable
from aiostore.db.models import SyncJob, WebhookEvent
from aiostore.http.client import HttpPolicy
from aiostore.http.shared import SharedBreakers
from aiostore.services.sync.context import open_channel
from aiostore.worker import runtime
from tests.factories import Caller
from tests.integration.sync.conftest import MarketFactory, pair_of
from tests.integration.sync.marketplace import Market
from tests.integration.sync.test_propagation import _link_one_unit, _pull, sellable

RECOVERY = 600.0
SPREAD = RECOVERY / 10  # jobs.CIRCUIT_SPREAD of it
OTHER = pair_of("shopee")[1]


@pytest.fixture
async def circuit_market(make_market: MarketFactory) -> AsyncIterator[tuple[Market, Caller]]:
    market, owner = await _market(make_market)
    yield market, owner
    # the breakers' rows are the database's, and the next test's: leave them closed
    await _sql(market, "UPDATE circuit_breakers SET failures = 0, opened_until = NULL")


async def _market(make_market: MarketFactory) -> tuple[Market, Caller]:
    settings = {"sync_max_attempts": 2, "breaker_threshold": 2, "breaker_recovery_seconds": RECOVERY}
    market, owner = await make_market(pair_of("shopee"), settings_changes=settings)
    # the shared breaker as the settings make it, read afresh at each call (not every 0.5 s), so that a
    # change of its row is seen by the next call
    connectors = market.app.state.connectors
    breakers = SharedBreakers(market.db.engine, threshold=2, recovery_seconds=RECOVERY, refresh_seconds=0)
    policy = HttpPolicy(retry=connectors.policy.retry, limiters=connectors.policy.limiters, breakers=breakers)
    market.app.state.connectors = type(connectors)(market.settings, connectors.http, policy)
    runtime.install(runtime.make(market.settings, market.db, market.app.state.connectors))
    return market, owner


async def _sql(market: Market, statement: str, **params: Any) -> Any:
    async with market.db.engine.connect() as conn:
        result = await conn.execute(text(statement), params)
        row = result.first() if result.returns_rows else None
        await conn.commit()
        return row


async def _opened_until(market: Market, platform: str) -> float | None:
    row = await _sql(market, "SELECT opened_until FROM circuit_breakers WHERE name = :n", n=platform)
    return None if row is None else row[0]


async def _half_open(market: Market, platform: str) -> None:
    """The recovery time has passed: the next call is the probe."""
    await _sql(
        market,
        "UPDATE circuit_breakers SET opened_until = CAST(extract(epoch FROM clock_timestamp()) AS float8) "
        "WHERE name = :n",
        n=platform,
    )


async def _due(market: Market, job: dict[str, Any]) -> None:
    """The job's retry time has come (its queue job runs at the next settle)."""
    async with market.db.transaction(market.org_id) as session:
        queued = await session.scalar(select(SyncJob.queue_job_id).where(SyncJob.id == uuid.UUID(job["id"])))
    row = await _sql(
        market,
        "UPDATE procrastinate_jobs SET scheduled_at = now() WHERE id = :id AND status = 'todo' RETURNING id",
        id=queued,
    )
    assert row is not None, job  # it was waiting in the queue


async def _events(market: Market, platform: str) -> list[WebhookEvent]:
    async with market.db.transaction(market.org_id) as session:
        found = await session.scalars(select(WebhookEvent).where(WebhookEvent.platform == platform))
        return list(found.all())


async def _event_due(market: Market, event: WebhookEvent) -> None:
    row = await _sql(
        market,
        "UPDATE procrastinate_jobs SET scheduled_at = now() WHERE task_name = 'webhooks.process' "
        "AND status = 'todo' AND args->>'event_id' = :id RETURNING id",
        id=str(event.id),
    )
    assert row is not None  # its processing was waiting in the queue


async def _failed_probe(market: Market, platform: str) -> None:
    """Another call is the half-open probe and fails against the platform still down: open again."""
    await _half_open(market, platform)
    sc = runtime.current().sync
    shop = await open_channel(sc, market.org_id, market.channel_ids[platform])
    with pytest.raises(PlatformUnavailable) as failed:
        await shop.connector.get_orders(["1"])
    assert failed.value.kind == "PlatformUnavailable"  # it was sent: not the open circuit's refusal
    assert (await _opened_until(market, platform) or 0) > 0


async def _job(owner: Caller, job_id: str) -> dict[str, Any]:
    job: dict[str, Any] = (await owner.get(f"/api/jobs/{job_id}")).json()
    return job


def _waits_for_the_probe(job: dict[str, Any], opened_until: float) -> None:
    """Retrying, at the moment the circuit half-opens plus at most the spread; saying why."""
    assert job["status"] == "retrying", job
    assert "circuit" in job["error"] and "is open" in job["error"] and "retrying at" in job["error"]
    when = datetime.fromisoformat(job["next_attempt_at"]).timestamp()
    # the runner's own work between reading the circuit and scheduling may add to the wait, never take
    assert opened_until - 0.5 <= when <= opened_until + SPREAD + 30, (when, opened_until)


async def _outage(
    market: Market, owner: Caller, sku: str
) -> tuple[dict[str, tuple[str, str]], dict[str, Any]]:
    """A sale on Shopee whose stock push to the other shop meets the other platform down: the push job."""
    for p in market.shops:
        await market.connect(p)
    _, units = await _link_one_unit(market, sku, 10)
    await _pull(market, owner)
    market.shops[OTHER].set_faults({"error_rate": 1.0, "seed": 1})
    market.shops["shopee"].place_order([(*units["shopee"], 1)])
    await market.settle(leave_after=RECOVERY / 2)  # what is due now runs; the jobs waiting stay queued
    pushes = (await owner.get("/api/jobs", params={"kind": "push_stock"})).json()["items"]
    channel = str(market.channel_ids[OTHER])
    mine = [j for j in pushes if j["channel_account_id"] == channel and j["status"] != "succeeded"]
    assert len(mine) == 1, pushes  # (the pull's pushes of the matched SKU succeeded before the outage)
    return units, mine[0]


async def test_a_job_meeting_the_open_circuit_waits_for_its_probe_without_spending_attempts(
    circuit_market: tuple[Market, Caller],
) -> None:
    market, owner = circuit_market
    other = OTHER
    units, push = await _outage(market, owner, "CIRCUIT-1")
    # its first attempt sent the stock and met 5xx until its own failures opened the circuit (spent);
    # its second met the open circuit (nothing sent): the attempt is given back, it waits for the probe
    assert push["attempts"] == 1 and push["max_attempts"] == 2
    opened_until = await _opened_until(market, other)
    assert opened_until is not None
    _waits_for_the_probe(push, opened_until)
    listings = await owner.get("/api/listings", params={"channel_account_id": push["channel_account_id"]})
    waiting = [i for i in listings.json()["items"] if i["last_error"]]  # the listing sold on Shopee
    assert [(i["sync_state"], "circuit" in i["last_error"]) for i in waiting] == [("retrying", True)]

    # a pull asked meanwhile is refused by the circuit at its first call: no attempt spent either
    pull = (
        await owner.post("/api/sync/pull", json={"channel_account_ids": [push["channel_account_id"]]})
    ).json()
    await market.settle(leave_after=RECOVERY / 2)
    for job in pull:
        waiting = await _job(owner, job["id"])
        assert waiting["attempts"] == 0
        _waits_for_the_probe(waiting, opened_until)

    for _ in range(3):  # the outage lasts: another call's probe fails each time, the push wakes to it
        await _failed_probe(market, other)
        await _due(market, push)
        await market.settle(leave_after=RECOVERY / 2)
        push = await _job(owner, push["id"])
        assert push["attempts"] == 1  # not dead-lettered with 2 attempts: the open circuit took none
        _waits_for_the_probe(push, await _opened_until(market, other) or 0)
    assert sellable(market, other, units[other]) == 10

    market.shops[other].set_faults({"error_rate": 0.0})  # the platform is back
    await _half_open(market, other)
    await _due(market, push)  # the push wakes first (the others' wake-ups are spread): its probe
    await market.settle(leave_after=RECOVERY / 2)
    for job in pull:
        await _due(market, job)
    await market.settle()
    push = await _job(owner, push["id"])
    assert (push["status"], push["attempts"], push["error"]) == ("succeeded", 2, None)
    assert sellable(market, other, units[other]) == 9
    assert [(await _job(owner, j["id"]))["status"] for j in pull] == ["succeeded"] * len(pull)
    assert await _opened_until(market, other) is None  # the probe's success closed the circuit


async def test_a_failed_probe_spends_an_attempt_of_the_job_that_sent_it(
    circuit_market: tuple[Market, Caller],
) -> None:
    """The job that wakes first is the probe: its failure was sent, so it counts (for that job only)."""
    market, owner = circuit_market
    units, push = await _outage(market, owner, "CIRCUIT-2")
    assert (push["status"], push["attempts"]) == ("retrying", 1)

    await _half_open(market, OTHER)
    await _due(market, push)
    await market.settle(leave_after=RECOVERY / 2)
    push = await _job(owner, push["id"])
    assert (push["status"], push["attempts"]) == ("failed", 2)  # its own probe failed: dead letter
    assert push["error"].startswith("PlatformUnavailable")
    assert (await _opened_until(market, OTHER) or 0) > 0  # the failed probe opened the circuit again
    assert sellable(market, OTHER, units[OTHER]) == 10


async def test_an_order_webhook_meeting_the_open_circuit_waits_for_its_probe(
    circuit_market: tuple[Market, Caller],
) -> None:
    """The order is read through the connector: refused by the open circuit, the event keeps its
    attempts and is processed once the platform is back (the order is not lost)."""
    market, owner = circuit_market
    units, push = await _outage(market, owner, "CIRCUIT-3")
    market.shops[OTHER].place_order([(*units[OTHER], 2)])  # its webhook arrives; the order read is refused
    await market.settle(leave_after=RECOVERY / 2)
    opened_until = await _opened_until(market, OTHER) or 0
    orders = [e for e in await _events(market, OTHER) if e.event_type in ("order_status", "order_tracking")]
    assert orders and all(e.status == "retrying" and e.attempts == 0 for e in orders), orders
    for event in orders:
        assert event.error and "circuit" in event.error and "retrying at" in event.error
        row = await _sql(
            market,
            "SELECT extract(epoch FROM scheduled_at) FROM procrastinate_jobs WHERE status = 'todo' "
            "AND task_name = 'webhooks.process' AND args->>'event_id' = :id",
            id=str(event.id),
        )
        assert opened_until - 0.5 <= float(row[0]) <= opened_until + SPREAD + 30  # at the probe's time

    for _ in range(2):  # another call's probe fails each time; the events wake to the open circuit again
        await _failed_probe(market, OTHER)
        for event in orders:
            await _event_due(market, event)
        await market.settle(leave_after=RECOVERY / 2)
        again = {e.id: e for e in await _events(market, OTHER)}
        assert all((again[e.id].status, again[e.id].attempts) == ("retrying", 0) for e in orders)
    assert sellable(market, "shopee", units["shopee"]) == 9  # the second sale is not known yet

    market.shops[OTHER].set_faults({"error_rate": 0.0})
    await _half_open(market, OTHER)
    await _due(market, push)  # the push's probe closes the circuit
    await market.settle(leave_after=RECOVERY / 2)
    for event in orders:
        await _event_due(market, event)
    await market.settle()
    done = {e.id: e for e in await _events(market, OTHER)}
    assert [done[e.id].status for e in orders] == ["processed"] * len(orders)
    assert sellable(market, "shopee", units["shopee"]) == 7  # both sales, on the two shops
    assert sellable(market, OTHER, units[OTHER]) == 7


async def test_sales_during_an_outage_join_one_waiting_push_of_the_shop(
    circuit_market: tuple[Market, Caller],
) -> None:
    """The first round's retry holds the shop's push lock while it waits for the probe (procrastinate runs
    a lock's jobs in queue order, whenever each is scheduled), so the next push waits behind it and
    every sale meanwhile joins that one (its queueing lock): no round per sale, no crowd at the probe.
    Once the platform is back, everything sold reaches the shop."""
    market, owner = circuit_market
    units, push = await _outage(market, owner, "CIRCUIT-4")
    for _ in range(3):  # three more sales on Shopee, each asking for a push to the shop that is down
        market.shops["shopee"].place_order([(*units["shopee"], 1)])
        await market.settle(leave_after=RECOVERY / 2)
    channel = str(market.channel_ids[OTHER])
    jobs = (await owner.get("/api/jobs", params={"kind": "push_stock"})).json()["items"]
    rounds = [j["id"] for j in jobs if j["channel_account_id"] == channel and j["status"] != "succeeded"]
    assert rounds == [push["id"]]  # the first round's retry, and no round of its own for any later sale
    assert await market.queue_jobs("sync.push_stock", "todo") == 1  # the one push the sales joined
    assert sellable(market, OTHER, units[OTHER]) == 10

    market.shops[OTHER].set_faults({"error_rate": 0.0})  # the platform is back
    await _half_open(market, OTHER)
    await _due(market, push)  # the first round's retry is the probe; the waiting push follows it
    await market.settle()
    assert sellable(market, OTHER, units[OTHER]) == 6  # all four sales
    jobs = (await owner.get("/api/jobs", params={"kind": "push_stock"})).json()["items"]
    assert all(j["status"] == "succeeded" for j in jobs if j["channel_account_id"] == channel), jobs
