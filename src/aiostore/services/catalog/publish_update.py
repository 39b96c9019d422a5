"""The update half of the publish job: one product update per platform product with every changed field
the platform's update takes (title, description, status, category, attributes, brand, images and the
variants: changed options, added and removed variants), the changed prices gathered for one batch, and the
listings' state afterwards. A variant edit changes the platform's variant ids: the product is read back and
its listings on the shop re-linked to the master variants, as a create does. A call our open circuit
refused (nothing sent) leaves the item waiting at that phase (`publish_wait`), its listings untouched.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import delete, literal, select, update
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession

from aiostore.connectors.dtos import (
    AttributeValue,
    ItemResult,
    PriceUpdate,
    ProductDTO,
    ProductUpdate,
    VariantEdit,
)
from aiostore.connectors.errors import CircuitOpen, ConnectorError
from aiostore.connectors.planned import item_error
from aiostore.db import bulk
from aiostore.db.models import ChangeSetItem, Listing, PlatformAttribute, SyncJob, Variant
from aiostore.domain import publish
from aiostore.domain.market import Currency, market
from aiostore.domain.money import Money
from aiostore.services.catalog.publish_images import ImageRefused, ShopImages
from aiostore.services.catalog.publish_inputs import PENDING, REFUSED
from aiostore.services.catalog.publish_kind import product_of
from aiostore.services.catalog.publish_wait import RELINK, UPDATE, waiting
from aiostore.services.sync.context import ShopConnection, SyncContext


def platform_state(state: publish.State, sku: str) -> dict[str, Any]:
    """What a listing's platform_state holds once the platform accepted `state` (as a pull reads it,
    plus the fields a pull does not read)."""
    return {
        "name": state["title"],
        "description": state["description"],
        "images": state["images"],
        "attributes": state["attributes"],
        "category": state["category"],
        "brand": state["brand"],
        "options": state["variants"].get(sku, []),
        "price": state["price"].get(sku),
        "status": state["status"],
    }


def attribute_values(state: publish.State, keys: Mapping[str, str]) -> tuple[AttributeValue, ...]:
    """The state's attribute values; `keys`: the payload key of each attribute where the platform names
    attributes by key (Lazada), from the reference cache."""
    return tuple(
        AttributeValue(
            a["attribute_id"],
            tuple(a["value_ids"]),
            tuple(a["texts"]),
            a["unit"],
            keys.get(a["attribute_id"], ""),
        )
        for a in state["attributes"]
    )


async def attribute_keys(
    sc: SyncContext, job: SyncJob, shop: ShopConnection, state: publish.State
) -> dict[str, str]:
    """The cached payload keys of the state's category's attributes (only those that have one)."""
    if not state["attributes"] or not state["category"]:
        return {}
    async with sc.tx(job.org_id) as session:
        rows = await session.execute(
            select(PlatformAttribute.attribute_id, PlatformAttribute.key).where(
                PlatformAttribute.platform == shop.channel.platform,
                PlatformAttribute.market == shop.channel.market,
                PlatformAttribute.category_id == state["category"],
                PlatformAttribute.key != "",
            )
        )
        return dict(rows.all())


def option_names(state: publish.State) -> tuple[str, ...]:
    """The tier names we give a product of several variants ("option 1", ...); none for one variant."""
    if len(state["variants"]) < 2:
        return ()
    width = max((len(o) for o in state["variants"].values()), default=0)
    return tuple(f"option {n + 1}" for n in range(width))


async def variant_ids(session: AsyncSession, skus: list[str]) -> dict[str, uuid.UUID]:
    rows = await session.execute(select(Variant.sku, Variant.id).where(Variant.sku.in_(skus)))
    return {sku: vid for sku, vid in rows.all()}


def listing_rows(
    org_id: uuid.UUID,
    channel_account_id: uuid.UUID,
    state: publish.State,
    products: list[ProductDTO],
    ids: dict[str, uuid.UUID],
) -> list[dict[str, Any]]:
    """The listings of products read back from the platform, linked to the master variants by SKU."""
    rows = []
    for product in products:
        for v in product.variants:
            sku = v.seller_sku or product.seller_sku
            rows.append(
                {
                    "org_id": org_id,
                    "channel_account_id": channel_account_id,
                    "variant_id": ids.get(sku),
                    "platform_item_id": v.item_id or product.item_id,
                    "platform_model_id": v.variant_id or "0",
                    "platform_sku": sku or None,
                    "title": state["title"][:300],
                    "status": v.status.value,
                    "platform_state": platform_state(state, sku)
                    | {"product_id": product.item_id}
                    | {"status": v.platform_status or product.platform_status},
                    "overrides": {},
                    "sync_state": "in_sync",
                    "platform_stock": v.stock,
                }
            )
    return rows


async def listings_of(
    sc: SyncContext, job: SyncJob, shop: ShopConnection, product_id: uuid.UUID
) -> list[Listing]:
    async with sc.tx(job.org_id) as session:
        rows = await session.scalars(
            select(Listing)
            .join(Variant, Variant.id == Listing.variant_id)
            .where(
                Listing.channel_account_id == shop.channel.id,
                Variant.product_id == product_id,
                Listing.status.not_in((PENDING, REFUSED)),
            )
            .order_by(Listing.platform_item_id, Listing.platform_model_id)
        )
        return list(rows.all())


async def _skus(sc: SyncContext, job: SyncJob, listings: list[Listing]) -> dict[uuid.UUID, str]:
    async with sc.tx(job.org_id) as session:
        rows = await session.execute(
            select(Variant.id, Variant.sku).where(Variant.id.in_([x.variant_id for x in listings]))
        )
        return dict(rows.all())


def product_update(
    item_id: str,
    state: publish.State,
    sending: frozenset[str],
    unlist: bool,
    by_sku: dict[str, Listing],
    currency: Currency,
    keys: Mapping[str, str],
    images: tuple[str, ...] = (),
) -> ProductUpdate:
    """One platform product's update: the fields in `sending` (the diff's, less what the platform's
    update cannot change); the variants in full when they changed (the listed ones keep their ids)."""

    def given(name: str) -> bool:
        return name in sending and not unlist

    variants = None
    removed: tuple[str, ...] = ()
    if given("variants"):
        variants = tuple(
            VariantEdit(
                by_sku[sku].platform_model_id or "0" if sku in by_sku else "",
                tuple(options),
                sku,
                Money.from_major(state["price"].get(sku) or "0", currency),
                int(state["stock"].get(sku, 0)),
            )
            for sku, options in state["variants"].items()
        )
        removed = tuple(x.platform_model_id or "0" for s, x in by_sku.items() if s not in state["variants"])
    return ProductUpdate(
        item_id=item_id,
        name=state["title"] if given("title") else None,
        description=state["description"] if given("description") else None,
        active=state["status"] == publish.ACTIVE if "status" in sending or unlist else None,
        category_id=state["category"] if given("category") and state["category"] else None,
        attributes=attribute_values(state, keys) if given("attributes") or given("category") else None,
        brand_id=state["brand"] if given("brand") and state["brand"] else None,
        image_ids=images if given("images") and images else None,
        option_names=option_names(state) if variants is not None else (),
        variants=variants,
        removed_variant_ids=removed,
    )


async def _relink(
    sc: SyncContext, job: SyncJob, shop: ShopConnection, state: publish.State, item_ids: list[str]
) -> None:
    """After a variant edit: the products read back, their listings on the shop replaced."""
    products = await shop.connector.get_products(item_ids)
    async with sc.tx(job.org_id) as session:
        ids = await variant_ids(session, list(state["variants"]))
        read = {v.item_id or p.item_id for p in products for v in p.variants} | set(item_ids)
        await session.execute(
            delete(Listing).where(
                Listing.channel_account_id == shop.channel.id, Listing.platform_item_id.in_(read)
            )
        )
        rows = listing_rows(job.org_id, shop.channel.id, state, products, ids)
        await bulk.insert_rows(session, Listing, rows)


async def send_update(
    sc: SyncContext,
    job: SyncJob,
    shop: ShopConnection,
    item: ChangeSetItem,
    prices: list[tuple[Listing, PriceUpdate]],
    uploaded: ShopImages,
    phase: str = UPDATE,
) -> tuple[dict[str, Any], list[Listing]]:
    """The product update of one item (its price updates are gathered into `prices` for one batch; its
    images uploaded with the job's others, `uploaded`), from `phase` on (an item that waited for the
    circuit after its update was applied goes on with the read-back or the prices: nothing sent twice)."""
    after: dict[str, Any] = item.after or {}
    state, changes = after["state"], after["diff"]
    product_id = product_of(item)
    listings = await listings_of(sc, job, shop, product_id)
    if not listings:
        return {
            "result": "failed",
            "error": "the listing is not on the shop any more",
            "dry_run": job.dry_run,
        }, []
    unlist = item.action == publish.UNLIST
    sending = (publish.CONTENT - publish.not_updatable(shop.channel.platform)) & changes.keys()
    currency = market(shop.channel.market).currency
    skus = await _skus(sc, job, listings)
    error = None
    if unlist or sending:
        groups: dict[str, dict[str, Listing]] = {}
        for x in listings:
            product = (x.platform_state or {}).get("product_id") or x.platform_item_id
            groups.setdefault(product, {})
            if x.variant_id in skus:
                groups[product][skus[x.variant_id]] = x
        keys = await attribute_keys(sc, job, shop, state) if {"attributes", "category"} & sending else {}
        images: tuple[str, ...] = ()
        if "images" in sending and not unlist and phase == UPDATE:
            try:
                images = uploaded.of(state["images"])
            except ImageRefused as exc:
                error, groups = str(exc), {}
            except CircuitOpen as exc:
                return waiting(exc, UPDATE, job.dry_run), listings
        for item_id, by_sku in groups.items() if phase == UPDATE else ():
            call = product_update(item_id, state, frozenset(sending), unlist, by_sku, currency, keys, images)
            try:
                written = await shop.connector.update_product(call)
            except CircuitOpen as exc:
                return waiting(exc, UPDATE, job.dry_run), listings
            except ConnectorError as exc:
                error = f"{exc.platform} refused it: {exc}"
                break
            if not written.ok:
                error = f"{shop.channel.platform} did not apply it: {written.detail}"
                break
        relink = "variants" in sending and not job.dry_run and phase in (UPDATE, RELINK)
        if error is None and not unlist and relink:
            try:
                await _relink(sc, job, shop, state, list(groups))
            except CircuitOpen as exc:
                return waiting(exc, RELINK, job.dry_run), listings
            except ConnectorError as exc:
                error = f"the variants were sent, but reading them back failed: {exc}"
            listings = await listings_of(sc, job, shop, product_id)
            skus = await _skus(sc, job, listings)
    if error is None and not unlist:
        for listing in listings:
            sku = skus.get(listing.variant_id) if listing.variant_id else None
            if sku in publish.changed_skus(changes, "price") and state["price"].get(sku):
                key = (listing.platform_item_id, listing.platform_model_id or "0")
                prices.append((listing, PriceUpdate(*key, Money.from_major(state["price"][sku], currency))))
    outcome = {"result": "failed" if error else "ok", "error": error, "dry_run": job.dry_run}
    return outcome, listings


def _merged(fields: dict[str, Any]) -> Any:
    """A listing's platform_state with `fields` set in the database (jsonb `||`), the rest as it is."""
    return Listing.platform_state.op("||")(literal(fields, JSONB))


async def send_prices(
    sc: SyncContext, job: SyncJob, shop: ShopConnection, prices: list[tuple[Listing, PriceUpdate]]
) -> tuple[int, set[uuid.UUID], CircuitOpen | None]:
    """Changed prices in the connector's largest batches; a refused one is kept on its listing. Those our
    open circuit refused (not sent) are no refusal: their listings (returned, with the circuit) keep
    the price they had before the job, and their items wait."""
    if not prices:
        return 0, set(), None
    try:
        results = await shop.connector.update_prices([p for _, p in prices])
    except CircuitOpen as exc:  # as the connector reports a batch our breaker refused: per item
        held = item_error(exc)
        results = [ItemResult(p.item_id, p.variant_id, False, held) for _, p in prices]
    failed = {(r.item_id, r.variant_id): r for r in results if not r.ok}
    waiting: set[uuid.UUID] = set()
    circuit = None
    for listing, price in prices:
        result = failed.get((price.item_id, price.variant_id))
        error = result.error if result is not None else None
        if error is not None and error.kind == CircuitOpen.__name__:
            waiting.add(listing.id)
            platform = shop.channel.platform
            circuit = CircuitOpen(error.message, retry_after=error.retry_after, platform=platform)
    refused = len(failed) - len(waiting)
    if job.dry_run:
        return refused, waiting, circuit
    async with sc.tx(job.org_id) as session:
        for listing, price in prices:
            # the price merged into the state the item's update recorded (`listing` holds the state
            # read before it); one held by the circuit: the price it had before the job
            result = failed.get((price.item_id, price.variant_id))
            if listing.id in waiting:
                kept = {"price": (listing.platform_state or {}).get("price")}
                values: dict[str, Any] = {"platform_state": _merged(kept)}
            elif result is not None:
                message = result.error.message if result.error else "refused"
                values = {"sync_state": "error", "last_error": message}
            else:
                values = {"platform_state": _merged({"price": str(price.price.to_major())})}
            await session.execute(update(Listing).where(Listing.id == listing.id).values(**values))
    return refused, waiting, circuit


# The platform_state key of each diffed field that has one of its own.
_STATE_KEY = {"images": "images", "attributes": "attributes", "category": "category", "brand": "brand"}
_STATE_KEY |= {"variants": "options"}


async def record(
    sc: SyncContext,
    job: SyncJob,
    shop: ShopConnection,
    item: ChangeSetItem,
    listings: list[Listing],
    outcome: dict[str, Any],
) -> None:
    """The listings' state after their item: the sent fields once live and accepted (what the platform's
    update cannot change keeps its old value, so the next preview still shows it), else the error."""
    if job.dry_run or not listings:
        return
    state: publish.State = (item.after or {})["state"]
    kept = {_STATE_KEY[f] for f in publish.not_updatable(shop.channel.platform) if f in _STATE_KEY}
    skus = await _skus(sc, job, listings)
    async with sc.tx(job.org_id) as session:
        for listing in listings:
            if outcome["result"] == "ok":
                sent = platform_state(state, skus.get(listing.variant_id, "") if listing.variant_id else "")
                sent = {k: v for k, v in sent.items() if k not in kept}
                values: dict[str, Any] = {
                    "platform_state": (listing.platform_state or {}) | sent,
                    "status": "active" if state["status"] == publish.ACTIVE else "inactive",
                    "title": state["title"][:300],
                    "sync_state": "in_sync",
                    "last_error": None,
                }
            else:
                values = {"sync_state": "error", "last_error": (outcome.get("error") or "refused")[:2000]}
            await session.execute(update(Listing).where(Listing.id == listing.id).values(**values))
