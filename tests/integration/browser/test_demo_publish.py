"""A newcomer publishes in the demo, in a browser: Try the demo, tick a catalog product that no shop sells
yet, publish it to the four demo shops, see four creates and no finding to acknowledge, commit, and its
publish jobs run and take it live on the four sandboxes."""

from __future__ import annotations

from playwright.async_api import Browser, Page, expect

from aiostore.services.demo import publishable
from tests.integration.api.test_demo import DemoApp, demo_app  # noqa: F401  (fixture)
from tests.integration.browser.conftest import open_context, serve

WAIT = 30_000  # ms: a shared 2-core machine; every wait ends as soon as the page shows the thing


async def test_try_the_demo_and_publish_a_new_product_to_the_four_shops(
    demo_app: DemoApp,  # noqa: F811
    browser: Browser,
) -> None:
    async for served in serve(demo_app.app):
        async for tab in open_context(browser, locale="en-GB", viewport={"width": 1280, "height": 900}):
            await _story(served.url, tab.page, demo_app)
    sku = f"{publishable.SKU_PREFIX}-1-M"
    for shop in demo_app.demo.world.shops.values():
        assert any(u.sku == sku for u in shop.harness.units()), shop.plan.platform


async def _story(base: str, page: Page, demo_app: DemoApp) -> None:  # noqa: F811
    await page.goto(f"{base}/login")
    await page.get_by_role("button", name="Try the demo").click()
    await expect(page.get_by_role("heading", name="Overview", level=1)).to_be_visible(timeout=120_000)
    await demo_app.settle()

    await page.get_by_role("link", name="Catalog").click()
    await page.locator("#f-q").fill(f"{publishable.SKU_PREFIX}-1-")
    await page.locator("#f-q").press("Enter")
    product = page.locator('input[name="product"]')
    await expect(product).to_have_count(1, timeout=WAIT)
    await product.check()
    await page.get_by_role("button", name="Publish the chosen products").click()
    await expect(page.get_by_role("heading", name="Publish to shops", level=1)).to_be_visible(timeout=WAIT)
    shops = page.locator('input[name="shop"]')
    await expect(shops).to_have_count(4)
    for n in range(4):
        await shops.nth(n).check()
    await page.get_by_role("button", name="Preview", exact=True).click()

    preview = page.get_by_role("heading", name="Publish preview", level=1)
    await expect(preview).to_be_visible(timeout=4 * WAIT)  # the demo's order loop keeps the worker busy
    rows = page.locator("#list tbody tr")
    await expect(rows).to_have_count(4)
    for n in range(4):
        await expect(rows.nth(n)).to_contain_text("create")
    assert await page.get_by_label("I have read the warnings: publish those targets too").count() == 0
    await page.get_by_role("button", name="Publish to the shops").click()
    await expect(page.get_by_role("status")).to_contain_text("Committed.", timeout=WAIT)
    await expect(page.locator("#jobs-h + ul a")).to_have_count(4)
    await demo_app.settle()
