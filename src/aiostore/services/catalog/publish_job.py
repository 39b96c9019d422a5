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
is not run again (a create must not be sent twice). A call our open circuit breaker refused (nothing
sent) is no refusal: the item waits, and the job runs again when the circuit lets a probe through,
sending only the items still waiting (`publish_wait`). Each step is audited as the system.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from aiostore.connectors.dtos import PriceUpdate, ProductDraft, VariantDraft
from aiostore.connectors.errors import CircuitOpen, ConnectorError
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
    send_prices,
    send_update,
    variant_ids,
)
from aiostore.services.catalog.publish_wait import (
    CREATE,
    PRICES,
    READBACK,
    RELINK,
    UPDATE,
    WAITING,
    clear_waiting,
    counters,
    progress,
    waiting,
)
from aiostore.services.context import SYSTEM, OrgContext
from aiostore.services.sync import jobs
from aiostore.services.sync.context import ShopConnection, SyncContext, open_channel
from aiostore.services.sync.push import queue_pushes
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
    created_id: str | None = None,
) -> dict[str, Any]:
    """One create; `created_id`: the platform's id of an earlier run's accepted create not read back
    yet (only read back now)."""
    state, product_id = item.after["state"], product_of(item)  # type: ignore[index]
    placeholder = f"pending:{product_id}"
    if created_id is not None:
        return await _read_back(sc, job, shop, state, placeholder, created_id)
    keys = await attribute_keys(sc, job, shop, state)
    currency = market(shop.channel.market).currency.value
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
    except CircuitOpen as exc:
        return await _waiting(sc, job, shop, placeholder, waiting(exc, CREATE, job.dry_run))
    send = item.after.get("send", {})  # type: ignore[union-attr]
    draft = _draft(state, send, currency, logistics, keys, images)
    try:
        result = await shop.connector.create_product(draft)
    except CircuitOpen as exc:
        return await _waiting(sc, job, shop, placeholder, waiting(exc, CREATE, job.dry_run))
    except ConnectorError as exc:
        return await _refused(sc, job, shop, placeholder, f"{exc.platform} refused it: {exc}")
    if not result.ok:
        return await _refused(
            sc, job, shop, placeholder, f"{shop.channel.platform} refused it: {result.detail}"
        )
    if job.dry_run:
        return {"result": "ok", "dry_run": True, "item_id": None}
    return await _read_back(sc, job, shop, state, placeholder, result.external_id)


async def _read_back(
    sc: SyncContext,
    job: SyncJob,
    shop: ShopConnection,
    state: publish.State,
    placeholder: str,
    created_id: str | None,
) -> dict[str, Any]:
    """The accepted create read back; its listings replace the placeholders."""
    try:
        created = await shop.connector.get_products([created_id]) if created_id else []
    except CircuitOpen as exc:
        outcome = waiting(exc, READBACK, job.dry_run, item_id=created_id)
        return await _waiting(sc, job, shop, placeholder, outcome)
    except ConnectorError as exc:
        return await _refused(sc, job, shop, placeholder, f"{exc.platform} refused it: {exc}")
    async with sc.tx(job.org_id) as session:
        ids = await variant_ids(session, list(state["variants"]))
        await session.execute(
            delete(Listing).where(
                Listing.channel_account_id == shop.channel.id, Listing.platform_item_id == placeholder
            )
        )
        rows = listing_rows(job.org_id, shop.channel.id, state, created, ids)
        await bulk.insert_rows(session, Listing, rows)
    return {"result": "ok", "dry_run": False, "item_id": created_id}


async def _refused(
    sc: SyncContext, job: SyncJob, shop: ShopConnection, placeholder: str, error: str
) -> dict[str, Any]:
    await _mark(sc, job, shop, placeholder, status=REFUSED, sync_state="error", last_error=error[:2000])
    return {"result": "failed", "error": error, "dry_run": job.dry_run}


async def _waiting(
    sc: SyncContext, job: SyncJob, shop: ShopConnection, placeholder: str, outcome: dict[str, Any]
) -> dict[str, Any]:
    """A create waiting for the circuit: its placeholders stay pending, saying why."""
    await _mark(sc, job, shop, placeholder, last_error=outcome["error"][:2000])
    return outcome


async def _mark(sc: SyncContext, job: SyncJob, shop: ShopConnection, placeholder: str, **values: Any) -> None:
    """Set `values` on a create's placeholder listings (live jobs only: a dry run wrote none)."""
    if not job.dry_run:
        async with sc.tx(job.org_id) as session:
            await session.execute(
                update(Listing)
                .where(Listing.channel_account_id == shop.channel.id, Listing.platform_item_id == placeholder)
                .values(**values)
            )


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


def _row(item: ChangeSetItem, outcome: dict[str, Any], shop: ShopConnection, dry_run: bool) -> dict[str, Any]:
    """The job's report row of an item (a waiting one's says where it goes on from)."""
    request: dict[str, Any] = {"seq": item.seq, "requests": requests_of(shop.records)}
    if outcome["result"] == WAITING:
        request |= {"phase": outcome["phase"], "item_id": outcome["item_id"]}
    return {
        "ref": f"{item.action} {item.sku}"[:200],
        "result": outcome["result"],
        "error": outcome.get("error"),
        "dry_run": dry_run,
        "request": request,
    }


@handler(JOB)
async def publish_job(sc: SyncContext, job: SyncJob) -> dict[str, Any]:
    assert job.channel_account_id is not None  # noqa: S101
    shop = await open_channel(sc, job.org_id, job.channel_account_id)
    earlier = await progress(sc, job)  # an earlier run's items: the finished ones are not sent again
    every = await _items(sc, job)
    items = [i for i in every if i.seq not in earlier.finished]
    phase = {i.seq: earlier.phase(i.seq) or (CREATE if i.action == publish.CREATE else UPDATE) for i in items}
    prices: list[tuple[Listing, PriceUpdate]] = []
    priced: list[tuple[int, list[uuid.UUID]]] = []  # the report row and priced listings of each item
    stock: list[uuid.UUID] = []
    written: list[str] = []
    report: list[dict[str, Any]] = []
    circuit: CircuitOpen | None = None  # the last refusal of our open circuit
    logistics: tuple[str, ...] = ()
    if any(phase[i.seq] == CREATE for i in items):  # a read: where the platform lists channels
        logistics = tuple(c.channel_id for c in await shop.connector.logistics_channels() if c.enabled)
    platform = shop.channel.platform
    uploaded = await upload_all(  # every image the items send, before any item: the fewest calls
        sc,
        job,
        shop,
        (
            url
            for i in items
            if phase[i.seq] in (CREATE, UPDATE)
            and sends_images(platform, i.action, (i.after or {}).get("diff") or {})
            for url in (i.after or {})["state"]["images"]
        ),
    )
    for item in items:
        shop.records.clear()
        listings: list[Listing] = []
        if item.action == publish.CREATE:
            created = earlier.item_id(item.seq) if phase[item.seq] == READBACK else None
            outcome = await _create(sc, job, shop, item, logistics, uploaded, created)
            if outcome["result"] == "ok" and outcome.get("item_id"):
                written.append(outcome["item_id"])
        else:
            start = len(prices)
            outcome, listings = await send_update(sc, job, shop, item, prices, uploaded, phase[item.seq])
            if outcome["result"] != WAITING:
                await record(sc, job, shop, item, listings, outcome)
            if len(prices) > start:
                priced.append((len(report), [x.id for x, _ in prices[start:]]))
            if outcome["result"] == "ok" and phase[item.seq] in (UPDATE, RELINK):  # not again at PRICES
                written += list(dict.fromkeys(x.platform_item_id for x in listings))
                if publish.changed_skus((item.after or {})["diff"], "stock"):
                    stock += [x.id for x in listings]
        if outcome["result"] == WAITING:
            circuit = outcome["circuit"]
        report.append(_row(item, outcome, shop, job.dry_run))
    shop.records.clear()
    refused_prices, held, prices_waiting = await send_prices(sc, job, shop, prices)
    for index, listing_ids in priced:  # updates applied, prices refused by the open circuit: they wait
        if prices_waiting is not None and held & set(listing_ids):
            circuit = prices_waiting
            report[index] |= {
                "result": WAITING,
                "error": waiting(prices_waiting, PRICES, job.dry_run)["error"],
                "request": report[index]["request"] | {"phase": PRICES, "item_id": None},
            }
    ok = earlier.ok() + sum(1 for r in report if r["result"] == "ok")
    left = sum(1 for r in report if r["result"] == WAITING)
    before = counters(job, earlier)
    async with sc.tx(job.org_id) as session:
        await clear_waiting(session, job)
        await jobs.add_items(session, job, report)
        if stock and not job.dry_run:
            shops = await inventory.mark_listings_dirty(session, stock)
            await queue_pushes(session, job.org_id, shops)
        await after_write(session, job, written)
        summary = {
            "items": len(every),
            "ok": ok,
            "failed": len(every) - ok - left,
            "prices": before["prices"] + len(prices) - len(held),
            "prices_refused": before["prices_refused"] + refused_prices,
            "stock_pushed": before["stock_pushed"] + len(stock),
            "dry_run": job.dry_run,
        }
        if circuit is not None:  # shown while the job waits; the runner reschedules it (no attempt spent)
            await session.execute(
                update(SyncJob).where(SyncJob.id == job.id).values(result=summary | {"waiting": left})
            )
        else:
            await audit.record(
                session,
                _ctx(job),
                "catalog.published",
                "sync_job",
                job.id,
                after=summary | {"change_set_id": job.params["change_set_id"]},
            )
    if circuit is not None:
        raise circuit
    return summary
