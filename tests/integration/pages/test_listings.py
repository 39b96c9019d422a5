"""Listings: per shop with sync state, platform vs our stock, errors and overrides; linking one by the
master SKU (bad SKU shown beside the field), importing a shop's unmatched ones; roles and other orgs."""

from __future__ import annotations

import uuid

from fastapi import FastAPI
from sqlalchemy import select

from aiostore.db.models import AuditLog, ChannelAccount, Listing, Product
from aiostore.db.session import Database
from aiostore.domain.permissions import Role
from tests.factories import Caller, member_token, product_body
from tests.integration.pages.conftest import HTML, form, get_page, squash, submit


async def _seed(db: Database, caller: Caller) -> dict[str, Listing]:
    async with db.transaction(caller.org_id, caller.user_id) as s:
        shop = ChannelAccount(
            org_id=caller.org_id, platform="shopee", market="ID", shop_id="55", shop_name="Toko Lima"
        )
        s.add(shop)
        await s.flush()
        made = {
            "loose": Listing(
                org_id=caller.org_id,
                channel_account_id=shop.id,
                platform_item_id="900",
                platform_model_id="1",
                platform_sku="TOPI-HITAM",
                title="Topi Hitam",
                platform_stock=7,
                platform_state={"price": {"amount": 50_000, "currency": "IDR"}, "stock": 7},
            ),
            "broken": Listing(
                org_id=caller.org_id,
                channel_account_id=shop.id,
                platform_item_id="901",
                platform_sku=None,
                title="Kaos Rusak",
                sync_state="error",
                last_error="stock push refused: item banned",
                overrides={"price": 61_000},
            ),
        }
        s.add_all(made.values())
    return made


async def test_list_filters_and_states(db: Database, owner: Caller) -> None:
    made = await _seed(db, owner)
    page = squash((await get_page(owner, "/listings")).text)
    assert "Topi Hitam" in page and "Kaos Rusak" in page
    assert "900 / 1 · TOPI-HITAM · active" in page
    assert '<td class="num">7</td>' in page
    assert "stock push refused: item banned" in page and "<code>price</code>: 61000" in page
    errors = squash((await get_page(owner, "/listings?sync_state=error")).text)
    assert "Kaos Rusak" in errors and "Topi Hitam" not in errors
    searched = await get_page(owner, "/listings?q=topi", **{"HX-Request": "true"})
    assert searched.text.startswith('<div id="list">')
    assert "Topi Hitam" in searched.text and "Kaos Rusak" not in searched.text
    bad = await get_page(owner, "/listings?sync_state=exploded")
    assert bad.status_code == 422 and 'id="e-sync_state"' in bad.text
    indonesian = squash((await get_page(owner, "/listings", **{"Accept-Language": "id"})).text)
    assert "Stok platform" in indonesian and "belum terhubung" in indonesian
    assert f'id="listing-{made["loose"].id}"' in page


async def test_link_by_sku_and_bad_sku_beside_the_field(db: Database, owner: Caller) -> None:
    made = await _seed(db, owner)
    created = await owner.post("/api/products", json=product_body("TOPI"))
    assert created.status_code == 201, created.text
    listing = made["loose"]
    bad = await submit(owner, f"/listings/{listing.id}/link", form(owner, sku="NOPE-1"))
    assert bad.status_code == 422
    assert f'id="e-sku-{listing.id}" class="field-error">No master variant has this SKU.' in bad.text
    assert 'value="NOPE-1"' in bad.text
    done = await submit(owner, f"/listings/{listing.id}/link", form(owner, sku="TOPI-M"))
    assert done.status_code == 303 and done.headers["location"].startswith("/listings?done=linked")
    async with db.transaction(owner.org_id, owner.user_id) as s:
        linked = await s.get(Listing, listing.id)
        assert linked is not None and linked.variant_id is not None and linked.stock_dirty
        entry = await s.scalar(select(AuditLog).where(AuditLog.action == "listing.linked"))
        assert entry is not None and entry.entity_id == str(listing.id)
    page = squash((await get_page(owner, "/listings?done=linked")).text)
    assert "TOPI-M" in page and "(to push)" in page
    assert "Its stock follows the variant." in page


async def test_import_dry_run_then_for_real(db: Database, owner: Caller) -> None:
    made = await _seed(db, owner)
    shop = made["loose"].channel_account_id
    dry = await submit(owner, "/listings/import", form(owner, channel_account_id=str(shop), dry_run="true"))
    assert dry.status_code == 200
    text = squash(dry.text)
    assert "Dry run: 1 products with 1 variants would be created." in text
    assert "Skipped:" in text and "no seller SKU" in text
    async with db.transaction(owner.org_id, owner.user_id) as s:
        assert (await s.scalars(select(Product))).all() == []
    real = await submit(owner, "/listings/import", form(owner, channel_account_id=str(shop)))
    assert "1 products with 1 variants were created" in squash(real.text)
    async with db.transaction(owner.org_id, owner.user_id) as s:
        loose = await s.get(Listing, made["loose"].id)
        assert loose is not None and loose.variant_id is not None
    bad = await submit(owner, "/listings/import", form(owner, channel_account_id=""))
    assert bad.status_code == 422 and 'id="e-import-shop" class="field-error"' in bad.text


async def test_viewer_sees_no_actions_and_other_orgs_nothing(
    app: FastAPI, db: Database, owner: Caller, other_org: Caller
) -> None:
    made = await _seed(db, owner)
    viewer = await member_token(app, db, owner.org_id, Role.VIEWER)
    page = await viewer.get("/listings", headers=HTML)
    assert page.status_code == 200 and "Topi Hitam" in page.text
    assert "/link" not in page.text and "/listings/import" not in page.text
    refused = await viewer.post(f"/listings/{made['loose'].id}/link", data={"sku": "X"}, headers=HTML)
    assert refused.status_code == 403
    foreign = squash((await get_page(other_org, "/listings")).text)
    assert "Topi Hitam" not in foreign
    gone = await submit(other_org, f"/listings/{made['loose'].id}/link", form(other_org, sku=""))
    assert gone.status_code == 404
    not_theirs = await submit(
        other_org, "/listings/import", form(other_org, channel_account_id=str(uuid.uuid4()))
    )
    assert not_theirs.status_code == 404


async def test_api_import_and_filters(db: Database, owner: Caller) -> None:
    made = await _seed(db, owner)
    shop = str(made["loose"].channel_account_id)
    found = await owner.get("/api/listings", params={"sync_state": "error"})
    assert [x["title"] for x in found.json()["items"]] == ["Kaos Rusak"]
    bad = await owner.get("/api/listings", params={"sync_state": "nope"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "sync_state"
    dry = await owner.post("/api/listings/import", json={"channel_account_id": shop, "dry_run": True})
    assert dry.status_code == 200, dry.text
    assert dry.json()["variants"] == 1 and dry.json()["skipped"][0]["sku"] is None
    missing = await owner.post("/api/listings/import", json={})
    assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "channel_account_id"
