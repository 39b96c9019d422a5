"""A seller ready to publish: four sandbox shops connected, their categories read into the reference
cache, and master products with a description, images, weights and prices to send."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from aiostore.db.models import Listing, SyncJob, SyncJobItem
from aiostore.sandbox.common.taxonomy import Category
from aiostore.services.reference import refresh
from tests.factories import Caller
from tests.integration.sync.marketplace import Market

DESCRIPTION = (
    "Kaos polos dari katun combed 30s yang lembut dan adem, jahitan rapi, cocok untuk dipakai "
    "sehari-hari maupun untuk kegiatan santai bersama keluarga dan teman."
)


def taxonomy(platform: str) -> Any:
    module = __import__(f"aiostore.sandbox.{platform}.routes_reference", fromlist=["TAXONOMY"])
    return module.TAXONOMY


def plain_leaf(platform: str) -> str:
    """A leaf without mandatory attributes nor a required brand."""
    tax = taxonomy(platform)
    leaf: Category = next(
        c
        for c in tax.tree.categories
        if c.leaf and not c.brand_required and not any(r.mandatory for r in c.rules)
    )
    return str(tax.id_of(leaf))


def strict_leaf(platform: str) -> str:
    """A leaf with a mandatory select attribute (one every platform's create carries; no required brand)."""
    tax = taxonomy(platform)
    leaf: Category = next(
        c
        for c in tax.tree.categories
        if c.leaf and not c.brand_required and any(r.mandatory and r.attribute.selects for r in c.rules)
    )
    return str(tax.id_of(leaf))


def body(sku: str, **changes: Any) -> dict[str, Any]:
    variant = {"weight_grams": 250, "length_mm": 300, "width_mm": 200, "height_mm": 20}
    return {
        "title": f"Kaos Polos Katun Premium {sku}",
        "brand": "Maju",
        "description": DESCRIPTION,
        "images": ["https://img.example/kaos-1.jpg", "https://img.example/kaos-2.jpg"],
        "variants": [
            {"sku": f"{sku}-M", "option_values": {"size": "M"}, "prices": {"ID": "150000"},
             "inventory": {"on_hand": 10}, **variant},
            {"sku": f"{sku}-L", "option_values": {"size": "L"}, "prices": {"ID": "155000"},
             "inventory": {"on_hand": 5}, **variant},
        ],
    } | changes  # fmt: skip


async def connect_all(market: Market, owner: Caller, dry: tuple[str, ...] = ()) -> dict[str, uuid.UUID]:
    """Every sandbox shop connected, each in live write mode but those named `dry` (set through the API)."""
    for platform in market.shops:
        shop = await market.connect(platform)
        mode = "dry" if platform in dry else "live"
        resp = await owner.put(f"/api/channels/{shop}/write-mode", json={"write_mode": mode})
        assert resp.status_code == 200, resp.text
    return dict(market.channel_ids)


async def read_categories(market: Market, categories: dict[str, list[str]]) -> None:
    """The reference cache holds these categories of each platform (read by the real worker)."""
    async with market.db.transaction(market.org_id) as session:
        for platform, ids in categories.items():
            await refresh.request(session, market.org_id, platform, "ID", ids, dry_run=True)
    await market.settle()


async def product(owner: Caller, sku: str, **changes: Any) -> dict[str, Any]:
    resp = await owner.post("/api/products", json=body(sku, **changes))
    assert resp.status_code == 201, resp.text
    found: dict[str, Any] = resp.json()
    return found


async def map_to(owner: Caller, product_id: str, platform: str, category_id: str) -> None:
    resp = await owner.put(
        f"/api/products/{product_id}/platforms/{platform}", json={"market": "ID", "category_id": category_id}
    )
    assert resp.status_code == 200, resp.text


async def preview(owner: Caller, product_ids: list[str], shops: list[uuid.UUID]) -> dict[str, Any]:
    resp = await owner.post(
        "/api/catalog/preview",
        json={"product_ids": product_ids, "channel_account_ids": [str(s) for s in shops]},
    )
    assert resp.status_code == 200, resp.text
    found: dict[str, Any] = resp.json()
    return found


async def commit(owner: Caller, preview_id: str, *, key: str | None = None, ack: bool = False) -> Any:
    return await owner.post(
        "/api/catalog/commit",
        json={"preview_id": preview_id, "acknowledge_warnings": ack},
        headers={"Idempotency-Key": key or uuid.uuid4().hex},
    )


async def listings(market: Market, shop: uuid.UUID) -> list[Listing]:
    async with market.db.transaction(market.org_id) as session:
        rows = await session.scalars(
            select(Listing).where(Listing.channel_account_id == shop).order_by(Listing.platform_sku)
        )
        return list(rows.all())


async def publish_jobs(market: Market) -> list[tuple[SyncJob, list[SyncJobItem]]]:
    async with market.db.transaction(market.org_id) as session:
        found = await session.scalars(
            select(SyncJob).where(SyncJob.kind == "publish").order_by(SyncJob.created_at)
        )
        out = []
        for job in found.all():
            items = await session.scalars(select(SyncJobItem).where(SyncJobItem.job_id == job.id))
            out.append((job, list(items.all())))
        return out
