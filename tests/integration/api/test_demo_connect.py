"""Connecting a shop in the demo through the HTTP API, as a browser would: the authorization URL opens the
sandbox's approval page mounted on our own origin (`/_demo/sandbox/<platform>/`), approving redirects to
our OAuth callback, the shop is connected with its token expiry and its first pulls succeed. The token
exchange and the pulls still go to the sandbox in-process. Bad paths: a used approval, a replayed
callback, another organization's attempt on a shop the demo holds."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from urllib.parse import parse_qsl, urljoin, urlsplit

import httpx
import pytest
from sqlalchemy import select

from aiostore.connectors import registry
from aiostore.connectors.plugin import PlatformPlugin
from aiostore.db.models import SyncJob
from aiostore.db.session import Database
from aiostore.domain.platforms import Platform
from aiostore.services.demo.build import approval_form
from aiostore.services.demo.world import MOUNT
from aiostore.settings import Settings
from aiostore.web.app import create_app
from tests.factories import Caller, signup
from tests.integration.api.test_demo import DemoApp, _visit, running_demo

ORIGIN = "http://test"  # the test client's origin: the service's public URL here, so cookies go along
PLUGINS = registry.plugins()


@pytest.fixture
async def demo_here(test_settings: Settings, db: Database) -> AsyncIterator[DemoApp]:
    async with running_demo(test_settings, db, public_url=ORIGIN) as running:
        yield running


async def _approve(caller: Caller, authorization_url: str, shop_id: str) -> httpx.Response:
    """Open the authorization URL, approve the shop on the sandbox's page; the sandbox's answer."""
    page = await caller.client.get(authorization_url)
    assert page.status_code == 200, page.text
    form = approval_form(page.text, shop_id)
    assert form is not None, page.text
    action, fields = form
    assert urljoin(authorization_url, action).startswith(f"{authorization_url.split(MOUNT)[0]}{MOUNT}/")
    return await caller.client.post(urljoin(authorization_url, action), data=fields)


async def _jobs(demo: DemoApp, org_id: uuid.UUID, channel_id: str) -> list[tuple[str, str]]:
    async with demo.db.transaction(org_id) as session:
        rows = await session.scalars(
            select(SyncJob)
            .where(SyncJob.channel_account_id == uuid.UUID(channel_id))
            .order_by(SyncJob.created_at)
        )
        return [(j.kind, j.status) for j in rows]


@pytest.mark.parametrize("plugin", PLUGINS, ids=[p.name for p in PLUGINS])
async def test_connecting_a_demo_shop_goes_through_the_mounted_sandbox(
    demo_here: DemoApp, plugin: PlatformPlugin
) -> None:
    visitor = await _visit(demo_here.app)
    await demo_here.settle()
    shop = next(s for s in (await visitor.get("/api/channels")).json() if s["platform"] == plugin.name)
    gone = await visitor.client.delete(f"/api/channels/{shop['id']}", headers=visitor.headers)
    assert gone.status_code == 200 and gone.json()["status"] == "disconnected"
    before = await _jobs(demo_here, visitor.org_id, shop["id"])

    started = await visitor.post(
        "/api/channels/connect", json={"platform": plugin.name, "market": shop["market"]}
    )
    assert started.status_code == 200, started.text
    url = started.json()["authorization_url"]
    assert url.startswith(f"{ORIGIN}{MOUNT}/{plugin.name}/"), (
        url
    )  # the browser's way in, not the in-process host
    approved = await _approve(visitor, url, shop["shop_id"])
    assert approved.status_code == 302, approved.text
    back = approved.headers["location"]
    assert back.startswith(f"{ORIGIN}/api/channels/callback/{plugin.name}?")
    query = dict(parse_qsl(urlsplit(back).query))
    assert query["state"] == started.json()["state"] and query["code"]

    calls = demo_here.demo.world.shops[Platform(plugin.name)].harness.call_count()
    connected = await visitor.client.get(back)
    assert connected.status_code == 200, connected.text
    channel = connected.json()
    assert (channel["id"], channel["status"]) == (shop["id"], "connected")  # the same shop, back again
    assert channel["access_expires_at"] and channel["disconnected_at"] is None
    # The code went to the sandbox in-process (token exchange, shop info), not through the browser.
    assert demo_here.demo.world.shops[Platform(plugin.name)].harness.call_count() > calls

    await demo_here.settle()
    after = (await _jobs(demo_here, visitor.org_id, shop["id"]))[len(before) :]
    # What connecting started: the worker's periodic reconcile (every minute, on each shop due) may have
    # queued one for the reconnected shop meanwhile, when the test ran over a minute's turn.
    after = [job for job in after if job[0] != "reconcile"]
    assert sorted(after) == [("pull_orders", "succeeded"), ("pull_products", "succeeded")]
    listings = (await visitor.get("/api/listings", params={"channel_account_id": shop["id"]})).json()
    assert listings["items"]

    shops_page = await visitor.client.get("/shops", headers={"accept": "text/html"})
    assert shops_page.status_code == 200
    article = shops_page.text.split(f'id="shop-{shop["id"]}" class="shop connected"')[1].split("</article>")[
        0
    ]
    renews = re.search(r"Access token renews</dt><dd>([^<]*)</dd>", article)
    assert renews is not None and renews.group(1) not in ("", "—")  # its token expiry, shown

    # The callback is single-use: replayed, it is refused and nothing changes.
    replayed = await visitor.client.get(back)
    assert replayed.status_code in (400, 422), replayed.text
    assert replayed.headers["content-type"].startswith("application/problem+json")
    assert replayed.json()["errors"][0]["field"] == "state"
    # So is the approval: its session is used up.
    again = await visitor.client.get(url)
    assert again.status_code == 200
    form = approval_form(again.text, shop["shop_id"])
    assert form is not None
    used = await visitor.client.post(urljoin(url, form[0]), data={**form[1], "session": "used-up"})
    assert used.status_code == 400 and "expired or was already used" in used.text


async def test_another_org_cannot_take_a_shop_the_demo_holds(demo_here: DemoApp) -> None:
    visitor = await _visit(demo_here.app)
    plugin = PLUGINS[0]
    shop = next(s for s in (await visitor.get("/api/channels")).json() if s["platform"] == plugin.name)
    rival = await signup(demo_here.app, org="Toko Rival")
    started = await rival.post(
        "/api/channels/connect", json={"platform": plugin.name, "market": shop["market"]}
    )
    assert started.status_code == 200, started.text
    approved = await _approve(rival, started.json()["authorization_url"], shop["shop_id"])
    assert approved.status_code == 302
    taken = await rival.client.get(approved.headers["location"])
    assert taken.status_code == 409 and taken.headers["content-type"].startswith("application/problem+json")
    assert (await rival.get("/api/channels")).json() == []
    assert (await visitor.get(f"/api/channels/{shop['id']}")).json()["status"] == "connected"


async def test_without_the_demo_the_sandboxes_are_not_mounted(test_settings: Settings, db: Database) -> None:
    app = create_app(test_settings, db)  # the demo off: nothing under /_demo, no browser origins
    assert app.state.connectors.browser_origins == {}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=ORIGIN) as client:
        resp = await client.get(f"{MOUNT}/{PLUGINS[0].name}/_sandbox/state")
    assert resp.status_code == 404
