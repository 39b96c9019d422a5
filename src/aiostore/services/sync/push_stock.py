"""The stock half of a shop's push: the available quantity of its dirty (or chosen) listings.

What a listing is sent is derived by services/allocation/quantities.py (on hand - reserved - other
shops' promotion reservations - buffer, the shop's allocation rule, plus what this shop's open orders
hold where the platform's stock counts them), the same derivation GET /api/variants/{id}/stock/explain
shows. A stock push never sends a price.

Propagation: each listing notes the sales in other shops that changed it and that no push has carried
yet (`listings.sale_pending`, oldest first). A push reads them with the stock; once the platform has
taken a listing's stock, the sales read are dropped from it and the job records the oldest one it
carried (`sync_jobs.sale_at`), how many (`sales_carried`) and when the platform took them
(`pushed_at`): the operations report's propagation times.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import BindParameter, Row, Select, Uuid, bindparam, exists, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from aiostore.connectors.dtos import ItemResult, StockUpdate
from aiostore.db import bulk
from aiostore.db.models import AllocationRule, Inventory, Listing, PromotionReservation, SyncJob, SyncJobItem
from aiostore.services.allocation.quantities import Terms, derive_listings
from aiostore.services.reconciliation.readback import Written
from aiostore.services.sync.context import ShopConnection, SyncContext
from aiostore.services.sync.pacing import PACER
from aiostore.services.sync.push_items import (
    Passing,
    item_rows,
    job_item,
    key_of,
    outcome,
)

# Plain columns, not Listing objects: a shop's 10,000 dirty listings as ORM objects (with their
# platform state) cost more memory than the rest of the push together.
COLUMNS: tuple[Any, ...] = (
    Listing.id,
    Listing.channel_account_id,
    Listing.variant_id,
    Listing.platform_item_id,
    Listing.platform_model_id,
    Listing.platform_sku,
    Listing.stock_version,
    Listing.sale_pending,
    Inventory.on_hand,
    Inventory.reserved,
    Inventory.safety_buffer,
)

Targets = dict[tuple[str, str], tuple[Row[Any], int]]  # (item, model) -> (listing as read, quantity)


def _listings(channel: uuid.UUID | BindParameter[Any], listing_ids: list[uuid.UUID] | None) -> Select[Any]:
    """The shop's (its id, or a bound parameter) dirty listings (None) or the chosen ones."""
    stmt = (
        select(*COLUMNS)
        .join(Inventory, Inventory.variant_id == Listing.variant_id)
        .where(Listing.channel_account_id == channel, Listing.variant_id.is_not(None))
        .order_by(Listing.platform_item_id, Listing.platform_model_id)
    )
    if listing_ids is None:
        return stmt.where(Listing.stock_dirty.is_(True))
    return stmt.where(bulk.among(Listing.id, listing_ids))


async def plan_stock(
    session: AsyncSession, shop: ShopConnection, listing_ids: list[uuid.UUID] | None
) -> Targets:
    """What each dirty (None) or chosen listing of the shop is to be sent, read in `session`."""
    rows = (await session.execute(_listings(shop.channel.id, listing_ids))).all()
    return await plan_rows(session, shop, rows)


async def plan_rows(
    session: AsyncSession, shop: ShopConnection, rows: Sequence[Row[Any]], terms: Terms | None = None
) -> Targets:
    """What each of these listings (as `_listings` reads them) is to be sent."""
    limits = {shop.channel.id: shop.connector.limits}
    derived = await derive_listings(session, [(r, r) for r in rows], limits, terms)
    return {key_of(d.listing): (d.listing, d.quantity) for d in derived}


@dataclass(frozen=True)
class Dirty:
    """A push round's look at its shop (`read_dirty`)."""

    rows: list[Row[Any]]  # the stock-dirty listings, as `plan_rows` takes them
    prices: bool  # a committed price of the shop waits to be sent
    terms: Terms  # whether allocation rules or promotion reservations may apply to those listings


# A push round's look at its shop (`read_dirty`), built once with the shop as a bound parameter: built per
# round it cost 885 µs of CPU, most of it making the aliased listing's column proxies.
_SHOP = bindparam("shop", type_=Uuid)
_OTHER = aliased(Listing)
_PRICES = exists().where(_OTHER.channel_account_id == _SHOP, _OTHER.price_dirty.is_(True))
_DIRTY = _listings(_SHOP, None).add_columns(
    _PRICES,
    exists().where(AllocationRule.channel_account_id == _SHOP),
    exists().where(PromotionReservation.variant_id == Listing.variant_id),
)
_PRICES_ONLY = select(_PRICES)


async def read_dirty(session: AsyncSession, channel_id: uuid.UUID) -> Dirty:
    """The shop's stock-dirty listings, with on each row whether a price of the shop is pending, whether
    the shop has any allocation rule and whether a promotion reserves units of the listing's variant: one
    statement when stock is dirty (two when not), where a count, the listings and a look for rules and
    promotions took three. A shop with a rule (for any variant) has its rules loaded for the listings."""
    rows = list((await session.execute(_DIRTY, {"shop": channel_id})).all())
    if not rows:
        return Dirty([], bool(await session.scalar(_PRICES_ONLY, {"shop": channel_id})), Terms(False, False))
    return Dirty(rows, bool(rows[0][-3]), Terms(bool(rows[0][-2]), any(row[-1] for row in rows)))


Then = Callable[[AsyncSession, dict[str, Any], Passing], Awaitable[None]]


async def push_stock_of(
    sc: SyncContext,
    job: SyncJob,
    shop: ShopConnection,
    listing_ids: list[uuid.UUID] | None,
    planned: Targets | None = None,
    written: Written | None = None,
    then: Then | None = None,
) -> tuple[dict[str, Any], Passing]:
    """Send the stock of the shop's dirty listings (None) or of the chosen ones (`planned` when the caller
    has already read them); returns the summary and the items that failed for a passing reason (the
    caller retries the job for them). What the platform accepted (live) is added to `written`, for the
    read-back. `then(session, summary, retryable)` runs in the transaction that records the outcome (the
    push's own closing writes, in the same commit)."""
    if planned is None:
        async with sc.tx(job.org_id) as session:
            planned = await plan_stock(session, shop, listing_ids)
    updates = [StockUpdate(item, model, qty) for (item, model), (_, qty) in planned.items()]
    if not updates:
        return {"listings": 0, "failed": 0}, Passing()
    calls, sent = shop.connector.api_calls, PACER.now()
    results = await shop.connector.update_stock(updates)
    pushed_at = datetime.now(UTC)
    await PACER.shared_sent(
        sc.db.engine, shop.channel.id, shop.connector.limits, shop.connector.api_calls - calls, sent
    )
    if written is not None:
        for r in results:
            if r.ok and not r.dry_run:
                listing, quantity = planned[(r.item_id, r.variant_id)]
                written.stock[key_of(listing)] = (listing.id, quantity)
    summary = {"listings": len(updates), "failed": sum(1 for r in results if not r.ok)}
    retryable = Passing.of(results)
    async with sc.tx(job.org_id) as session:
        await _record(session, job, planned, results, pushed_at)
        if then is not None:
            await then(session, summary, retryable)
    return summary, retryable


# The listings are locked in id order first (the CTE), as sales lock them (services/inventory.mark_dirty),
# so a push and a sale never deadlock: in the same statement as the update, not a statement before it.
# The same statement notes on the job the sales the push carried (a retried job keeps the oldest sale any
# of its attempts carried, and when that one was taken) and writes the job's items ({items}: the insert
# `bulk.insert_sql` makes of them).
_RECORD = """WITH locked AS (
        SELECT id FROM listings WHERE id = ANY(CAST(:ids AS uuid[])) ORDER BY id FOR NO KEY UPDATE),
    carried AS (
        UPDATE sync_jobs SET sales_carried = coalesce(sales_carried, 0) + :count,
            pushed_at = CASE WHEN sale_at IS NULL OR CAST(:oldest AS timestamptz) < sale_at
                             THEN :now ELSE pushed_at END,
            sale_at = LEAST(sale_at, CAST(:oldest AS timestamptz))
        WHERE id = :job AND CAST(:count AS integer) > 0),
    items AS ({items})
    UPDATE listings AS t SET sync_state = v.sync_state, last_error = v.last_error,
        last_synced_at = :now, updated_at = :now,
        platform_stock = CASE WHEN v.applied THEN v.quantity ELSE t.platform_stock END,
        pushed_stock = CASE WHEN v.applied THEN v.quantity ELSE t.pushed_stock END,
        stock_dirty = CASE WHEN v.clean AND t.stock_version = v.version THEN false ELSE t.stock_dirty END,
        sale_pending = CASE WHEN v.clean THEN t.sale_pending[v.carried + 1:] ELSE t.sale_pending END
    FROM unnest(CAST(:ids AS uuid[]), CAST(:states AS varchar[]), CAST(:errors AS text[]),
                CAST(:applied AS boolean[]), CAST(:quantities AS bigint[]), CAST(:clean AS boolean[]),
                CAST(:versions AS bigint[]), CAST(:carried AS integer[]))
        AS v(id, sync_state, last_error, applied, quantity, clean, version, carried)
    WHERE t.id = v.id AND t.id IN (SELECT id FROM locked)"""


@dataclass
class _Carried:
    """The sales a push carried to the platform (live, accepted items only)."""

    oldest: datetime | None = None
    count: int = 0

    def add(self, pending: list[datetime]) -> None:
        if pending:
            first = min(pending)
            self.oldest = first if self.oldest is None else min(self.oldest, first)
            self.count += len(pending)


async def _record(
    session: AsyncSession, job: SyncJob, targets: Targets, results: list[ItemResult], pushed_at: datetime
) -> None:
    """Each listing's outcome, the sales the push carried and the job's items, in one statement that
    locks the listings first (a change committed after the read keeps the listing dirty, a sale noted
    after it stays pending)."""
    columns: dict[str, list[Any]] = {
        n: [] for n in ("ids", "states", "errors", "applied", "quantities", "clean", "versions", "carried")
    }
    items: list[dict[str, Any]] = []
    carried = _Carried()
    for result in results:
        listing, quantity = targets[(result.item_id, result.variant_id)]
        values, clean = outcome(result)
        applied = result.ok and not result.dry_run
        for name, value in (
            ("ids", listing.id),
            ("states", values["sync_state"]),
            ("errors", values["last_error"]),
            ("applied", applied),
            ("quantities", quantity),
            ("clean", clean),
            ("versions", listing.stock_version),
            ("carried", len(listing.sale_pending)),
        ):
            columns[name].append(value)
        if applied:
            carried.add(listing.sale_pending)
        items.append(job_item(listing, result, {"stock": quantity}))
    sales = {"count": carried.count, "oldest": carried.oldest, "job": job.id}
    insert, params, rows = bulk.insert_sql(SyncJobItem, item_rows(job, items), prefix="item")
    statement = bulk.statement(_RECORD.format(items=insert), params)
    await session.execute(statement, {"now": pushed_at, **columns, **sales, **rows})
