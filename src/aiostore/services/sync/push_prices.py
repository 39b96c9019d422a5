"""The price half of a shop's push: the prices a committed change left pending (`listings.price_dirty`).

Only `mark_prices_dirty` (services/sync/push.py), which a committed price change calls, sets the flag,
so nothing else (a sale, a stock change, linking, importing, an asked-for push) ever sends a price.
The price sent is the listing's own override price if it has one, else the master variant's price in
the shop's market. After the platform accepts it (live), the listing's `platform_state` carries it, as
a pull would have seen it. A listing with no price to send (no override, no master price in that
market) fails with that reason, and so does an override that is not an amount in the market's
currency.

The outcome is kept on the listing apart from the stock's (`price_sync_state`, `price_error`): a price
the platform refused (Lazada: not above the sale price it holds) stays visible, and raises the
`listing_rejected` alert, until a later price is accepted, whatever stock pushes succeed meanwhile.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import Row, Select, and_, select, text

from aiostore.connectors.dtos import ItemError, ItemResult, PriceUpdate
from aiostore.db import bulk
from aiostore.db.models import Listing, SyncJob, VariantPrice
from aiostore.domain.market import market
from aiostore.domain.money import Money, MoneyError
from aiostore.services.reconciliation.readback import Written
from aiostore.services.sync.context import ShopConnection, SyncContext
from aiostore.services.sync.push_items import (
    CHUNK,
    Passing,
    job_item,
    key_of,
    lock_listings,
    outcome,
    record_items,
)

# Plain columns, not Listing and VariantPrice objects (see push_stock.py).
COLUMNS: tuple[Any, ...] = (
    Listing.id,
    Listing.platform_item_id,
    Listing.platform_model_id,
    Listing.platform_sku,
    Listing.overrides,
    Listing.price_version,
    VariantPrice.amount,
    VariantPrice.currency,
)


class Priced(Protocol):
    """A listing's own prices (`overrides`) and its variant's master price in the shop's market (None
    when it has none)."""

    @property
    def overrides(self) -> dict[str, Any] | None: ...

    @property
    def amount(self) -> int | None: ...

    @property
    def currency(self) -> str | None: ...


def _listings(channel_id: uuid.UUID, market_code: str, listing_ids: list[uuid.UUID] | None) -> Select[Any]:
    stmt = (
        select(*COLUMNS)
        .outerjoin(
            VariantPrice,
            and_(VariantPrice.variant_id == Listing.variant_id, VariantPrice.market == market_code),
        )
        .where(Listing.channel_account_id == channel_id, Listing.price_dirty.is_(True))
        .order_by(Listing.platform_item_id, Listing.platform_model_id)
    )
    return stmt if listing_ids is None else stmt.where(bulk.among(Listing.id, listing_ids))


def price_of(listing: Priced, market_code: str) -> Money:
    """The listing's override price, else the master price in the shop's market (MoneyError: none)."""
    currency = market(market_code).currency
    override = (listing.overrides or {}).get("price")
    if override is not None and override != "":
        return Money.from_major(str(override), currency)
    if listing.amount is None or listing.currency != currency.value:
        raise MoneyError(f"no {market_code} price for this listing's variant", "no_price")
    return Money(listing.amount, currency)


async def push_prices_of(
    sc: SyncContext,
    job: SyncJob,
    shop: ShopConnection,
    listing_ids: list[uuid.UUID] | None,
    written: Written | None = None,
) -> tuple[dict[str, Any], Passing]:
    """Send the pending prices of the shop's listings (None: all of them; else only of these); what the
    platform accepted (live) is added to `written`, for the read-back."""
    code = shop.channel.market
    async with sc.tx(job.org_id) as session:
        rows = (await session.execute(_listings(shop.channel.id, code, listing_ids))).all()
    targets: dict[tuple[str, str], tuple[Row[Any], Money]] = {}
    refused: list[tuple[Row[Any], ItemResult]] = []
    for row in rows:
        try:
            targets[key_of(row)] = (row, price_of(row, code))
        except MoneyError as exc:
            error = ItemError("InvalidRequest", str(exc), retryable=False)
            refused.append((row, ItemResult(*key_of(row), ok=False, error=error)))
    updates = [PriceUpdate(item, model, money) for (item, model), (_, money) in targets.items()]
    results = await shop.connector.update_prices(updates) if updates else []
    answered = [(targets[(r.item_id, r.variant_id)][0], r) for r in results]
    await _record(sc, job, targets, refused + answered)
    if written is not None:
        for listing, r in answered:
            if r.ok and not r.dry_run:
                written.prices[key_of(listing)] = (listing.id, targets[key_of(listing)][1])
    failed = sum(1 for _, r in refused + answered if not r.ok)
    return {"listings": len(rows), "failed": failed}, Passing.of(results)


_RECORD = text(
    """UPDATE listings AS t SET price_sync_state = v.sync_state, price_error = v.last_error,
        last_synced_at = :now, updated_at = :now,
        platform_state = CASE WHEN v.applied
            THEN t.platform_state || jsonb_build_object('price', v.price, 'currency', v.currency)
            ELSE t.platform_state END,
        price_dirty = CASE WHEN v.clean AND t.price_version = v.version THEN false ELSE t.price_dirty END
    FROM unnest(CAST(:ids AS uuid[]), CAST(:states AS varchar[]), CAST(:errors AS text[]),
                CAST(:applied AS boolean[]), CAST(:prices AS text[]), CAST(:currencies AS text[]),
                CAST(:clean AS boolean[]), CAST(:versions AS bigint[]))
        AS v(id, sync_state, last_error, applied, price, currency, clean, version)
    WHERE t.id = v.id"""
)


async def _record(
    sc: SyncContext,
    job: SyncJob,
    targets: dict[tuple[str, str], tuple[Row[Any], Money]],
    outcomes: list[tuple[Row[Any], ItemResult]],
) -> None:
    """Each listing's outcome (its sync state, the price the platform took merged into its stored
    state, the dirty flag cleared unless a price was committed after the read) and the job's items,
    a few statements per CHUNK listings from column arrays: no dict per listing held for all of them."""
    async with sc.tx(job.org_id) as session:
        await lock_listings(session, [listing.id for listing, _ in outcomes])
        now = datetime.now(UTC)
        for start in range(0, len(outcomes), CHUNK):
            columns: dict[str, list[Any]] = {name: [] for name in _NAMES}
            items: list[dict[str, Any]] = []
            for listing, result in outcomes[start : start + CHUNK]:
                values, clean = outcome(result, price=True)
                target = targets.get(key_of(listing))
                money = target[1] if target is not None else None
                seen = {"price": str(money.to_major()), "currency": money.currency.value} if money else {}
                for name, value in (
                    ("ids", listing.id),
                    ("states", values["price_sync_state"]),
                    ("errors", values["price_error"]),
                    ("applied", result.ok and not result.dry_run and money is not None),
                    ("prices", seen.get("price")),
                    ("currencies", seen.get("currency")),
                    ("clean", clean),
                    ("versions", listing.price_version),
                ):
                    columns[name].append(value)
                items.append(job_item(listing, result, seen, prefix="price:"))
            await session.execute(_RECORD, {"now": now, **columns})
            await record_items(session, job, items)


_NAMES = ("ids", "states", "errors", "applied", "prices", "currencies", "clean", "versions")
