"""The reports page in a browser: its charts drawn (Chart.js under the strict CSP), in both languages."""

from __future__ import annotations

from datetime import UTC, datetime

from playwright.async_api import Browser, Page, expect

from aiostore.db.session import Database
from tests.factories import Caller
from tests.integration.browser.conftest import Served, open_context
from tests.integration.browser.test_dashboard import _sign_in
from tests.integration.reports.seed import seed


async def test_reports_draw_their_charts_in_both_languages(
    served: Served, browser: Browser, db: Database, owner: Caller
) -> None:
    await seed(db, owner)
    assert datetime.now(UTC).year >= 2026
    for locale, heading, tab_name in (("en-GB", "Reports", "Products"), ("id-ID", "Laporan", "Produk")):
        async for tab in open_context(browser, locale=locale):
            page = tab.page
            await _sign_in(page, served.url, owner.email) if locale == "en-GB" else await _sign_in_id(
                page, served.url, owner.email
            )
            await page.goto(f"{served.url}/reports?from=2026-11-01&to=2026-11-07")
            await expect(page.get_by_role("heading", name=heading, level=1)).to_be_visible()
            await expect(page.get_by_role("cell", name="Rp 210.000")).to_be_visible()
            await _drawn(page, "chart-sales-IDR-canvas")
            await page.get_by_role("link", name=tab_name).click()
            await expect(page.get_by_role("cell", name="KAOS-1").first).to_be_visible()
            await _drawn(page, "chart-best-canvas")


async def _drawn(page: Page, canvas: str) -> None:
    """Chart.js drew on the canvas. Waited for: the table's cells can show before the page's deferred
    scripts have run (the test once looked at `window.Chart` before Chart.js had loaded); a chart never
    drawn fails on the time-out."""
    await page.wait_for_function(
        "(id) => window.Chart !== undefined"
        " && window.Chart.getChart(document.getElementById(id)) !== undefined",
        arg=canvas,
    )


async def _sign_in_id(page: object, base: str, email: str) -> None:
    from tests.factories import PASSWORD

    await page.goto(f"{base}/login")  # type: ignore[attr-defined]
    await page.get_by_label("Email").fill(email)  # type: ignore[attr-defined]
    await page.get_by_label("Kata sandi").fill(PASSWORD)  # type: ignore[attr-defined]
    await page.get_by_label("Kata sandi").press("Enter")  # type: ignore[attr-defined]
    await expect(page.get_by_role("heading", name="Ringkasan", level=1)).to_be_visible()  # type: ignore[attr-defined]
