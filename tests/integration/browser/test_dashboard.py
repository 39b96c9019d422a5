"""What only a browser shows: scripts (htmx, charts), the language switch, layout on a phone, no-JS use."""

from __future__ import annotations

import os
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, expect

from aiostore.db.models import ChannelAccount, Customer, Membership, Order, SyncJob
from aiostore.db.session import Database
from aiostore.domain.permissions import Role
from aiostore.services import accounts
from tests.factories import PASSWORD, Caller, product_body
from tests.integration.api.test_channels import World, world  # noqa: F401  (fixture)
from tests.integration.browser.conftest import Browsing, Served, open_context, serve
from tests.integration.pages.test_shops import _connect

SCREENSHOTS = os.environ.get("AIOSTORE_SCREENSHOT_DIR")


async def _sign_in(page: Page, base: str, email: str) -> None:
    await page.goto(f"{base}/login")
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_label("Password").press("Enter")  # the keyboard submits the form
    await expect(page.get_by_role("heading", name="Overview", level=1)).to_be_visible()


async def _seed_today(db: Database, caller: Caller) -> None:
    now = datetime.now(UTC)
    async with db.transaction(caller.org_id, caller.user_id) as s:
        shops = [
            ChannelAccount(
                org_id=caller.org_id, platform="shopee", market="ID", shop_id="1", shop_name="Toko Jaya"
            ),
            ChannelAccount(
                org_id=caller.org_id, platform="lazada", market="MY", shop_id="2", shop_name="Kedai KL"
            ),
        ]
        s.add_all(shops)
        await s.flush()
        for i, (shop, amount, currency) in enumerate(
            [(shops[0], 1_234_568, "IDR"), (shops[1], 123_456_750, "MYR")]
        ):
            s.add(
                Order(
                    org_id=caller.org_id,
                    channel_account_id=shop.id,
                    platform_order_id=f"O-{i}",
                    market=shop.market,
                    status="to_ship",
                    platform_status="READY",
                    currency=currency,
                    total_amount=amount,
                    placed_at=now - timedelta(minutes=5),
                    platform_updated_at=now,
                )
            )


async def test_sign_in_page_in_both_languages_and_the_switch(served: Served, browser: Browser) -> None:
    async for tab in open_context(browser, locale="id-ID"):
        page = tab.page
        await page.goto(f"{served.url}/")  # the front door leads to the sign-in page
        assert page.url == f"{served.url}/login?next=/overview"
        assert await page.get_attribute("html", "lang") == "id"
        await expect(page.get_by_role("heading", name="Masuk")).to_be_visible()
        await page.get_by_role("button", name="EN").click()
        await expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
        assert await page.get_attribute("html", "lang") == "en"
        await page.reload()  # remembered
        assert await page.get_attribute("html", "lang") == "en"
        if SCREENSHOTS:
            await page.screenshot(path=str(Path(SCREENSHOTS) / "sign-in.png"), full_page=True)


async def test_register_then_the_overview_draws_its_chart(
    served: Served, tab: Browsing, db: Database
) -> None:
    page = tab.page
    await page.goto(f"{served.url}/register")
    await page.get_by_label("Your name").fill("Siti")
    await page.get_by_label("Email").fill("siti@example.com")
    await page.get_by_label("Password").fill("short")
    await page.get_by_label("Shop or company name").fill("Toko Siti")
    await page.get_by_role("button", name="Create account").click()
    await expect(page.get_by_text("Use at least 10 characters.")).to_be_visible()  # beside the field
    assert await page.get_by_label("Your name").input_value() == "Siti"
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Create account").click()
    await expect(page.get_by_role("heading", name="Overview", level=1)).to_be_visible()
    me = await page.request.get(f"{served.url}/api/auth/me")
    body = await me.json()
    caller = Caller(None, body["user_id"], body["org_id"], "siti@example.com")  # type: ignore[arg-type]
    await _seed_today(db, caller)
    await page.reload()
    await expect(page.get_by_role("cell", name="Rp 1.234.568")).to_be_visible()
    await expect(page.get_by_role("cell", name="RM1,234,567.50")).to_be_visible()
    drawn = await page.evaluate(
        "() => window.Chart.getChart(document.getElementById('orders-chart')) !== undefined"
    )
    assert drawn is True
    if SCREENSHOTS:
        await page.screenshot(path=str(Path(SCREENSHOTS) / "overview.png"), full_page=True)


async def test_shop_test_updates_in_place_with_htmx(world: World, browser: Browser) -> None:  # noqa: F811
    shop_id = await _connect(world)
    async for served in serve(world.app):
        async for tab in open_context(browser, locale="en-GB"):
            page = tab.page
            await _sign_in(page, served.url, world.owner.email)
            await page.goto(f"{served.url}/shops")
            shop = page.locator(f"#shop-{shop_id}")
            await expect(shop.get_by_role("heading", name="Toko Sandbox")).to_be_visible()
            navigations: list[str] = []
            page.on("framenavigated", lambda frame, seen=navigations: seen.append(frame.url))
            await shop.get_by_role("button", name="Test").click()
            await expect(page.locator(f"#shop-{shop_id} .test-result")).to_contain_text("Test passed in")
            assert navigations == []  # htmx swapped the list; the page stayed
            assert page.url == f"{served.url}/shops"
            await shop.get_by_text("Disconnect…").click()  # <details>: no script needed to confirm
            await page.get_by_role("button", name="Yes, disconnect this shop").click()
            await expect(page.get_by_text("The shop is disconnected.")).to_be_visible()


async def test_a_viewer_sees_pages_without_actions(
    served: Served, browser: Browser, db: Database, owner: Caller
) -> None:
    async with db.transaction(None, None) as s:
        user = await accounts.create_user(s, email="viewer@example.com", password=PASSWORD, display_name="Vi")
    async with db.transaction(owner.org_id, user.id) as s:
        s.add(Membership(org_id=owner.org_id, user_id=user.id, role=Role.VIEWER.value))
        s.add(
            ChannelAccount(
                org_id=owner.org_id, platform="shopee", market="ID", shop_id="9", shop_name="Toko Lihat"
            )
        )
    async for tab in open_context(browser, locale="en-GB"):
        page = tab.page
        await _sign_in(page, served.url, "viewer@example.com")
        await expect(page.get_by_text("Vi · viewer")).to_be_visible()
        await page.get_by_role("link", name="Shops").click()
        await expect(page.get_by_role("heading", name="Toko Lihat")).to_be_visible()
        assert await page.get_by_role("button", name="Test").count() == 0
        assert await page.get_by_role("heading", name="Connect a shop").count() == 0


@pytest.fixture
async def phone(browser: Browser) -> AsyncIterator[Browsing]:
    async for b in open_context(
        browser, locale="id-ID", viewport={"width": 360, "height": 740}, is_mobile=True
    ):
        yield b


async def test_pages_fit_a_phone(served: Served, phone: Browsing, owner: Caller, db: Database) -> None:
    await _seed_today(db, owner)
    page = phone.page
    await page.goto(f"{served.url}/login")
    await page.get_by_label("Email").fill(owner.email)
    await page.get_by_label("Kata sandi").fill(PASSWORD)
    await page.get_by_role("button", name="Masuk").click()
    for path in ("/overview", "/shops"):
        await page.goto(f"{served.url}{path}")
        overflow = await page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, (path, overflow)
    await expect(
        page.get_by_role("heading", name="Ringkasan").or_(page.get_by_role("heading", name="Toko", level=1))
    ).to_be_visible()


async def test_everything_reads_without_javascript(served: Served, browser: Browser, owner: Caller) -> None:
    async for tab in open_context(browser, locale="en-GB", java_script_enabled=False):
        page = tab.page
        await _sign_in(page, served.url, owner.email)
        await page.get_by_role("link", name="Shops").click()
        await expect(page.get_by_role("heading", name="Connect a shop")).to_be_visible()
        await page.get_by_role("button", name="Connect").click()  # nothing chosen: errors beside the fields
        await expect(page.locator("#e-platform")).to_be_visible()
        await page.get_by_role("button", name="ID").click()
        assert re.search(r"/shops$", page.url)
        await expect(page.get_by_role("heading", name="Toko", level=1)).to_be_visible()
        await page.get_by_role("button", name="Keluar").click()
        await expect(page.get_by_role("heading", name="Masuk")).to_be_visible()


async def _seed_orders(db: Database, caller: Caller) -> str:
    now = datetime.now(UTC)
    async with db.transaction(caller.org_id, caller.user_id) as s:
        shop = ChannelAccount(
            org_id=caller.org_id, platform="shopee", market="ID", shop_id="5", shop_name="Toko Lima"
        )
        s.add(shop)
        await s.flush()
        buyer = Customer(
            org_id=caller.org_id,
            channel_account_id=shop.id,
            platform_customer_id="b",
            name="Budi Santoso",
            phone="+62 812-3456-7123",
            address={"street": "Jl. Melati 5", "city": "Bandung"},
        )
        s.add(buyer)
        await s.flush()
        order = Order(
            org_id=caller.org_id,
            channel_account_id=shop.id,
            customer_id=buyer.id,
            platform_order_id="INV-9",
            market="ID",
            status="to_ship",
            platform_status="READY",
            currency="IDR",
            total_amount=99_000,
            placed_at=now,
            platform_updated_at=now,
        )
        s.add(order)
        s.add(SyncJob(org_id=caller.org_id, kind="pull_orders", status="succeeded"))
        await s.flush()
        return str(order.id)


@pytest.mark.parametrize(
    ("locale", "headings"),
    [
        ("en-GB", ["Overview", "Shops", "Catalog", "Orders", "Order INV-9", "Jobs"]),
        ("id-ID", ["Ringkasan", "Toko", "Katalog", "Pesanan", "Pesanan INV-9", "Tugas"]),
    ],
)
async def test_every_page_in_both_languages(
    served: Served, browser: Browser, db: Database, owner: Caller, locale: str, headings: list[str]
) -> None:
    order_id = await _seed_orders(db, owner)
    paths = ["/overview", "/shops", "/catalog", "/orders", f"/orders/{order_id}", "/jobs"]
    async for tab in open_context(browser, locale=locale):
        page = tab.page
        await page.goto(f"{served.url}/login")
        await page.locator("#f-email").fill(owner.email)
        await page.locator("#f-password").fill(PASSWORD)
        await page.locator("#f-password").press("Enter")
        await page.wait_for_url(f"{served.url}/overview")
        for path, heading in zip(paths, headings, strict=True):
            await page.goto(f"{served.url}{path}")
            await expect(page.get_by_role("heading", name=heading, level=1)).to_be_visible()
            assert await page.get_attribute("html", "lang") == locale[:2]


async def test_viewer_sees_masked_buyer_and_no_order_actions(
    served: Served, browser: Browser, db: Database, owner: Caller
) -> None:
    await _seed_orders(db, owner)
    async with db.transaction(None, None) as s:
        user = await accounts.create_user(s, email="viewer@example.com", password=PASSWORD, display_name="Vi")
    async with db.transaction(owner.org_id, user.id) as s:
        s.add(Membership(org_id=owner.org_id, user_id=user.id, role=Role.VIEWER.value))
    async for tab in open_context(browser, locale="en-GB"):
        page = tab.page
        await _sign_in(page, served.url, "viewer@example.com")
        await page.get_by_role("link", name="Orders").click()
        await page.get_by_role("link", name="INV-9").click()
        await expect(page.get_by_text("Bu** S******")).to_be_visible()
        await expect(page.get_by_text("The buyer's details are hidden for your role.")).to_be_visible()
        assert await page.get_by_text("Budi Santoso").count() == 0
        assert await page.get_by_text("Jl. Melati 5").count() == 0
        assert await page.get_by_role("button", name="Ship the order").count() == 0


async def test_jobs_list_updates_live(served: Served, tab: Browsing, db: Database, owner: Caller) -> None:
    page = tab.page
    await _sign_in(page, served.url, owner.email)
    opened = page.wait_for_event("response", lambda r: r.url.endswith("/api/jobs/events"))
    await page.goto(f"{served.url}/jobs")
    await expect(page.get_by_text("No jobs yet.")).to_be_visible()
    await opened  # the stream's headers arrived; its LISTEN may still be a moment behind, so a change
    for attempt in range(3):  # made in that moment is not reported, and the next one is
        async with db.transaction(owner.org_id, owner.user_id) as s:
            s.add(
                SyncJob(
                    org_id=owner.org_id, kind="push_stock", status="failed", error=f"quota gone {attempt}"
                )
            )
        try:
            await expect(page.get_by_text(f"quota gone {attempt}")).to_be_visible(timeout=4_000)
            break
        except AssertionError:
            continue
    else:
        raise AssertionError("the jobs list never updated from the event stream")
    assert page.url == f"{served.url}/jobs"  # no reload: the SSE event made htmx fetch the list


async def test_a_search_fetches_its_list_once_and_a_tick_survives(
    served: Served, tab: Browsing, owner: Caller
) -> None:
    """Enter in the search field is a change, a submit and a key-up: each used to fetch the same list and
    swap it in, and a product ticked after the first swap was unticked by the next one."""
    for sku in ("FIND", "OTHER"):
        assert (await owner.post("/api/products", json=product_body(sku))).status_code == 201
    page = tab.page
    await _sign_in(page, served.url, owner.email)
    await page.get_by_role("link", name="Catalog").click()
    await expect(page.locator('input[name="product"]')).to_have_count(2)
    fetched: list[str] = []
    page.on("request", lambda r: fetched.append(r.url) if r.headers.get("hx-request") else None)
    await page.locator("#f-q").fill("FIND-")
    async with page.expect_response(lambda r: "/catalog?" in r.url):
        await page.locator("#f-q").press("Enter")
    product = page.locator('input[name="product"]')
    await expect(product).to_have_count(1)
    await product.check()
    await page.wait_for_timeout(1_000)  # past the search field's 400 ms key-up delay
    assert len(fetched) == 1, fetched
    await expect(product).to_be_checked()
    async with page.expect_request(lambda r: "/catalog?" in r.url):
        await page.get_by_role("button", name="Filter").click()  # pressed on purpose: fetched again
    await page.locator("#f-q").fill("")
    async with page.expect_request(lambda r: "q=OTHER-" in r.url):
        await page.locator("#f-q").press_sequentially("OTHER-")  # typed: fetched once the typing pauses
    await expect(page.get_by_role("link", name="Kaos Polos Premium")).to_have_count(1)
