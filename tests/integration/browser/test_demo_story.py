"""A newcomer's first minutes, in a browser: register, sign out, Try the demo, watch a sale arrive on the
Orders page, its stock change on every shop on the Listings page, its jobs go by live on the Jobs page, and
ship the order with the pickup form. The demo is on and the worker runs in this process (test_demo's
`demo_app`); the sale is placed through the demo sandbox's own harness, as the demo's order loop does."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

from playwright.async_api import Browser, Page, expect

from aiostore.sandbox.common.harness import SandboxHarness, SellableUnit
from tests.factories import PASSWORD
from tests.integration.api.test_demo import DemoApp, demo_app  # noqa: F401  (fixture)
from tests.integration.browser.conftest import Browsing, Served, open_context, serve

WAIT = 30_000  # ms: a shared 2-core machine; every wait ends as soon as the page shows the thing
LOOK = 1_000  # ms: how long one look at a page that does not update itself waits


async def _served_demo(demo_app: DemoApp) -> AsyncIterator[Served]:  # noqa: F811
    async for s in serve(demo_app.app):
        yield s


async def _register(page: Page, base: str) -> None:
    await page.goto(f"{base}/login")
    await page.get_by_role("link", name="Create an account").click()
    await page.get_by_label("Your name").fill("Sari")
    await page.get_by_label("Email").fill("sari@example.com")
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_label("Shop or company name").fill("Toko Sari")
    await page.get_by_role("button", name="Create account").click()
    await expect(page.get_by_role("heading", name="Overview", level=1)).to_be_visible(timeout=WAIT)
    await page.get_by_role("button", name="Sign out").click()
    await expect(page.get_by_role("heading", name="Sign in")).to_be_visible(timeout=WAIT)


async def _reload_until(page: Page, url: str, shows: Callable[[int], Awaitable[None]]) -> None:
    """Pages without a live stream: open `url` again until `shows(timeout_ms)` passes on it."""
    for _ in range(WAIT // LOOK):
        await page.goto(url)
        try:
            await shows(LOOK)
            return
        except AssertionError:
            continue
    await shows(LOOK)  # the last look fails with Playwright's own message


def _unit_to_sell(demo_app: DemoApp) -> tuple[SandboxHarness, SellableUnit]:  # noqa: F811
    """A unit sold on every demo shop (not the master's, whose SKUs the others follow) with stock to sell."""
    shops = list(demo_app.demo.world.shops.values())
    seller = shops[-1].harness
    others = [s.harness for s in shops[:-1]]
    only = f"{shops[-1].plan.unmatched_prefix}-ONLY"
    sold = next(
        u
        for u in seller.units()
        if not u.sku.startswith(only)
        and u.stock - u.reserved >= 3
        and all(any(o.sku == u.sku for o in h.units()) for h in others)
    )
    return seller, sold


async def test_register_then_the_demo_a_sale_everywhere_and_ship_it(
    demo_app: DemoApp,  # noqa: F811
    browser: Browser,
) -> None:
    async for served in _served_demo(demo_app):
        async for tab in open_context(browser, locale="en-GB", viewport={"width": 1280, "height": 900}):
            await _story(served.url, tab, demo_app)


async def _story(base: str, tab: Browsing, demo_app: DemoApp) -> None:  # noqa: F811
    page = tab.page
    await _register(page, base)
    await page.get_by_role("button", name="Try the demo").click()
    await expect(page.get_by_role("heading", name="Overview", level=1)).to_be_visible(timeout=120_000)
    await demo_app.settle()  # the first pulls' jobs are done: what follows is the sale's

    jobs = await tab.context.new_page()  # a second tab keeps the Jobs page open; it updates itself
    jobs.on("console", lambda m: tab.watch.errors.append(m.text) if m.type == "error" else None)
    jobs.on("pageerror", lambda exc: tab.watch.errors.append(str(exc)))
    await jobs.goto(f"{base}/jobs")
    await expect(jobs.get_by_text("This list updates by itself")).to_be_visible()
    pushes = jobs.locator("#list tr", has_text="push stock")
    ship = jobs.locator("#list tr", has_text="ship order")
    # The build's pushes (by their links: the list shows a page of the newest jobs, so the sale's rows
    # push older ones off it and a count says nothing); what comes next, the page learns by itself.
    built = [await link.get_attribute("href") for link in await pushes.locator("a").all()]
    await expect(ship).to_have_count(0)

    # What every shop offers of the variant before the sale (one row per shop).
    seller, sold = _unit_to_sell(demo_app)
    await page.goto(f"{base}/listings?q={sold.sku}")
    listings = page.locator("#list tbody tr")
    shops = len(demo_app.demo.world.shops)
    await expect(listings).to_have_count(shops)
    ours = [await listings.nth(i).locator("td.num").nth(1).inner_text() for i in range(shops)]
    assert len(set(ours)) == 1, ours  # one stock pool behind every shop
    left = str(int(ours[0]) - 2)

    order_number = seller.place_order([(sold.item_id, sold.variant_id, 2)])  # a buyer orders two

    # The sale's stock goes out to the other shops: the open Jobs page shows the pushes succeed.
    new_push = pushes.locator("a" + "".join(f':not([href="{href}"])' for href in built))
    await expect(new_push.first).to_be_visible(timeout=WAIT)
    unfinished = pushes.locator(".job-status:not(.succeeded)")
    await expect(unfinished).to_have_count(0, timeout=WAIT)
    await expect(pushes.first.locator(".job-status")).to_have_text("succeeded")

    # The order arrived.
    row = page.locator("#list tr", has=page.get_by_role("link", name=order_number, exact=True))
    await _reload_until(page, f"{base}/orders", lambda ms: expect(row).to_be_visible(timeout=ms))
    await expect(row).to_contain_text("to ship")

    # Every shop offers two fewer: our stock, and what the push set on the platform.
    async def two_fewer(ms: int) -> None:
        await expect(listings).to_have_count(shops, timeout=ms)
        for i in range(shops):
            await expect(listings.nth(i).locator("td.num")).to_have_text([left, left], timeout=ms)

    await _reload_until(page, f"{base}/listings?q={sold.sku}", two_fewer)

    # Ship it: pickup by the courier; the Jobs tab shows the ship job succeed.
    await page.goto(f"{base}/orders")
    await row.get_by_role("link", name=order_number, exact=True).click()
    await expect(page.get_by_role("heading", name=f"Order {order_number}")).to_be_visible()
    facts = page.locator("dl.facts")
    tracking = facts.locator("dt", has_text="Tracking number")
    await expect(tracking).to_have_count(0)  # nothing sent yet
    status = facts.locator("dt:text-is('Status') + dd")
    before_ship = await status.inner_text()
    await page.get_by_label("How").select_option(label="Pickup by the courier")
    await page.get_by_role("button", name="Ship the order").click()
    await expect(page.get_by_role("status")).to_contain_text("Requested.")
    await expect(ship.first.locator(".job-status")).to_have_text("succeeded", timeout=WAIT)

    # The job read the order back: the marketplace's new status and the courier's tracking number.
    async def sent(ms: int) -> None:
        await expect(tracking).to_have_count(1, timeout=ms)
        await expect(status).not_to_have_text(before_ship, timeout=ms)

    await _reload_until(page, page.url, sent)
