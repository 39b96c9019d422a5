"""One listing's page: the platform's review (state, the platform's reason and code), its overrides and
the form that changes them (CSRF field, errors beside each field, entered values kept); a viewer sees
no form and is refused; another org's listing is not found."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import FastAPI
from sqlalchemy import select

from aiostore.db.models import AuditLog, ChannelAccount, Listing
from aiostore.db.session import Database
from aiostore.domain.permissions import Role
from tests.factories import Caller, member_token
from tests.integration.pages.conftest import HTML, form, get_page, squash, submit


async def _rejected(db: Database, caller: Caller) -> Listing:
    async with db.transaction(caller.org_id, caller.user_id) as s:
        shop = ChannelAccount(
            org_id=caller.org_id, platform="lazada", market="SG", shop_id="77", shop_name="Toko Singa"
        )
        s.add(shop)
        await s.flush()
        listing = Listing(
            org_id=caller.org_id,
            channel_account_id=shop.id,
            platform_item_id="3001",
            title="Kaos Singa",
            status="banned",
            review_state="rejected",
            review_reason="Product image contains a watermark",
            review_code="IMG_WM",
            review_checked_at=datetime(2026, 12, 6, 8, 0, tzinfo=UTC),
            overrides={"title": "Kaos Singa Edisi SG"},
        )
        s.add(listing)
    return listing


async def test_review_and_overrides_shown_then_changed(db: Database, owner: Caller) -> None:
    listing = await _rejected(db, owner)
    page = squash((await get_page(owner, f"/listings/{listing.id}")).text)
    assert 'id="review" class="review rejected"> rejected' in page
    assert "Product image contains a watermark <code>IMG_WM</code>" in page
    assert 'name="csrf_token"' in page and 'value="Kaos Singa Edisi SG"' in page
    assert "Price (SGD)" in page
    listed = squash((await get_page(owner, "/listings")).text)
    assert "review: rejected" in listed and "Product image contains a watermark" in listed
    fields = {
        "title": "Kaos Singa Baru",
        "price": "19.9",
        "images": "https://img.example/a.jpg\n\nhttps://img.example/b.jpg",
    }
    done = await submit(owner, f"/listings/{listing.id}/overrides", form(owner, **fields, description=""))
    assert done.status_code == 303 and done.headers["location"] == f"/listings/{listing.id}?done=overrides"
    async with db.transaction(owner.org_id, owner.user_id) as s:
        saved = await s.get(Listing, listing.id)
        assert saved is not None and saved.overrides == {
            "title": "Kaos Singa Baru",
            "price": "19.90",
            "images": ["https://img.example/a.jpg", "https://img.example/b.jpg"],
        }
        entry = await s.scalar(select(AuditLog).where(AuditLog.action == "listing.overrides_set"))
        assert entry is not None and entry.entity_id == str(listing.id)
    shown = squash((await get_page(owner, f"/listings/{listing.id}?done=overrides")).text)
    assert "overrides are saved. The next publish sends them" in shown and 'value="19.90"' in shown
    cleared = await submit(owner, f"/listings/{listing.id}/overrides/clear", form(owner))
    assert cleared.status_code == 303
    assert (
        "No overrides" not in (await get_page(owner, f"/listings/{listing.id}")).text
    )  # the owner sees the form
    async with db.transaction(owner.org_id, owner.user_id) as s:
        gone = await s.get(Listing, listing.id)
        assert gone is not None and gone.overrides == {}


async def test_errors_beside_each_field_with_the_values_kept(db: Database, owner: Caller) -> None:
    listing = await _rejected(db, owner)
    bad = await submit(
        owner,
        f"/listings/{listing.id}/overrides",
        form(owner, title="Kaos", price="19.999", images="ftp://img.example/a.jpg", description=""),
    )
    assert bad.status_code == 422
    text = squash(bad.text)
    assert 'id="e-price" class="field-error">SGD allows at most 2 decimal places' in text
    assert 'id="e-images" class="field-error">an image is an http(s) URL' in text
    assert 'value="19.999"' in text and "ftp://img.example/a.jpg</textarea>" in text
    async with db.transaction(owner.org_id, owner.user_id) as s:
        kept = await s.get(Listing, listing.id)
        assert kept is not None and kept.overrides == {"title": "Kaos Singa Edisi SG"}
    no_csrf = await owner.client.post(f"/listings/{listing.id}/overrides", data={"title": "X"}, headers=HTML)
    assert no_csrf.status_code == 403


async def test_viewer_sees_no_form_and_other_orgs_nothing(
    app: FastAPI, db: Database, owner: Caller, other_org: Caller
) -> None:
    listing = await _rejected(db, owner)
    viewer = await member_token(app, db, owner.org_id, Role.VIEWER)
    page = await viewer.get(f"/listings/{listing.id}", headers=HTML)
    assert page.status_code == 200 and "Product image contains a watermark" in page.text
    assert "/overrides" not in page.text and "Kaos Singa Edisi SG" in page.text
    refused = await viewer.post(f"/listings/{listing.id}/overrides", data={"title": "X"}, headers=HTML)
    assert refused.status_code == 403
    assert (await get_page(other_org, f"/listings/{listing.id}")).status_code == 404
    gone = await submit(other_org, f"/listings/{listing.id}/overrides", form(other_org, title="Milik orang"))
    assert gone.status_code == 404
