"""What only a browser shows on the admin pages: a token's secret copied to the clipboard and gone on
reload, the organisation switch in the header, every new page in both languages."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from playwright.async_api import Browser, Page, expect

from aiostore.db.session import Database
from tests.factories import PASSWORD, Caller, signup
from tests.integration.browser.conftest import Browsing, Served, open_context


async def _sign_in(page: Page, base: str, email: str) -> None:
    await page.goto(f"{base}/login")
    await page.locator("#f-email").fill(email)
    await page.locator("#f-password").fill(PASSWORD)
    await page.locator("#f-password").press("Enter")
    await page.wait_for_url(f"{base}/overview")


async def test_token_secret_is_copyable_and_shown_once(served: Served, tab: Browsing, owner: Caller) -> None:
    page = tab.page
    await tab.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=served.url)
    await _sign_in(page, served.url, owner.email)
    await page.get_by_role("link", name="API tokens").click()
    await page.get_by_label("Name").fill("stock script")
    await page.get_by_role("button", name="Create the token").click()
    secret = page.locator("#new-token")
    await expect(secret).to_be_visible()
    value = await secret.input_value()
    assert value.startswith("aio_")
    copy = page.get_by_role("button", name="Copy")
    await copy.click()
    await expect(page.get_by_role("button", name="Copied")).to_be_visible()
    assert await page.evaluate("navigator.clipboard.readText()") == value
    await page.goto(f"{served.url}/tokens")
    await expect(page.get_by_role("cell", name="stock script")).to_be_visible()
    assert value not in await page.content()
    await page.get_by_text("Revoke…").click()
    await page.get_by_role("button", name="Revoke “stock script” now").click()
    await expect(page.get_by_text("The token is revoked.")).to_be_visible()


async def test_switching_organisation_from_the_header(
    served: Served, tab: Browsing, app: FastAPI, owner: Caller
) -> None:
    other = await signup(app, email="ayu@example.com", org="Toko Ayu")
    invited = await other.post("/api/org/members", json={"email": owner.email, "role": "viewer"})
    await owner.post(f"/api/invitations/{invited.json()['invitation_id']}/accept")
    await owner.post("/api/auth/switch-org", json={"org_id": str(owner.org_id)})
    page = tab.page
    await _sign_in(page, served.url, owner.email)
    switch = page.get_by_label("Organisation")
    await expect(switch).to_have_value(str(owner.org_id))
    await switch.select_option(label="Toko Ayu")
    await page.get_by_role("button", name="Switch").click()
    await expect(page.get_by_text("You are now working in this organisation.")).to_be_visible()
    await expect(page.get_by_label("Organisation")).to_have_value(str(other.org_id))
    await page.get_by_role("link", name="Members").click()
    await expect(page.get_by_role("cell", name="ayu@example.com")).to_be_visible()
    assert await page.get_by_role("button", name="Invite").count() == 0  # a viewer there


@pytest.mark.parametrize(
    ("locale", "headings"),
    [
        ("en-GB", ["Listings", "Members", "API tokens", "Audit log", "Settings", "Invitations"]),
        ("id-ID", ["Listing", "Anggota", "Token API", "Log audit", "Pengaturan", "Undangan"]),
    ],
)
async def test_new_pages_in_both_languages(
    served: Served, browser: Browser, db: Database, owner: Caller, locale: str, headings: list[str]
) -> None:
    paths = ["/listings", "/members", "/tokens", "/audit", "/settings", "/invitations"]
    async for tab in open_context(browser, locale=locale):
        await _sign_in(tab.page, served.url, owner.email)
        for path, heading in zip(paths, headings, strict=True):
            await tab.page.goto(f"{served.url}{path}")
            await expect(tab.page.get_by_role("heading", name=heading, level=1)).to_be_visible()
            assert await tab.page.get_attribute("html", "lang") == locale[:2]
