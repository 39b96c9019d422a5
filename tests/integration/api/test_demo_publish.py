"""Publish in the demo: the demo organisation's master products that no shop sells yet have what every
platform needs (category mappings with their mandatory attributes, a brand, images, weight and size, a
price in each demo market), so a preview on the four demo shops shows creates with no finding at all,
and a commit takes them live on all four sandboxes once their review ends. The Publish page shows it."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from aiostore.db.models import ImageUpload, Listing
from aiostore.db.session import Database
from aiostore.services.demo import publishable
from aiostore.settings import Settings
from tests.integration.api.test_demo import DemoApp, _all, _visit, running_demo


@pytest.fixture
async def demo_app(test_settings: Settings, db: Database) -> AsyncIterator[DemoApp]:
    # Follow the platforms' reviews at once (the sandboxes end a review on the next request).
    async with running_demo(test_settings, db, review_poll_seconds=0.05) as running:
        yield running


async def test_a_demo_product_not_yet_listed_goes_live_on_all_four_shops(demo_app: DemoApp) -> None:
    visitor = await _visit(demo_app.app)
    shops = (await visitor.get("/api/channels")).json()
    listed = {str(row["platform_sku"]) for row in await _all(visitor, "/api/listings")}
    catalog = (await visitor.get("/api/products", params={"limit": 200})).json()["items"]
    ready = [p for p in catalog if p["variants"][0]["sku"].startswith(f"{publishable.SKU_PREFIX}-")]
    assert len(ready) == publishable.COUNT
    assert not {v["sku"] for p in ready for v in p["variants"]} & listed  # on no shop yet
    mappings = (await visitor.get(f"/api/products/{ready[0]['id']}/platforms")).json()
    assert sorted((m["platform"], m["market"]) for m in mappings) == sorted(
        (s["platform"], s["market"]) for s in shops
    )
    assert all(m["attributes"] for m in mappings)

    shown = await visitor.post(
        "/api/catalog/preview",
        json={"product_ids": [ready[0]["id"]], "channel_account_ids": [s["id"] for s in shops]},
    )
    assert shown.status_code == 200, shown.text
    preview = shown.json()
    assert [i["action"] for i in preview["items"]] == ["create"] * 4
    assert [f for i in preview["items"] for f in i["findings"]] == []  # no error, not even a warning
    page = await visitor.client.get(f"/publish/{preview['id']}")
    assert page.status_code == 200 and ready[0]["title"] in page.text

    done = await visitor.post(
        "/api/catalog/commit",
        json={"preview_id": preview["id"], "acknowledge_warnings": False},
        headers={"Idempotency-Key": uuid.uuid4().hex},
    )
    assert done.status_code == 200, done.text
    await demo_app.settle()
    skus = {v["sku"] for v in ready[0]["variants"]}
    async with demo_app.db.transaction(visitor.org_id) as session:
        rows = list((await session.scalars(select(Listing).where(Listing.platform_sku.in_(skus)))).all())
    by_shop = {s["id"]: [r for r in rows if str(r.channel_account_id) == s["id"]] for s in shops}
    for shop in shops:
        mine = by_shop[shop["id"]]
        assert sorted(r.platform_sku or "" for r in mine) == sorted(skus), shop["platform"]
        states = {(r.status, r.sync_state, r.review_state) for r in mine}
        assert states == {("active", "in_sync", "live")}, (shop["platform"], states, mine[0].last_error)
    async with demo_app.db.transaction(visitor.org_id) as session:  # served in process, uploaded
        rows = await session.execute(select(ImageUpload.source_url, ImageUpload.channel_account_id))
        uploaded = {(url, shop) for url, shop in rows}
    assert {
        (url, uuid.UUID(s["id"])) for url in ready[0]["images"] for s in shops if s["platform"] != "tokopedia"
    } <= uploaded
    again = await visitor.post(
        "/api/catalog/preview",
        json={"product_ids": [ready[0]["id"]], "channel_account_ids": [s["id"] for s in shops]},
    )
    assert again.json()["items"] == [] and again.json()["summary"]["actions"]["unchanged"] == 4
