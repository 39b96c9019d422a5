"""Per-listing overrides through the API: stored as the publish preview reads them, checked with the
platform's content rules for the listing's market (422 naming the field), audited, operator and above
only, another org's listing a 404; GET /api/listings/{id} shows them with the review state."""

from __future__ import annotations

import uuid

import httpx
from fastapi import FastAPI

from aiostore.db.models import ChannelAccount, Listing
from aiostore.db.session import Database
from aiostore.domain.permissions import Role
from tests.factories import Caller, member_token


async def a_listing(db: Database, owner: Caller, market: str = "SG", platform: str = "shopee") -> str:
    async with db.transaction(owner.org_id, owner.user_id) as s:
        shop = ChannelAccount(
            org_id=owner.org_id, platform=platform, market=market, shop_id=f"s-{uuid.uuid4().hex[:6]}",
            shop_name="Toko",
        )  # fmt: skip
        s.add(shop)
        await s.flush()
        listing = Listing(
            org_id=owner.org_id, channel_account_id=shop.id, platform_item_id="77", title="Kaos Polos Premium"
        )
        s.add(listing)
        await s.flush()
        return str(listing.id)


def errors_of(resp: httpx.Response) -> dict[str, str]:
    body = resp.json()
    assert body["status"] == 422 and resp.headers["content-type"].startswith("application/problem+json")
    return {e["field"]: e["code"] for e in body["errors"]}


async def test_overrides_are_stored_shown_and_audited(app: FastAPI, db: Database, owner: Caller) -> None:
    operator = await member_token(app, db, owner.org_id, Role.OPERATOR)
    listing_id = await a_listing(db, owner)
    body = {
        "title": "Kaos Polos Premium Edisi Singapura",
        "price": "12.9",
        "images": ["https://img.example/a.jpg", "https://img.example/b.jpg"],
    }
    resp = await operator.put(f"/api/listings/{listing_id}/overrides", json=body)
    assert resp.status_code == 200, resp.text
    stored = {**body, "price": "12.90"}  # the listing's currency (SGD) decimals
    assert resp.json()["overrides"] == stored and resp.json()["currency"] == "SGD"
    listing = (await owner.get(f"/api/listings/{listing_id}")).json()
    assert listing["overrides"] == stored and listing["review_state"] is None
    assert (await owner.get(f"/api/listings/{listing_id}/overrides")).json()["overrides"] == stored
    entries = (await owner.get("/api/audit")).json()["items"]
    assert entries[0]["action"] == "listing.overrides_set" and entries[0]["entity_id"] == listing_id
    again = await operator.put(f"/api/listings/{listing_id}/overrides", json=body)  # the same: no new entry
    assert again.status_code == 200
    assert [e["action"] for e in (await owner.get("/api/audit")).json()["items"]].count(
        "listing.overrides_set"
    ) == 1
    assert (await operator.delete(f"/api/listings/{listing_id}/overrides")).status_code == 204
    assert (await owner.get(f"/api/listings/{listing_id}")).json()["overrides"] == {}
    assert (await owner.get("/api/audit")).json()["items"][0]["action"] == "listing.overrides_cleared"


async def test_bad_overrides_name_each_field_and_change_nothing(db: Database, owner: Caller) -> None:
    listing_id = await a_listing(db, owner)
    url = f"/api/listings/{listing_id}/overrides"
    bad = {
        "title": "   ",
        "price": "12.999",
        "images": ["ftp://img.example/a.jpg", "https://img.example/b.jpg", "not a url", "http://["],
    }
    assert errors_of(await owner.put(url, json=bad)) == {
        "title": "blank",
        "price": "invalid_precision",
        "images.0": "invalid_url",
        "images.2": "invalid_url",
        "images.3": "invalid_url",
    }
    assert errors_of(await owner.put(url, json={"price": "-1"})) == {"price": "not_positive"}
    assert errors_of(await owner.put(url, json={"price": 12})) == {"price": "string_type"}
    assert "price" in errors_of(await owner.put(url, json={"price": "1e999"}))
    assert errors_of(await owner.put(url, json={"colour": "red"})) == {"colour": "unknown_field"}
    # the platform's content rules (Shopee SG): title length, contact details, image count, price bounds
    rules = {
        "title": "Kaos " * 30,
        "description": "Hubungi kami di 0812-3456-7890 untuk grosir.",
        "images": [f"https://img.example/{n}.jpg" for n in range(10)],
        "price": "0.05",
    }
    assert errors_of(await owner.put(url, json=rules)) == {
        "title": "title.too_long",
        "description": "text.phone",
        "images": "images.too_many",
        "price": "price.below_min",
    }
    assert (await owner.get(url)).json()["overrides"] == {}


async def test_roles_and_other_orgs(app: FastAPI, db: Database, owner: Caller, other_org: Caller) -> None:
    viewer = await member_token(app, db, owner.org_id, Role.VIEWER)
    listing_id = await a_listing(db, owner)
    url = f"/api/listings/{listing_id}/overrides"
    assert (await viewer.get(url)).status_code == 200
    refused = await viewer.put(url, json={"title": "Kaos Viewer"})
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    assert (await viewer.delete(url)).status_code == 403
    for method in ("GET", "PUT", "DELETE"):
        resp = await other_org.request(method, url, json={"title": "Kaos Lain"} if method == "PUT" else None)
        assert resp.status_code == 404, (method, resp.text)
    assert (await other_org.get(f"/api/listings/{listing_id}")).status_code == 404
    assert (await owner.get(url)).json()["overrides"] == {}
