"""Publishing in a browser, on a test market of sandbox shops (tests/integration/sync): a product ready
to sell on Shopee is ticked on the catalog, published to the Shopee sandbox shop, previewed (the listing
to create and its title), committed (its warnings acknowledged), and the publish job it queued is linked,
run by the real worker, and creates the listing on the sandbox."""

from __future__ import annotations

from playwright.async_api import Browser, Page, expect

from tests.factories import PASSWORD, Caller
from tests.integration.browser.conftest import open_context, serve
from tests.integration.publish import support
from tests.integration.sync.conftest import MarketFactory, make_market  # noqa: F401
from tests.integration.sync.marketplace import Market

WAIT = 30_000  # ms: a shared 2-core machine; every wait ends as soon as the page shows the thing


async def test_publish_a_catalog_product_to_a_sandbox_shop(
    make_market: MarketFactory,  # noqa: F811
    browser: Browser,
) -> None:
    market, owner = await make_market(["shopee"], products=0)
    shops = await support.connect_all(market, owner)
    leaf = support.plain_leaf("shopee")
    await support.read_categories(market, {"shopee": [leaf]})
    made = await support.product(owner, "BRW")
    await support.map_to(owner, made["id"], "shopee", leaf)
    async for served in serve(market.app):
        async for tab in open_context(browser, locale="en-GB", viewport={"width": 1280, "height": 900}):
            await _story(served.url, tab.page, market, owner, made["id"], str(shops["shopee"]))
    [listing, *_] = await support.listings(market, shops["shopee"])
    assert listing.platform_item_id and not listing.platform_item_id.startswith("pending:")


async def _story(base: str, page: Page, market: Market, owner: Caller, product: str, shop: str) -> None:
    await page.goto(f"{base}/login")
    await page.get_by_label("Email").fill(owner.email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("heading", name="Overview", level=1)).to_be_visible(timeout=WAIT)

    await page.get_by_role("link", name="Catalog").click()
    await page.locator(f'input[name="product"][value="{product}"]').check()
    await page.get_by_role("button", name="Publish the chosen products").click()
    await expect(page.get_by_role("heading", name="Publish to shops", level=1)).to_be_visible(timeout=WAIT)
    await page.locator(f'input[name="shop"][value="{shop}"]').check()
    await page.get_by_role("button", name="Preview", exact=True).click()

    await expect(page.get_by_role("heading", name="Publish preview", level=1)).to_be_visible(timeout=WAIT)
    row = page.locator("#list tbody tr")
    await expect(row).to_have_count(1)
    await expect(row).to_contain_text("create")
    await expect(row).to_contain_text("→ Kaos Polos Katun Premium BRW")
    acknowledge = page.get_by_label("I have read the warnings: publish those targets too")
    if await acknowledge.count():
        await acknowledge.check()
    await page.get_by_role("button", name="Publish to the shops").click()
    await expect(page.get_by_role("status")).to_contain_text("Committed.", timeout=WAIT)
    job = page.locator("#jobs-h + ul a")
    await expect(job).to_have_count(1)
    await expect(page.get_by_role("button", name="Preview the revert")).to_be_visible()
    await market.settle()
    await job.click()
    await expect(page.get_by_role("heading", level=1)).to_be_visible(timeout=WAIT)
    assert "/jobs/" in page.url
