"""A stock change in the demo, in a browser: Try the demo, write a line on the New stock change form,
read the preview's before → after, commit it, and see the new on hand on the catalog's product page (and
the ledger row the commit wrote). The demo is on and its worker runs in this process (test_demo's
`running_demo`)."""

from __future__ import annotations

from playwright.async_api import Browser, Page, expect
from sqlalchemy import select

from aiostore.db.models import Inventory, Variant
from aiostore.db.session import Database
from aiostore.settings import Settings
from tests.integration.api.test_demo import DemoApp, running_demo
from tests.integration.browser.conftest import open_context, serve

WAIT = 30_000  # ms: a shared 2-core machine; every wait ends as soon as the page shows the thing


async def test_preview_then_commit_a_stock_change_in_the_demo(
    test_settings: Settings, db: Database, browser: Browser
) -> None:
    async with running_demo(test_settings, db) as demo_app:
        async for served in serve(demo_app.app):
            async for tab in open_context(browser, locale="en-GB", viewport={"width": 1280, "height": 900}):
                await _story(served.url, tab.page, demo_app)


async def _story(base: str, page: Page, demo_app: DemoApp) -> None:
    await page.goto(f"{base}/login")
    await page.get_by_role("button", name="Try the demo").click()
    await expect(page.get_by_role("heading", name="Overview", level=1)).to_be_visible(timeout=120_000)
    await demo_app.settle()
    assert demo_app.demo.org_id is not None
    async with demo_app.db.transaction(demo_app.demo.org_id) as session:
        variant, on_hand = (
            await session.execute(
                select(Variant, Inventory.on_hand)
                .join(Inventory, Inventory.variant_id == Variant.id)
                .order_by(Variant.sku)
                .limit(1)
            )
        ).one()
    wanted = on_hand + 7

    await page.get_by_role("link", name="Stock & prices").click()
    await expect(page.get_by_role("heading", name="Stock & prices", level=1)).to_be_visible()
    await page.get_by_role("link", name="New stock change").click()
    await page.get_by_label("One line per item").fill(f"{variant.sku}\t{wanted}")
    await page.locator("#f-reason").fill("counted the shelf")
    await page.get_by_role("button", name="Preview", exact=True).click()

    await expect(page.get_by_role("heading", name="Stock change", level=1)).to_be_visible(timeout=WAIT)
    await expect(page.get_by_role("status")).to_contain_text("Nothing has changed yet")
    row = page.locator("#list tbody tr", has_text=variant.sku)
    await expect(row.locator("td.num").nth(1)).to_have_text(f"{on_hand} → {wanted}")
    await page.get_by_role("button", name="Commit the change").click()
    await expect(page.get_by_role("status")).to_contain_text("Committed.", timeout=WAIT)
    await expect(page.get_by_role("button", name="Preview the revert")).to_be_visible()

    await page.goto(f"{base}/catalog/{variant.product_id}")
    stock = page.locator(f"#v-{variant.id} dl.stock")
    await expect(stock.locator("dt:text-is('On hand') + dd")).to_have_text(str(wanted))
    ledger = page.locator(f"#v-{variant.id} tr", has_text="counted the shelf")  # the ledger's newest row
    await expect(ledger).to_have_count(1)
    await expect(ledger).to_contain_text("stock change")
    await expect(ledger.locator("td.num").first).to_have_text("+7")
