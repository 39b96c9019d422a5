"""The publish job (one per shop of a committed catalog preview): each item's frozen desired state sent
through the shop's connector, in the job's write mode (dry: the exact signed requests recorded, nothing
sent; live: sent).

- create: the listing rows are written first as `publishing` (linked to the master variants); the
  platform's item and variant ids replace the placeholders once the create is accepted and read back,
  or the platform's own refusal is kept on them (`refused`, sync_state `error`, last_error).
- update / unlist (`publish_update.py`): one product update per platform item with every changed field
  the platform's update takes (variants re-linked after an edit); changed prices in the connector's
  largest batches; changed stock through the stock push (the pool's quantity).
Every platform refusal is data on the listing and the job's item, never an exception: a job that ran
is not run again (a create must not be sent twice). Each step is audited as the system.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from aiostore.connectors.dtos import PriceUpdate, ProductDraft, VariantDraft
from aiostore.connectors.errors import ConnectorError
from aiostore.db import bulk
from aiostore.db.models import ChangeSetItem, Listing, SyncJob
from aiostore.domain import publish
from aiostore.domain.market import market
from aiostore.domain.money import Money
from aiostore.domain.permissions import Role
from aiostore.services import audit, inventory
from aiostore.services.catalog.publish_images import ImageRefused, ShopImages, sends_images, upload_all
from aiostore.services.catalog.publish_inputs import PENDING, REFUSED
from aiostore.services.catalog.publish_kind import JOB, product_of
from aiostore.services.catalog.publish_update import (
    attribute_keys,
    attribute_values,
    listing_rows,
    option_names,
    record,
    send_update,
    variant_ids,
)
from aiostore.services.context import SYSTEM, OrgContext
from aiostore.services.sync import jobs
from aiostore.services.sync.context import ShopConnection, SyncContext, open_channel
from aiostore.services.sync.push import request_pushes
from aiostore.services.sync.push_items import requests_of
from aiostore.services.sync.runner import HANDLERS, handler

FOLLOW_REVIEW = "catalog.follow_review"  # the platform's review state after a write (branch publish-review)


def _ctx(job: SyncJob) -> OrgContext:
    return OrgContext(job.org_id, Role.OWNER, SYSTEM)


async def _items(sc: SyncContext, job: SyncJob) -> list[ChangeSetItem]:
    async with sc.tx(job.org_id) as session:
        rows = await session.scalars(
            select(ChangeSetItem)
            .where(
                ChangeSetItem.change_set_id == uuid.UUID(job.params["change_set_id"]),
                ChangeSetItem.seq.in_(job.params["seqs"]),
            )
            .order_by(ChangeSetItem.seq)
        )
        return list(rows.all())


def _draft(
    state: publish.State,
    send: dict[str, Any],
    currency: str,
    logistics: tuple[str, ...],
    keys: dict[str, str],
    images: tuple[str, ...],
) -> ProductDraft:
    skus = list(state["variants"])
    many = len(skus) > 1

    def money(sku: str) -> Money:
        return Money.from_major(state["price"][sku] or "0", currency)

    weight, dims = send.get("weight_g"), send.get("dimensions_cm")
    return ProductDraft(
        name=state["title"],
        description=state["description"],
        category_id=state["category"] or "",
        price=money(skus[0]),
        stock=sum(state["stock"].values()) if many else state["stock"][skus[0]],
        weight_kg=Decimal(weight) / 1000 if weight else Decimal("0"),
        image_ids=images,
        seller_sku="" if many else skus[0],
        brand_id=state["brand"],
        logistics_ids=logistics,
        option_names=option_names(state),
        variants=tuple(
            VariantDraft(tuple(state["variants"][s]), s, money(s), state["stock"][s]) for s in skus
        )
        if many
        else (),
        attributes=attribute_values(state, keys),
        dimensions_cm=(int(dims[0]), int(dims[1]), int(dims[2])) if dims else None,
    )


async def _create(
    sc: SyncContext,
    job: SyncJob,
    shop: ShopConnection,
    item: ChangeSetItem,
    logistics: tuple[str, ...],
    uploaded: ShopImages,
) -> dict[str, Any]:
    state, product_id = item.after["state"], product_of(item)  # type: ignore[index]
    keys = await attribute_keys(sc, job, shop, state)
    currency = market(shop.channel.market).currency.value
    placeholder = f"pending:{product_id}"
    if not job.dry_run:
        async with sc.tx(job.org_id) as session:
            ids = await variant_ids(session, list(state["variants"]))
            await session.execute(
                delete(Listing).where(
                    Listing.channel_account_id == shop.channel.id, Listing.platform_item_id == placeholder
                )
            )
            await bulk.insert_rows(
                session,
                Listing,
                [
                    {
                        "org_id": job.org_id,
                        "channel_account_id": shop.channel.id,
                        "variant_id": ids.get(sku),
                        "platform_item_id": placeholder,
                        "platform_model_id": sku,
                        "platform_sku": sku,
                        "title": state["title"][:300],
                        "status": PENDING,
                        "platform_state": {},
                        "overrides": {},
                        "sync_state": "pending",
                    }
                    for sku in state["variants"]
                ],
            )
    try:
        images = uploaded.of(state["images"])
    except ImageRefused as exc:
        return await _refused(sc, job, shop, placeholder, str(exc))
    send = item.after.get("send", {})  # type: ignore[union-attr]
    draft = _draft(state, send, currency, logistics, keys, images)
    try:
        result = await shop.connector.create_product(draft)
        created = (
            await shop.connector.get_products([result.external_id])
            if result.external_id and not job.dry_run
            else []
        )
    except ConnectorError as exc:
        return await _refused(sc, job, shop, placeholder, f"{exc.platform} refused it: {exc}")
    if not result.ok:
        return await _refused(
            sc, job, shop, placeholder, f"{shop.channel.platform} refused it: {result.detail}"
        )
    if job.dry_run:
        return {"result": "ok", "dry_run": True, "item_id": None}
    async with sc.tx(job.org_id) as session:
        ids = await variant_ids(session, list(state["variants"]))
        await session.execute(
            delete(Listing).where(
                Listing.channel_account_id == shop.channel.id, Listing.platform_item_id == placeholder
            )
        )
        rows = listing_rows(job.org_id, shop.channel.id, state, created, ids)
        await bulk.insert_rows(session, Listing, rows)
    return {"result": "ok", "dry_run": False, "item_id": result.external_id}


async def _refused(
    sc: SyncContext, job: SyncJob, shop: ShopConnection, placeholder: str, error: str
) -> dict[str, Any]:
    if not job.dry_run:
        async with sc.tx(job.org_id) as session:
            await session.execute(
                update(Listing)
                .where(Listing.channel_account_id == shop.channel.id, Listing.platform_item_id == placeholder)
                .values(status=REFUSED, sync_state="error", last_error=error[:2000])
            )
    return {"result": "failed", "error": error, "dry_run": job.dry_run}


async def _send_prices(
    sc: SyncContext, job: SyncJob, shop: ShopConnection, prices: list[tuple[Listing, PriceUpdate]]
) -> int:
    """Changed prices in the connector's largest batches; a refused one is kept on its listing."""
    if not prices:
        return 0
    results = await shop.connector.update_prices([p for _, p in prices])
    failed = {(r.item_id, r.variant_id): r for r in results if not r.ok}
    if job.dry_run:
        return len(failed)
    async with sc.tx(job.org_id) as session:
        for listing, price in prices:
            refused = failed.get((price.item_id, price.variant_id))
            if refused is not None:
                message = refused.error.message if refused.error else "refused"
                await session.execute(
                    update(Listing)
                    .where(Listing.id == listing.id)
                    .values(sync_state="error", last_error=message)
                )
            else:
                state = (listing.platform_state or {}) | {"price": str(price.price.to_major())}
                await session.execute(
                    update(Listing).where(Listing.id == listing.id).values(platform_state=state)
                )
    return len(failed)


async def after_write(session: AsyncSession, job: SyncJob, listing_item_ids: list[str]) -> None:
    """The one call site after accepted live creates and updates: follow the platform's review (the
    `catalog.follow_review` job of branch publish-review), when this installation has it."""
    if (
        job.dry_run
        or not listing_item_ids
        or FOLLOW_REVIEW not in HANDLERS
        or FOLLOW_REVIEW not in jobs.KINDS
    ):
        return
    await jobs.create(
        session,
        job.org_id,
        FOLLOW_REVIEW,
        channel_account_id=job.channel_account_id,
        params={"item_ids": listing_item_ids, "publish_job_id": str(job.id)},
        dry_run=job.dry_run,
        started_by="publish",
    )


@handler(JOB)
async def publish_job(sc: SyncContext, job: SyncJob) -> dict[str, Any]:
    assert job.channel_account_id is not None  # noqa: S101
    shop = await open_channel(sc, job.org_id, job.channel_account_id)
    items = await _items(sc, job)
    prices: list[tuple[Listing, PriceUpdate]] = []
    stock: list[uuid.UUID] = []
    written: list[str] = []
    report: list[dict[str, Any]] = []
    logistics: tuple[str, ...] = ()
    if any(i.action == publish.CREATE for i in items):  # a read: where the platform lists channels
        logistics = tuple(c.channel_id for c in await shop.connector.logistics_channels() if c.enabled)
    platform = shop.channel.platform
    uploaded = await upload_all(  # every image the items send, before any item: the fewest calls
        sc,
        job,
        shop,
        (
            url
            for i in items
            if sends_images(platform, i.action, (i.after or {}).get("diff") or {})
            for url in (i.after or {})["state"]["images"]
        ),
    )
    for item in items:
        shop.records.clear()
        listings: list[Listing] = []
        if item.action == publish.CREATE:
            outcome = await _create(sc, job, shop, item, logistics, uploaded)
            if outcome.get("item_id"):
                written.append(outcome["item_id"])
        else:
            outcome, listings = await send_update(sc, job, shop, item, prices, uploaded)
            await record(sc, job, shop, item, listings, outcome)
            if outcome["result"] == "ok":
                written += list(dict.fromkeys(x.platform_item_id for x in listings))
                if publish.changed_skus((item.after or {})["diff"], "stock"):
                    stock += [x.id for x in listings]
        report.append(
            {
                "ref": f"{item.action} {item.sku}"[:200],
                "result": outcome["result"],
                "error": outcome.get("error"),
                "dry_run": job.dry_run,
                "request": {"seq": item.seq, "requests": requests_of(shop.records)},
            }
        )
    shop.records.clear()
    refused_prices = await _send_prices(sc, job, shop, prices)
    ok = sum(1 for r in report if r["result"] == "ok")
    async with sc.tx(job.org_id) as session:
        await jobs.add_items(session, job, report)
        if stock and not job.dry_run:
            shops = await inventory.mark_listings_dirty(session, stock)
            await request_pushes(session, job.org_id, shops)
        await after_write(session, job, written)
        summary = {
            "items": len(items),
            "ok": ok,
            "failed": len(items) - ok,
            "prices": len(prices),
            "prices_refused": refused_prices,
            "stock_pushed": len(stock),
            "dry_run": job.dry_run,
        }
        await audit.record(
            session,
            _ctx(job),
            "catalog.published",
            "sync_job",
            job.id,
            after=summary | {"change_set_id": job.params["change_set_id"]},
        )
    return summary
