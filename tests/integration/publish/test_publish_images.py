"""Master images published the platform's way, through the real sandboxes over HTTP: a create uploads
each image (Shopee media_space, TikTok images/upload, Lazada image/upload; Tokopedia takes the URLs) and
names the platform's ids; a second product with the same images uploads nothing; an image the platform
refuses (too large, wrong format) fails that listing with the reason; a private address is refused."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select

from aiostore.db.models import ImageUpload
from tests.factories import Caller
from tests.integration.publish import support
from tests.integration.publish.conftest import make_market  # noqa: F401
from tests.integration.sync.conftest import MarketFactory
from tests.integration.sync.marketplace import PLATFORMS, Market

UPLOADING = ("shopee", "tiktokshop", "lazada")


async def _market(
    make: MarketFactory, platforms: list[str], **settings: Any
) -> tuple[Market, Caller, dict[str, uuid.UUID]]:
    market, owner = await make(platforms, products=1, variants=1, settings_changes=settings or None)
    shops = await support.connect_all(market, owner)
    await support.read_categories(market, {p: [support.plain_leaf(p)] for p in platforms})
    return market, owner, shops


async def _publish(
    market: Market, owner: Caller, shops: dict[str, uuid.UUID], sku: str, images: list[str]
) -> dict[str, Any]:
    made = await support.product(owner, sku, images=images)
    for platform in shops:
        await support.map_to(owner, made["id"], platform, support.plain_leaf(platform))
    shown = await support.preview(owner, [made["id"]], list(shops.values()))
    done = await support.commit(owner, shown["id"], ack=True)
    assert done.status_code == 200, done.text
    await market.settle()
    return shown


def _platform_images(market: Market, platform: str, item_id: str) -> list[str]:
    sandbox: Any = market.shops[platform].sandbox  # type: ignore[attr-defined]
    if platform == "shopee":
        return list(sandbox.item(int(item_id)).image_ids)
    if platform == "tokopedia":
        return list(sandbox.product(int(item_id)).pictures)
    key = int(item_id) if platform == "lazada" else item_id
    return list(sandbox.product(key).images)


UPLOAD_PATHS = {"shopee": "media_space/upload_image", "tiktokshop": "images/upload", "lazada": "image/upload"}


def _upload_calls(market: Market) -> dict[str, int]:
    """The upload calls each sandbox received (Tokopedia: none, it has no upload)."""
    return {p: market.shops[p].call_count(UPLOAD_PATHS.get(p, "no/upload")) for p in market.shops}


def _stored(market: Market, platform: str) -> int:
    return len(market.shops[platform].sandbox.images.images)  # type: ignore[attr-defined]


async def _mine(market: Market, shop: uuid.UUID, sku: str) -> list[Any]:
    return [r for r in await support.listings(market, shop) if (r.platform_sku or "").startswith(f"{sku}-")]


async def test_a_create_uploads_the_images_and_the_same_images_are_not_uploaded_again(
    make_market: MarketFactory,  # noqa: F811
) -> None:
    market, owner, shops = await _market(make_market, PLATFORMS)
    images = ["https://img.example/kaos-1.jpg", "https://img.example/kaos-2.jpg"]
    shown = await _publish(market, owner, shops, "IMG", images)
    calls = shown["summary"]["calls"]
    planned = {p: calls[str(s)]["image"] for p, s in shops.items()}
    # Shopee's upload carries both images in one call; TikTok's and Lazada's one a call
    assert planned == {"shopee": 1, "tiktokshop": 2, "lazada": 2, "tokopedia": 0}
    assert all(calls[str(s)]["total"] == calls[str(s)]["minimum"] for s in shops.values())
    assert _upload_calls(market) == planned
    for platform, shop in shops.items():
        mine = await _mine(market, shop, "IMG")
        assert mine and all(r.sync_state == "in_sync" for r in mine), (platform, mine[0].last_error)
        sent = _platform_images(market, platform, mine[0].platform_item_id)
        if platform == "tokopedia":
            assert sent == images  # Tokopedia fetches picture URLs itself
            continue
        assert len(sent) == 2 and not set(sent) & set(images), platform
        sandbox: Any = market.shops[platform].sandbox  # type: ignore[attr-defined]
        assert all(sandbox.images.foreign([i]) is None for i in sent), platform
        assert _stored(market, platform) == 2, platform
    async with market.db.transaction(market.org_id) as session:
        assert await session.scalar(select(func.count()).select_from(ImageUpload)) == 6

    # another product with the same images, and one more under another URL with the same content
    again = await _publish(market, owner, shops, "TWO", [*images, "https://img.example/kaos-1.jpg?v=2"])
    assert {p: again["summary"]["calls"][str(s)]["image"] for p, s in shops.items()} == {
        "shopee": 1,  # the new URL: its content is only known once fetched
        "tiktokshop": 1,
        "lazada": 1,
        "tokopedia": 0,
    }
    assert _upload_calls(market) == planned  # the new URL's content is on the shop: no call
    for platform in UPLOADING:
        assert _stored(market, platform) == 2, platform  # nothing uploaded again
        mine = await _mine(market, shops[platform], "TWO")
        assert mine and all(r.sync_state == "in_sync" for r in mine), (platform, mine[0].last_error)
        first, second = [
            _platform_images(market, platform, (await _mine(market, shops[platform], s))[0].platform_item_id)
            for s in ("IMG", "TWO")
        ]
        assert second == [*first, first[0]], platform


async def test_shopee_uploads_eight_images_a_call_and_the_plan_counts_the_calls_it_sends(
    make_market: MarketFactory,  # noqa: F811
) -> None:
    market, owner, shops = await _market(make_market, ["shopee"])
    nine = [f"https://img.example/nine-{n}.png" for n in range(9)]
    shown = await _publish(market, owner, shops, "NINE", nine)
    plan = shown["summary"]["calls"][str(shops["shopee"])]
    assert (plan["image"], plan["create"], plan["total"], plan["minimum"]) == (2, 1, 3, 3)  # 8 + 1
    assert _upload_calls(market) == {"shopee": 2}
    mine = await _mine(market, shops["shopee"], "NINE")
    assert mine and all(r.sync_state == "in_sync" for r in mine), mine[0].last_error
    async with market.db.transaction(market.org_id) as session:
        rows = (await session.execute(select(ImageUpload.source_url, ImageUpload.image_id))).all()
    ids = {url: image_id for url, image_id in rows}
    # the listing names the nine images in the master's order, each the id its upload answered
    assert _platform_images(market, "shopee", mine[0].platform_item_id) == [ids[u] for u in nine]
    assert len(set(ids.values())) == 9


async def test_an_image_refused_in_a_batch_fails_only_its_listing(
    make_market: MarketFactory,  # noqa: F811
) -> None:
    market, owner, shops = await _market(make_market, ["shopee"])
    good = await support.product(owner, "GOOD", images=["https://img.example/good.png"])
    bad = await support.product(
        owner, "BAD", images=["https://img.example/bad-1.png", "https://img.example/gif/x"]
    )
    for made in (good, bad):
        await support.map_to(owner, made["id"], "shopee", support.plain_leaf("shopee"))
    shown = await support.preview(owner, [good["id"], bad["id"]], [shops["shopee"]])
    assert shown["summary"]["calls"][str(shops["shopee"])]["image"] == 1  # three images, one call
    assert (await support.commit(owner, shown["id"], ack=True)).status_code == 200
    await market.settle()
    assert _upload_calls(market) == {"shopee": 1}  # the GIF is refused once fetched, before the call
    assert {r.sync_state for r in await _mine(market, shops["shopee"], "GOOD")} == {"in_sync"}
    refused = (await _mine(market, shops["shopee"], "BAD"))[0]
    assert (refused.status, refused.sync_state) == ("refused", "error")
    assert "https://img.example/gif/x is image/gif" in (refused.last_error or "")


async def test_an_image_the_platform_refuses_fails_its_listing_with_the_reason(
    make_market: MarketFactory,  # noqa: F811
) -> None:
    market, owner, shops = await _market(make_market, UPLOADING)
    await _publish(market, owner, shops, "BIG", ["https://img.example/huge/kaos.png"])
    jobs = {j.channel_account_id: items for j, items in await support.publish_jobs(market)}
    reasons = {}
    for platform, shop in shops.items():
        mine = await _mine(market, shop, "BIG")
        reasons[platform] = (mine[0].status, mine[0].sync_state, jobs[shop][0].result)
        if platform != "shopee":
            assert mine[0].last_error and "refused the image https://img.example/huge/kaos.png" in (
                mine[0].last_error
            ), platform
            assert jobs[shop][0].error == mine[0].last_error
            # nothing half applied: no product was created on the platform
            assert all(r.platform_item_id.startswith("pending:") for r in mine), platform
    assert reasons == {
        "shopee": ("active", "in_sync", "ok"),  # Shopee takes up to 10 MB
        "tiktokshop": ("refused", "error", "failed"),  # 5 MB at most: 12052910
        "lazada": ("refused", "error", "failed"),  # 3 MB at most
    }
    tiktok = (await _mine(market, shops["tiktokshop"], "BIG"))[0].last_error or ""
    assert "12052910" in tiktok or "5 MB" in tiktok, tiktok

    # a URL naming a GIF is a finding of the preview; one that does not is refused once fetched
    made = await support.product(owner, "GIFX", images=["https://img.example/gif/kaos.gif"])
    for platform in shops:
        await support.map_to(owner, made["id"], platform, support.plain_leaf(platform))
    shown = await support.preview(owner, [made["id"]], list(shops.values()))
    flagged = {
        (f["code"], f["field"].split(".", 2)[-1], f["severity"])
        for i in shown["items"]
        for f in i["findings"]
    }
    assert ("images.format", "images[0].format", "error") in flagged, flagged
    assert (await support.commit(owner, shown["id"], ack=True)).status_code == 422
    await _publish(market, owner, shops, "GIF", ["https://img.example/gif/kaos"])
    for platform, shop in shops.items():
        mine = await _mine(market, shop, "GIF")
        assert (mine[0].status, mine[0].sync_state) == ("refused", "error"), platform
        assert "is image/gif, not JPEG, PNG or WebP" in (mine[0].last_error or ""), platform


async def test_an_image_on_a_private_address_is_refused(
    make_market: MarketFactory,  # noqa: F811
) -> None:
    market, owner, shops = await _market(make_market, ["shopee"], image_fetch_allow_private=False)
    await _publish(market, owner, shops, "SSRF", ["http://127.0.0.1:8080/admin.png"])
    mine = await _mine(market, shops["shopee"], "SSRF")
    assert (mine[0].status, mine[0].sync_state) == ("refused", "error")
    assert mine[0].last_error == (
        "the image http://127.0.0.1:8080/admin.png resolves to a private, loopback or link-local address"
    )
    assert _stored(market, "shopee") == 0
