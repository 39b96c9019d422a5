"""The engine's other promises: webhook security, dry-run, retries and dead letters, cancel, orders API,
live job events, and a channel whose tokens the platform refuses."""

from __future__ import annotations

import asyncio
import json

import pytest
from sqlalchemy import func, select, text

from aiostore.db.models import ChannelAccount, IgnoredWebhook, WebhookEvent
from aiostore.domain.permissions import Role
from aiostore.settings import WriteMode
from tests.factories import member_token
from tests.integration.sync.conftest import MarketFactory, pair_of
from tests.integration.sync.marketplace import PLATFORMS, Market
from tests.integration.sync.test_propagation import _link_one_unit, _pull, sellable


async def _count(market: Market, model: type) -> int:
    async with market.db.transaction(market.org_id) as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


@pytest.mark.parametrize("platform", PLATFORMS)
async def test_bad_signature_is_401_and_nothing_is_stored(make_market: MarketFactory, platform: str) -> None:
    market, owner = await make_market([platform])
    await market.connect(platform)
    body = json.dumps({"code": 3, "shop_id": market.shops[platform].shop_id, "data": {}}).encode()
    resp = await owner.client.post(
        f"/api/webhooks/{platform}",
        content=body,
        headers={
            "Authorization": "0" * 64,
            "Authorization-Hmac": "0" * 64,
            "content-type": "application/json",
        },
    )
    assert resp.status_code == 401
    assert resp.json()["code"] == "not_authenticated"
    assert await _count(market, WebhookEvent) == 0


async def test_push_for_an_unknown_shop_is_200_and_ignored(make_market: MarketFactory) -> None:
    market, _ = await make_market(["shopee"])
    h = market.shops["shopee"]  # pushes arrive but the shop was never connected here
    import httpx

    h.set_push_url("http://aiostore.test/api/webhooks/shopee", httpx.ASGITransport(app=market.app))
    unit = h.units()[0]
    h.set_unit(unit.item_id, unit.variant_id, stock=5)
    h.place_order([(unit.item_id, unit.variant_id, 1)])
    await h.drain_pushes()
    async with market.db.transaction() as session:
        ignored = (await session.scalars(select(IgnoredWebhook))).all()
    assert len(ignored) == 1 and ignored[0].shop_id == h.shop_id
    assert await _count(market, WebhookEvent) == 0


async def test_dry_run_records_and_sends_nothing(make_market: MarketFactory) -> None:
    market, owner = await make_market(pair_of("shopee"))
    for p in market.shops:
        await market.connect(p)
    _, units = await _link_one_unit(market, "DRY-1", 10)
    await _pull(market, owner)  # its SKU matches were pushed live
    before = {j["id"] for j in (await owner.get("/api/jobs", params={"kind": "push_stock"})).json()["items"]}
    market.settings = market.settings.model_copy(update={"write_mode": WriteMode.DRY})
    market.app.state.connectors = type(market.app.state.connectors)(
        market.settings, market.app.state.connectors.http, market.app.state.connectors.policy
    )
    from aiostore.worker import runtime

    runtime.install(runtime.make(market.settings, market.db, market.app.state.connectors))
    market.shops["shopee"].place_order([(*units["shopee"], 4)])
    await market.settle()
    other = pair_of("shopee")[1]
    assert sellable(market, other, units[other]) == 10  # nothing was sent
    jobs = [
        j
        for j in (await owner.get("/api/jobs", params={"kind": "push_stock"})).json()["items"]
        if j["id"] not in before
    ]
    assert jobs and all(j["dry_run"] for j in jobs)
    detail = (await owner.get(f"/api/jobs/{jobs[0]['id']}")).json()
    assert detail["items"] and all(i["dry_run"] for i in detail["items"])
    assert detail["result"]["dry_run_requests"], detail["result"]


async def test_transient_failures_retry_then_dead_letter_then_manual_retry(
    make_market: MarketFactory,
) -> None:
    # a short recovery: every wait for the circuit's probe is short (a meeting with the open circuit
    # spends no attempt, so only the calls sent, the first attempts and each probe, count)
    market, owner = await make_market(pair_of("shopee"), settings_changes={"breaker_recovery_seconds": 0.2})
    for p in market.shops:
        await market.connect(p)
    _, units = await _link_one_unit(market, "RETRY-1", 10)
    await _pull(market, owner)
    other = pair_of("shopee")[1]
    market.shops[other].set_faults({"error_rate": 1.0, "seed": 1})
    market.shops["shopee"].place_order([(*units["shopee"], 1)])
    await market.settle()
    failed = (await owner.get("/api/jobs", params={"status": "failed", "kind": "push_stock"})).json()["items"]
    every = (await owner.get("/api/jobs")).json()["items"]
    assert len(failed) == 1, [(j["kind"], j["status"], j["attempts"], j["error"]) for j in every]
    job = failed[0]
    assert job["attempts"] == job["max_attempts"] == 8 and job["error"]
    assert "PlatformUnavailable" in job["error"]  # the last probe's failure, not the open circuit
    market.shops[other].set_faults({"error_rate": 0.0})
    # The platform is back; the circuit its last probe opened may still be: the retried job waits for
    # it (spending nothing), then its probe goes through.
    retried = await owner.post(f"/api/jobs/{job['id']}/retry")
    assert retried.status_code == 200 and retried.json()["status"] == "queued"
    await market.settle()
    assert (await owner.get(f"/api/jobs/{job['id']}")).json()["status"] == "succeeded"
    assert sellable(market, other, units[other]) == 9
    again = await owner.post(f"/api/jobs/{job['id']}/retry")
    assert again.status_code == 409


async def test_cancel_a_queued_job(make_market: MarketFactory) -> None:
    market, owner = await make_market(["shopee"])
    channel = await market.connect("shopee")
    jobs = (await owner.post("/api/sync/pull", json={"channel_account_ids": [str(channel)]})).json()
    assert {j["kind"] for j in jobs} == {"pull_products", "pull_orders"}
    cancelled = await owner.post(f"/api/jobs/{jobs[0]['id']}/cancel")
    assert cancelled.json()["status"] == "cancelled"
    await market.settle()
    assert (await owner.get(f"/api/jobs/{jobs[0]['id']}")).json()["status"] == "cancelled"
    assert (await owner.get(f"/api/jobs/{jobs[1]['id']}")).json()["status"] == "succeeded"
    assert (await owner.post(f"/api/jobs/{jobs[0]['id']}/cancel")).status_code == 409
    bad = await owner.post(
        "/api/sync/pull", json={"channel_account_ids": ["00000000-0000-0000-0000-000000000000"]}
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "channel_account_ids.0"


async def test_orders_api_masks_pii_and_ships_through_the_platform(make_market: MarketFactory) -> None:
    market, owner = await make_market(["shopee"])
    await market.connect("shopee")
    _, units = await _link_one_unit(market, "SHIP-1", 5)
    await _pull(market, owner)
    market.shops["shopee"].place_order([(*units["shopee"], 1)])
    await market.settle()
    order = (await owner.get("/api/orders", params={"market": "ID", "status": "to_ship"})).json()["items"][0]
    full = (await owner.get(f"/api/orders/{order['id']}")).json()
    assert full["customer"]["masked"] is False and full["customer"]["name"]
    assert full["lines"][0]["sku"] == "SHIP-1" and full["lines"][0]["stock_state"] == "reserved"
    operator = await member_token(market.app, market.db, owner.org_id, Role.OPERATOR)
    masked = (await operator.get(f"/api/orders/{order['id']}")).json()
    assert masked["customer"]["masked"] is True
    assert masked["customer"]["name"] != full["customer"]["name"] and "*" in masked["customer"]["name"]
    viewer = await member_token(market.app, market.db, owner.org_id, Role.VIEWER)
    assert (await viewer.post(f"/api/orders/{order['id']}/ship", json={})).status_code == 403
    job = await operator.post(f"/api/orders/{order['id']}/ship", json={"method": "pickup"})
    assert job.status_code == 202, job.text
    await market.settle()
    assert (await owner.get(f"/api/jobs/{job.json()['id']}")).json()["status"] == "succeeded"
    shipped = (await owner.get(f"/api/orders/{order['id']}")).json()
    # Shipment arranged: still ours to hand over (to_ship, units reserved), the platform says PROCESSED.
    assert shipped["platform_status"] == "PROCESSED" and shipped["status"] == "to_ship"
    assert shipped["lines"][0]["stock_state"] == "reserved"
    again = await operator.post(f"/api/orders/{order['id']}/ship", json={})  # the platform will refuse it
    await market.settle()
    refused = (await owner.get(f"/api/jobs/{again.json()['id']}")).json()
    assert refused["status"] == "failed" and "shipped" in refused["error"].lower(), refused
    none = (
        await owner.get("/api/orders", params={"placed_from": "2001-01-01", "placed_to": "2001-01-02"})
    ).json()
    assert none["items"] == []
    bad = await owner.get("/api/orders", params={"placed_from": "2026-02-02", "placed_to": "2026-01-01"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "placed_to"


async def test_job_events_stream_live(make_market: MarketFactory) -> None:
    market, owner = await make_market(["shopee"])
    channel = await market.connect("shopee")
    stream = asyncio.create_task(owner.get("/api/jobs/events", params={"max_seconds": 2}))
    await market.app.state.job_events.wait_for_streams(1, owner.org_id)  # subscribed: nothing is missed
    await owner.post("/api/sync/pull", json={"channel_account_ids": [str(channel)], "kinds": ["orders"]})
    resp = await stream
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/event-stream")
    events = [json.loads(line[6:]) for line in resp.text.splitlines() if line.startswith("data: ")]
    assert any(e["kind"] == "pull_orders" and e["status"] == "queued" for e in events), resp.text
    rival = await owner.get("/api/jobs/events", params={"max_seconds": 1})
    assert "data:" not in rival.text  # nothing happened meanwhile


async def test_refused_tokens_mark_the_channel_needs_reauth(make_market: MarketFactory) -> None:
    market, owner = await make_market(["shopee"])
    channel = await market.connect("shopee")
    h = market.shops["shopee"]
    h.expire_access_tokens()
    h.sandbox.expire_refresh_tokens(int(h.shop_id))  # type: ignore[attr-defined]
    await owner.post("/api/sync/pull", json={"channel_account_ids": [str(channel)], "kinds": ["orders"]})
    await market.settle()
    job = (await owner.get("/api/jobs")).json()["items"][0]
    assert job["status"] == "failed" and "connect the shop again" in job["error"]
    async with market.db.transaction(market.org_id) as session:
        status = await session.scalar(select(ChannelAccount.status))
    assert status == "needs_reauth"
    async with market.db.engine.connect() as conn:
        assert await conn.scalar(text("SELECT count(*) FROM procrastinate_jobs WHERE status = 'failed'")) == 0
