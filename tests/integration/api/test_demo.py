"""Try the demo: POST /demo builds the demo organization (four sandbox shops connected through OAuth in
this process, first pulls, the master catalog) and signs the visitor in; a sale on one demo shop moves
stock on the other three through the real webhooks, jobs and pushes; reset; isolation; off -> 404."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text

from aiostore.connectors import registry
from aiostore.db.session import Database
from aiostore.domain.market import MarketCode
from aiostore.jobqueue import configure
from aiostore.services import demo as demo_service
from aiostore.services.demo import Demo, publishable
from aiostore.settings import ConfigurationError, Environment, Settings
from aiostore.web.app import create_app
from aiostore.worker import runtime
from aiostore.worker.app import Slots, run_embedded_worker
from tests.factories import Caller, new_client, signup


@dataclass
class DemoApp:
    app: FastAPI
    demo: Demo
    db: Database

    async def settle(self) -> None:
        """Deliver the sandboxes' pushes and wait until the worker has run every job due now."""
        for _ in range(600):
            await self.demo.world.drain_pushes()
            async with self.db.engine.connect() as conn:
                waiting = await conn.scalar(
                    text(
                        "SELECT count(*) FROM procrastinate_jobs WHERE status IN ('todo', 'doing') "
                        "AND (scheduled_at IS NULL OR scheduled_at <= now()) AND task_name NOT IN "
                        "('sync.schedule', 'sync.retry_stalled', 'housekeeping.purge_expired')"
                    )
                )
            if not waiting:
                return
            await asyncio.sleep(0.05)
        raise AssertionError("the queue did not settle")


@pytest.fixture
async def demo_app(test_settings: Settings, db: Database) -> AsyncIterator[DemoApp]:
    async with running_demo(test_settings, db) as running:
        yield running


@contextlib.asynccontextmanager
async def running_demo(test_settings: Settings, db: Database, **settings: object) -> AsyncIterator[DemoApp]:
    """The service with the demo on (a small one) and the worker running beside it, as `serve` runs it."""
    update = {"demo": True, "sync_retry_base_seconds": 0.05, **settings}
    app = create_app(test_settings.model_copy(update=update), db)
    demo = app.state.demo
    assert isinstance(demo, Demo) and app.state.demo_enabled is True
    demo.world.products, demo.world.orders = 6, 8  # a small demo: the same code, fewer rows
    runtime.install(runtime.make(app.state.settings, db, app.state.connectors))
    queue = configure(db.urls)
    async with queue.open_async():  # the worker `aiostore serve` runs beside the API
        worker = asyncio.create_task(run_embedded_worker(queue, Slots.of(app.state.settings, 4)))
        try:
            yield DemoApp(app, demo, db)
        finally:
            worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await worker


async def _visit(app: FastAPI) -> Caller:
    """A visitor presses "Try the demo": 303 to the dashboard, signed in with a session cookie."""
    client = new_client(app)
    resp = await client.post("/demo")
    assert resp.status_code == 303, resp.text
    assert resp.headers["location"] == "/"
    me = (await client.get("/api/auth/me")).json()
    assert me["auth"] == "session" and me["role"] == "owner"
    return Caller(
        client,
        uuid.UUID(me["user_id"]),
        uuid.UUID(me["org_id"]),
        me["email"],
        {"X-CSRF-Token": me["csrf_token"]},
    )


async def _all(caller: Caller, url: str, **params: object) -> list[dict[str, object]]:
    items: list[dict[str, object]] = []
    cursor = None
    while True:
        query = {**params, "limit": 200} | ({"cursor": cursor} if cursor else {})
        page = (await caller.get(url, params=query)).json()
        items += page["items"]
        cursor = page.get("next_cursor")
        if not cursor:
            return items


async def test_try_the_demo_builds_four_connected_shops(demo_app: DemoApp) -> None:
    visitor = await _visit(demo_app.app)
    me = (await visitor.get("/api/auth/me")).json()
    assert [o["name"] for o in me["organizations"]][0].startswith("Demo")
    shops = (await visitor.get("/api/channels")).json()
    assert sorted(s["platform"] for s in shops) == [p.name for p in registry.plugins()]  # one per platform
    assert all(s["status"] == "connected" for s in shops)
    assert all(registry.plugin(s["platform"]).serves(MarketCode(s["market"])) for s in shops)
    assert {s["market"] for s in shops} == {"ID", "SG", "MY"}
    products = (await visitor.get("/api/products", params={"limit": 100})).json()["items"]
    master = demo_app.demo.world.master.harness.units()
    # the master shop's listings, one product each, and those ready to publish that no shop sells yet
    assert len(products) == len({u.item_id for u in master}) + publishable.COUNT
    matched = await _all(visitor, "/api/listings", unmatched="false")
    unmatched = await _all(visitor, "/api/listings", unmatched="true")
    assert {m["channel_account_id"] for m in matched} == {s["id"] for s in shops}
    assert unmatched and all(str(u["platform_sku"]).split("-")[1] == "ONLY" for u in unmatched)
    orders = (await visitor.get("/api/orders", params={"limit": 100})).json()["items"]
    assert orders  # the first pulls brought the last weeks' orders
    jobs = (await visitor.get("/api/jobs", params={"limit": 100})).json()["items"]
    pulls = [j for j in jobs if j["kind"].startswith("pull_")]
    assert len(pulls) == 8 and {j["status"] for j in pulls} == {"succeeded"}
    assert not any(j["dry_run"] for j in jobs)  # demo shops write live

    again = await _visit(demo_app.app)  # the next visitor gets the same organization
    assert again.org_id == visitor.org_id
    sandbox = await visitor.client.get(f"/_demo/sandbox/{shops[0]['platform']}/_sandbox/state")
    assert sandbox.status_code == 200
    missing = await visitor.client.get("/_demo/sandbox/amazon/_sandbox/state")
    assert missing.status_code == 404


async def test_a_sale_on_one_demo_shop_moves_stock_on_the_other_three(demo_app: DemoApp) -> None:
    await _visit(demo_app.app)
    await demo_app.settle()
    shops = demo_app.demo.world.shops
    shop = list(shops.values())[-1]  # not the master shop: its SKUs were aligned on the master's
    seller = shop.harness
    others = [s.harness for s in shops.values() if s is not shop]
    only = f"{shop.plan.unmatched_prefix}-ONLY"
    by_sku = {u.sku: u for u in seller.units() if not u.sku.startswith(only) and u.stock >= 3}
    sold = next(u for u in by_sku.values() if all(any(o.sku == u.sku for o in h.units()) for h in others))

    def stock_elsewhere() -> list[int]:
        return [next(o.stock for o in h.units() if o.sku == sold.sku) for h in others]

    before = stock_elsewhere()
    seller.place_order([(sold.item_id, sold.variant_id, 2)])
    await demo_app.settle()
    after = stock_elsewhere()
    assert after == [b - 2 for b in before]


async def test_reset_rebuilds_and_other_orgs_see_nothing(demo_app: DemoApp) -> None:
    visitor = await _visit(demo_app.app)
    shops = (await visitor.get("/api/channels")).json()
    rival = await signup(demo_app.app, org="Toko Rival")
    assert (await rival.get("/api/channels")).json() == []
    assert (await rival.get(f"/api/channels/{shops[0]['id']}")).status_code == 404
    refused = await rival.post("/demo/reset")  # another org's owner cannot reset the demo
    assert refused.status_code == 404 and refused.json()["code"] == "not_found"

    reset = await visitor.post("/demo/reset")
    assert reset.status_code == 303 and reset.headers["location"] == "/"
    me = (await visitor.get("/api/auth/me")).json()
    assert uuid.UUID(me["org_id"]) != visitor.org_id
    assert [o["org_id"] for o in me["organizations"]] == [me["org_id"]]  # the old one is gone
    visitor.headers["X-CSRF-Token"] = me["csrf_token"]
    rebuilt = (await visitor.get("/api/channels")).json()
    assert len(rebuilt) == 4 and {s["id"] for s in rebuilt}.isdisjoint({s["id"] for s in shops})


async def test_demo_is_off_in_production_and_404_when_off(test_settings: Settings, db: Database) -> None:
    production = test_settings.model_copy(update={"env": Environment.PRODUCTION, "demo": None})
    assert demo_service.enabled(production) is False
    assert demo_service.enabled(production.model_copy(update={"demo": True})) is True
    development = test_settings.model_copy(update={"demo": None})
    assert demo_service.enabled(development) is True
    plugin = registry.plugins()[0]
    key = plugin.settings.enabled_by[0]
    assert demo_service.enabled(development.with_platform(plugin.name, **{key: "1"})) is False
    assert demo_service.enabled(development.model_copy(update={"run_worker": False})) is False
    with pytest.raises(ConfigurationError, match="worker"):
        demo_service.prepare(development.model_copy(update={"demo": True, "run_worker": False}))

    app = create_app(production, db)  # production settings, AIOSTORE_DEMO unset
    assert app.state.demo_enabled is False
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        resp = await client.post("/demo")
    assert resp.status_code == 404
    assert resp.headers["content-type"].startswith("application/problem+json")
    assert resp.json()["code"] == "not_found"


def test_forcing_the_demo_beside_a_configured_marketplace_is_refused(
    test_settings: Settings, db: Database
) -> None:
    plugin = registry.plugins()[-1]
    forced = test_settings.model_copy(update={"demo": True}).with_platform(
        plugin.name, **{plugin.settings.enabled_by[0]: "real-app"}
    )
    with pytest.raises(ConfigurationError, match=f"{plugin.name} is configured"):
        demo_service.prepare(forced)
