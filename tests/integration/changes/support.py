"""Helpers of the change-set tests: a catalog, a shop with listings, previews and commits over the API."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from sqlalchemy import func, select, update

from aiostore.db.models import ChannelAccount, Inventory, Listing, Variant
from aiostore.db.session import Database
from tests.factories import Caller, product_body


async def catalog(owner: Caller, sku: str = "S") -> dict[str, str]:
    """A product with two variants (`<sku>-M`: 10 on hand, buffer 1, ID 150000 and SG 12.90;
    `<sku>-L`: 5 on hand, ID 155000 and MY 39.90); their ids by SKU."""
    created = await owner.post("/api/products", json=product_body(sku))
    assert created.status_code == 201, created.text
    return {v["sku"]: v["id"] for v in created.json()["variants"]}


async def shop(
    db: Database, owner: Caller, variant_ids: list[str], *, platform: str = "tiktokshop", market: str = "ID"
) -> tuple[uuid.UUID, list[uuid.UUID]]:
    """A connected shop with one listing per variant; (shop id, listing ids)."""
    async with db.transaction(owner.org_id, owner.user_id) as s:
        channel = ChannelAccount(
            org_id=owner.org_id,
            platform=platform,
            market=market,
            shop_id=uuid.uuid4().hex[:8],
            shop_name=f"{platform} {market}",
        )
        s.add(channel)
        await s.flush()
        listings = [
            Listing(
                org_id=owner.org_id,
                channel_account_id=channel.id,
                variant_id=uuid.UUID(v),
                platform_item_id=str(i + 1),
                platform_model_id="0",
            )
            for i, v in enumerate(variant_ids)
        ]
        s.add_all(listings)
        await s.flush()
        return channel.id, [x.id for x in listings]


async def reserve(db: Database, owner: Caller, variant_id: str, units: int) -> None:
    """Open orders hold `units` of the variant (as a sale would have reserved them)."""
    async with db.transaction(owner.org_id, owner.user_id) as s:
        await s.execute(
            update(Inventory).where(Inventory.variant_id == uuid.UUID(variant_id)).values(reserved=units)
        )


async def inventory(db: Database, owner: Caller, sku: str) -> tuple[int, int, int]:
    async with db.transaction(owner.org_id, owner.user_id) as s:
        row = (
            await s.execute(
                select(Inventory.on_hand, Inventory.reserved, Inventory.safety_buffer)
                .join(Variant, Variant.id == Inventory.variant_id)
                .where(func.lower(Variant.sku) == sku.lower())
            )
        ).one()
        return row.on_hand, row.reserved, row.safety_buffer


def key() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


async def preview(
    caller: Caller, kind: str, items: list[dict[str, Any]], reason: str = "count"
) -> dict[str, Any]:
    resp = await caller.post(
        f"/api/{kind}/update", json={"mode": "preview", "items": items, "reason": reason}
    )
    assert resp.status_code == 200, resp.text
    body: dict[str, Any] = resp.json()
    return body


async def commit(caller: Caller, kind: str, token: str, **options: Any) -> httpx.Response:
    return await caller.post(
        f"/api/{kind}/update", json={"mode": "commit", "token": token, **options}, headers=key()
    )


def codes(item: dict[str, Any]) -> list[str]:
    return [f["code"] for f in item["findings"]]


def problem_fields(resp: httpx.Response) -> list[tuple[str, str]]:
    assert resp.headers["content-type"].startswith("application/problem+json"), resp.text
    return [(e["field"], e["code"]) for e in resp.json()["errors"]]
