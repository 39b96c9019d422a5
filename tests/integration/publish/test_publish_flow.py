"""A master product published to all four sandbox platforms through the API: preview (actions, diff,
findings, call plan), commit (publish jobs in each shop's write mode), live listings linked to the
master variants, nothing left to do on a second preview, an update of what changed, and a revert."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from aiostore.db.models import AuditLog
from tests.factories import Caller
from tests.integration.publish import support
from tests.integration.publish.conftest import make_market  # noqa: F401
from tests.integration.sync.conftest import MarketFactory
from tests.integration.sync.marketplace import PLATFORMS, Market


async def _published(
    make: MarketFactory, dry: tuple[str, ...] = ()
) -> tuple[Market, Caller, dict[str, uuid.UUID], dict[str, Any]]:
    market, owner = await make(PLATFORMS, products=1, variants=1)
    shops = await support.connect_all(market, owner, dry=dry)
    categories = {p: support.plain_leaf(p) for p in PLATFORMS}
    await support.read_categories(market, {p: [c] for p, c in categories.items()})
    made = await support.product(owner, "PUB")
    for platform, category in categories.items():
        await support.map_to(owner, made["id"], platform, category)
    return market, owner, shops, made


async def test_a_product_goes_live_on_every_platform_and_a_second_preview_has_nothing_to_do(
    make_market: MarketFactory,  # noqa: F811
) -> None:
    market, owner, shops, made = await _published(make_market)
    shown = await support.preview(owner, [made["id"]], list(shops.values()))
    assert shown["summary"]["actions"]["create"] == 4
    assert [i["action"] for i in shown["items"]] == ["create"] * 4
    assert all(f["severity"] == "warning" for i in shown["items"] for f in i["findings"])
    first = shown["items"][0]
    assert first["diff"]["title"] == {"old": None, "new": "Kaos Polos Katun Premium PUB"}
    assert first["diff"]["price"]["new"] == {"PUB-M": "150000", "PUB-L": "155000"}
    assert first["diff"]["stock"]["new"] == {"PUB-M": 10, "PUB-L": 5}
    # 4 creates and the 2 images uploaded: TikTok and Lazada one a call, Shopee both in one call
    assert (shown["summary"]["publish_calls"], shown["summary"]["min_publish_calls"]) == (9, 9)
    done = await support.commit(owner, shown["id"], ack=True)
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "committed"
    assert sorted(j["channel_account_id"] for j in done.json()["summary"]["jobs"]) == sorted(
        str(s) for s in shops.values()
    )
    await market.settle()
    jobs = await support.publish_jobs(market)
    assert [(j.status, j.dry_run, [i.result for i in items]) for j, items in jobs] == [
        ("succeeded", False, ["ok"])
    ] * 4
    uploads = {"shopee": "media_space/upload_image", "tiktokshop": "images/upload", "lazada": "image/upload"}
    received = {p: market.shops[p].call_count(path) for p, path in uploads.items()}
    planned = shown["summary"]["calls"]
    assert (
        received
        == {p: planned[str(shops[p])]["image"] for p in uploads}
        == {
            "shopee": 1,
            "tiktokshop": 2,
            "lazada": 2,
        }
    )
    for platform, shop in shops.items():
        mine = [r for r in await support.listings(market, shop) if (r.platform_sku or "").startswith("PUB-")]
        assert sorted(r.platform_sku or "" for r in mine) == ["PUB-L", "PUB-M"], platform
        assert all(r.variant_id is not None and r.sync_state == "in_sync" for r in mine), platform
        assert all(not r.platform_item_id.startswith("pending:") for r in mine), platform
    again = await support.preview(owner, [made["id"]], list(shops.values()))
    # decided unchanged in SQL: counted per shop, not listed as items
    assert again["items"] == [] and again["summary"]["actions"]["unchanged"] == 4
    assert again["summary"]["unchanged_not_listed"] == {str(s): 1 for s in shops.values()}
    assert again["summary"]["publish_calls"] == 0
    async with market.db.transaction(market.org_id) as session:
        actions = set(await session.scalars(select(AuditLog.action)))
    assert {
        "changeset.previewed",
        "changeset.committed",
        "catalog.publish_queued",
        "catalog.published",
    } <= actions

    reverted = await owner.post(f"/api/catalog/commits/{shown['id']}/revert")
    assert reverted.status_code == 200, reverted.text
    body = reverted.json()
    assert body["revert_of"] == shown["id"] and [i["action"] for i in body["items"]] == ["unlist"] * 4
    assert body["items"][0]["diff"] == {"status": {"old": "active", "new": "inactive"}}
    assert (await support.commit(owner, body["id"])).status_code == 200
    await market.settle()
    for platform, shop in shops.items():
        mine = [r for r in await support.listings(market, shop) if (r.platform_sku or "").startswith("PUB-")]
        assert {r.status for r in mine} == {"inactive"}, platform


async def test_an_update_sends_only_what_changed_and_a_dry_shop_records_it(
    make_market: MarketFactory,  # noqa: F811
) -> None:
    market, owner, shops, made = await _published(make_market, dry=("shopee",))
    shown = await support.preview(owner, [made["id"]], list(shops.values()))
    assert (await support.commit(owner, shown["id"], ack=True)).status_code == 200
    await market.settle()
    dry_jobs = [(j, items) for j, items in await support.publish_jobs(market) if j.dry_run]
    assert [(j.channel_account_id, [i.dry_run for i in items]) for j, items in dry_jobs] == [
        (shops["shopee"], [True])
    ]
    recorded = dry_jobs[0][1][0].request["requests"]
    assert any(r["path"].endswith("/product/add_item") for r in recorded), recorded
    assert [r for r in await support.listings(market, shops["shopee"]) if r.platform_sku == "PUB-M"] == []

    live = [s for p, s in shops.items() if p != "shopee"]
    patched = await owner.patch(
        f"/api/products/{made['id']}", json={"title": "Kaos Polos Katun Premium Baru"}
    )
    assert patched.status_code == 200, patched.text
    shown = await support.preview(owner, [made["id"]], live)
    assert [i["action"] for i in shown["items"]] == ["update"] * 3
    assert [set(i["diff"]) for i in shown["items"]] == [{"title"}] * 3
    assert shown["items"][0]["diff"]["title"]["old"] == "Kaos Polos Katun Premium PUB"
    assert shown["summary"]["publish_calls"] == shown["summary"]["min_publish_calls"] == 3
    assert (await support.commit(owner, shown["id"], ack=True)).status_code == 200
    await market.settle()
    again = await support.preview(owner, [made["id"]], live)
    assert again["items"] == [] and again["summary"]["actions"]["unchanged"] == 3
    for shop in live:
        mine = [r for r in await support.listings(market, shop) if r.platform_sku == "PUB-M"]
        assert [r.platform_state["name"] for r in mine] == ["Kaos Polos Katun Premium Baru"]
