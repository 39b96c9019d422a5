"""Connect on the demo's Shops page, in a browser, for every platform: disconnect the demo shop, choose
the platform and country, continue to the sandbox's approval page (served on our own origin under
/_demo/sandbox/), approve, and land back on the Shops page with the shop connected, its token expiry
shown and its first pull done. The service's address is its public URL here (the callback's origin)."""

from __future__ import annotations

import re

from playwright.async_api import Browser, Page, expect
from sqlalchemy import select

from aiostore.connectors import registry
from aiostore.db.models import ChannelAccount, SyncJob
from aiostore.db.session import Database
from aiostore.services.demo.world import MOUNT
from aiostore.settings import Settings
from tests.integration.api.test_demo import DemoApp, running_demo
from tests.integration.browser.conftest import free_port, open_context, serve

WAIT = 30_000  # ms: a shared 2-core machine; every wait ends as soon as the page shows the thing


async def test_connect_a_demo_shop_through_the_sandbox_page(
    test_settings: Settings, db: Database, browser: Browser
) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    async with running_demo(test_settings, db, host="127.0.0.1", port=port) as demo_app:
        async for served in serve(demo_app.app, port):
            assert served.url == base
            async for tab in open_context(browser, locale="en-GB", viewport={"width": 1280, "height": 900}):
                await _story(base, tab.page, demo_app)


async def _story(base: str, page: Page, demo_app: DemoApp) -> None:
    await page.goto(f"{base}/login")
    await page.get_by_role("button", name="Try the demo").click()
    await expect(page.get_by_role("heading", name="Overview", level=1)).to_be_visible(timeout=120_000)
    await demo_app.settle()
    assert demo_app.demo.org_id is not None
    async with demo_app.db.transaction(demo_app.demo.org_id) as session:
        shops = {a.platform: (a.id, a.market) for a in await session.scalars(select(ChannelAccount))}

    for plugin in registry.plugins():
        channel_id, market = shops[plugin.name]
        await page.goto(f"{base}/shops")
        shop = page.locator(f"#shop-{channel_id}")
        await shop.get_by_text("Disconnect…").click()
        await shop.get_by_role("button", name="Yes, disconnect this shop").click()
        await expect(shop.locator(".status")).to_have_text("disconnected")

        await page.locator("#f-platform").select_option(plugin.name)
        await page.locator("#f-market").select_option(market)
        await page.get_by_role("button", name="Connect", exact=True).click()
        await page.locator("#authorize").click()
        mounted = re.compile(re.escape(f"{base}{MOUNT}/{plugin.name}/"))  # the sandbox on our origin
        await expect(page).to_have_url(mounted, timeout=WAIT)
        await page.locator("form button[type=submit]").click()

        await expect(page).to_have_url(f"{base}/shops?done=connected#shop-{channel_id}", timeout=WAIT)
        await expect(shop.locator(".status")).to_have_text("connected")
        renews = shop.locator("dt:text-is('Access token renews') + dd")
        await expect(renews).not_to_have_text("—")
        await expect(renews).not_to_be_empty()

        # Its first pulls, queued by the connection, are the worker's ordinary jobs: they succeed.
        await demo_app.settle()
        async with demo_app.db.transaction(demo_app.demo.org_id) as session:
            jobs = await session.scalars(
                select(SyncJob).where(SyncJob.channel_account_id == channel_id).order_by(SyncJob.created_at)
            )
            # (not the worker's periodic reconcile, which may have queued one for the shop meanwhile)
            newest = [(j.kind, j.status) for j in jobs if j.kind != "reconcile"][-2:]
        assert sorted(newest) == [("pull_orders", "succeeded"), ("pull_products", "succeeded")]
        await page.reload()
        await expect(shop.locator("dt:text-is('Products last synced') + dd")).not_to_have_text("never")
