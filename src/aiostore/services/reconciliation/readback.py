"""Read-back: after a push, what it wrote is read back from the platform and compared.

Platforms accept some writes and silently keep their own value (a listing under review, a campaign's
stock lock). Once a shop's push has sent its stock and prices, it asks for a `readback` job with what it
wrote (live, accepted), in its own transaction (`request`): the read-back is a job of its own, outside the
shop's push lane, so the next sale's push never waits for reads. While the shop's read-back job waits in
the queue, further pushes add what they wrote to it (the latest value of a listing wins), so a burst costs
one read-back, not one per push. The job reads the items back in the connector's batches within
`readback_read_calls` calls (items beyond the budget are left to the scheduled reconciliation, and so is
everything when the read fails: the writes stand, the job does not fail for it); a value that differs from
what was accepted is kept as a `not_applied` finding, and one read back equal closes that listing's open
finding of the kind. Stock that differs is looked at a second time first, by a read-back of its own: a
sale on the platform moves its stock before our intake has the order, and the sale's push then writes
the listing again (a finding and a stock-drift alert were raised for such sales: 4 in 300 orders of
bench/propagation.py). A listing written again since (dirty again, or a later push recorded another value)
is not compared: the later write has its own read-back.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import structlog
from sqlalchemy import bindparam, select, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession

from aiostore.connectors.errors import ConnectorError
from aiostore.db import bulk
from aiostore.db.models import Listing, SyncJob
from aiostore.domain.money import Money
from aiostore.services.alerts import triggers
from aiostore.services.reconciliation import findings
from aiostore.services.reconciliation.findings import Seen
from aiostore.services.reconciliation.reading import PER_CHUNK_EXTRA, Key, Shown, read_within
from aiostore.services.sync import jobs
from aiostore.services.sync.context import ShopConnection, SyncContext, open_channel
from aiostore.services.sync.push_items import key_of, lock_listings
from aiostore.services.sync.runner import handler
from aiostore.settings import Settings

log = structlog.get_logger(__name__)
DETAIL = "the platform accepted the update and kept its own value (a promotion's lock, a review)"
KIND = "readback"
# Below every other job (0): a worker busy with sales and pushes takes them first; reads can wait.
PRIORITY = -1


@dataclass
class Written:
    """What a push wrote and the platform accepted (live only), by listing key."""

    stock: dict[Key, tuple[uuid.UUID, int]] = field(default_factory=dict)
    prices: dict[Key, tuple[uuid.UUID, Money]] = field(default_factory=dict)
    skus: dict[str, str] = field(default_factory=dict)  # item id → a seller SKU of it (reads by SKU)
    # listing id → the stock a read-back already saw differ once (`check`: a second look flags it)
    doubted: dict[uuid.UUID, str] = field(default_factory=dict)

    def items(self) -> list[str]:
        return sorted({k[0] for k in self.stock} | {k[0] for k in self.prices})

    def params(self) -> dict[str, dict[str, Any]]:
        """As a read-back job's parameters: by listing id, the stock and the price (major, currency), and
        the stock already seen differing once."""
        return {
            "stock": {str(lid): qty for lid, qty in self.stock.values()},
            "prices": {str(lid): [str(m.to_major()), m.currency.value] for lid, m in self.prices.values()},
            "doubted": {str(lid): value for lid, value in self.doubted.items()},
        }


def enabled(settings: Settings) -> bool:
    """Whether the read budget allows a read at all (a chunk of one item may cost 1 + 2 calls)."""
    return settings.readback_read_calls >= 1 + PER_CHUNK_EXTRA


async def request(
    session: AsyncSession,
    settings: Settings,
    org_id: uuid.UUID,
    channel_id: uuid.UUID,
    push_job_id: uuid.UUID | None,
    written: Written,
) -> uuid.UUID | None:
    """Ask for the read-back of what a push wrote, in the caller's transaction; the read-back job's id.

    Added to the shop's read-back job still waiting in the queue (locked, so the worker that claims it
    reads it with these), else a new one, run `readback_delay_seconds` later (after the sales and pushes
    waiting then: a lower priority): the writes of a burst join
    it meanwhile and are read in the fewest calls, each listing once (its latest value). One runs at a
    time per shop (the job lock of its kind). Without a push (`push_job_id` None): a read-back's second
    look at stock it saw differ (`check`)."""
    if not written.items() or not enabled(settings):
        return None
    new = written.params()
    pushes = [str(push_job_id)] if push_job_id else []
    # a second look never replaces a later write's value waiting there (the latest value wins)
    second_look = push_job_id is None
    joined: uuid.UUID | None = await session.scalar(
        _JOIN, {"shop": channel_id, **new, "pushes": pushes, "second_look": second_look}
    )
    if joined is not None:
        return joined
    params = {**new, "pushes": pushes}
    job = await jobs.create(
        session, org_id, KIND, channel_account_id=channel_id, params=params, dry_run=False,
        started_by="system", run_at=datetime.now(UTC) + timedelta(seconds=settings.readback_delay_seconds),
        priority=PRIORITY,
    )  # fmt: skip
    return job.id


# Join the shop's read-back still waiting in the queue, in one statement: its parameters are merged in
# the database (the writes of a burst pile up there, and loading and re-encoding them per push grew with
# the burst). Locked as claimed: a worker claiming it meanwhile makes it no longer queued, so nothing is
# joined and the caller creates a new one.
_JOIN = text(
    f"""UPDATE sync_jobs SET params = jsonb_build_object(
        'stock', CASE WHEN :second_look THEN CAST(:stock AS jsonb) || coalesce(params -> 'stock', '{{}}')
                      ELSE coalesce(params -> 'stock', '{{}}') || CAST(:stock AS jsonb) END,
        'prices', coalesce(params -> 'prices', '{{}}') || CAST(:prices AS jsonb),
        'pushes', coalesce(params -> 'pushes', '[]') || CAST(:pushes AS jsonb),
        'doubted', coalesce(params -> 'doubted', '{{}}') || CAST(:doubted AS jsonb)),
        updated_at = now()
    WHERE status = '{jobs.QUEUED}' AND id = (
        SELECT id FROM sync_jobs
        WHERE channel_account_id = :shop AND kind = '{KIND}' AND status = '{jobs.QUEUED}'
        ORDER BY created_at LIMIT 1 FOR UPDATE)
    RETURNING id"""  # noqa: S608  (constants only)
).bindparams(
    bindparam("stock", type_=JSONB),
    bindparam("prices", type_=JSONB),
    bindparam("pushes", type_=JSONB),
    bindparam("doubted", type_=JSONB),
)


@handler(KIND)
async def read_back(sc: SyncContext, job: SyncJob) -> dict[str, Any]:
    """The read-back job: what its pushes wrote, read back from the shop and compared."""
    assert job.channel_account_id is not None  # noqa: S101
    stock = {uuid.UUID(k): int(v) for k, v in job.params.get("stock", {}).items()}
    prices = {uuid.UUID(k): Money.from_major(v[0], v[1]) for k, v in job.params.get("prices", {}).items()}
    async with sc.tx(job.org_id) as session:
        shop = await open_channel(sc, job.org_id, job.channel_account_id, session)
        rows = (
            await session.execute(
                select(
                    Listing.id, Listing.platform_item_id, Listing.platform_model_id, Listing.platform_sku
                ).where(bulk.among(Listing.id, sorted(stock.keys() | prices.keys())))
            )
        ).all()
    written = Written(doubted={uuid.UUID(k): str(v) for k, v in job.params.get("doubted", {}).items()})
    for row in rows:
        if row.platform_sku:
            written.skus.setdefault(row.platform_item_id, row.platform_sku)
        if row.id in stock:
            written.stock[key_of(row)] = (row.id, stock[row.id])
        if row.id in prices:
            written.prices[key_of(row)] = (row.id, prices[row.id])
    pushes = len(job.params.get("pushes", []))
    return {"pushes": pushes} | await check(sc, job.org_id, shop, written)


def _platform_failure(exc: BaseException) -> BaseException | None:
    """The platform's (or the network's) failure behind `exc` (reads sent in parallel raise their first
    failure itself; an exception group is still looked into); None for anything else (a bug is not
    swallowed)."""
    if isinstance(exc, ConnectorError | httpx.TransportError | TimeoutError):
        return exc
    if isinstance(exc, BaseExceptionGroup):
        found = [_platform_failure(e) for e in exc.exceptions]
        return found[0] if found and all(f is not None for f in found) else None
    return None


def _theirs(kind: str, shown: Shown) -> str | None:
    if kind == "stock":
        return None if shown.stock is None else str(shown.stock)
    return None if shown.price is None else str(shown.price.to_major())


async def check(sc: SyncContext, org_id: uuid.UUID, shop: ShopConnection, written: Written) -> dict[str, Any]:
    """Read back what the push wrote; flag what was accepted and not applied."""
    items = written.items()
    budget = sc.settings.readback_read_calls
    if not items or not enabled(sc.settings):
        return {"checked": 0, "not_applied": 0, "unchecked_items": len(items)}
    try:
        read = await read_within(shop.connector, items, budget, written.skus)
    except Exception as exc:  # the writes stand; the schedule reads them later
        cause = _platform_failure(exc)
        if cause is None:
            raise
        log.warning("readback.failed", error=f"{type(cause).__name__}: {cause}")
        return {"checked": 0, "not_applied": 0, "unchecked_items": len(items), "error": type(cause).__name__}
    done = set(read.items)
    sent: list[tuple[str, Key, uuid.UUID, str]] = [
        ("stock", k, lid, str(qty)) for k, (lid, qty) in written.stock.items() if k[0] in done
    ] + [("price", k, lid, str(m.to_major())) for k, (lid, m) in written.prices.items() if k[0] in done]
    flagged = checked = superseded = 0
    again = Written()
    async with sc.tx(org_id) as session:
        ids = sorted({lid for _, _, lid, _ in sent})
        await lock_listings(session, ids)
        listings = {
            x.id: x for x in (await session.scalars(select(Listing).where(Listing.id.in_(ids)))).all()
        }
        open_ = await findings.open_findings(session, ids)
        now = datetime.now(UTC)
        for kind, key, lid, ours in sent:
            shown, listing = read.shown.get(key), listings.get(lid)
            theirs = None if shown is None else _theirs(kind, shown)
            if listing is None or theirs is None:
                continue
            if _written_again(listing, kind, ours):
                superseded += 1
                continue
            checked += 1
            found = open_.get((lid, kind))
            if theirs == ours:
                if found is not None:
                    found.status, found.resolved_at = "repaired", now
                continue
            if kind == "stock" and written.doubted.get(lid) != ours:
                # A sale (or a cancellation) on the platform moves its stock before our intake has it:
                # that is no refusal. Looked at again later, the sale's own push has written the
                # listing (superseded); a value still different then is flagged.
                again.stock[key], again.doubted[lid] = (lid, int(ours)), ours
                continue
            if kind == "stock" and shown is not None:
                listing.platform_stock = shown.stock
            await findings.note(session, listing, Seen(kind, "not_applied", ours, theirs),
                                source="readback", detail=DETAIL, existing=found)  # fmt: skip
            flagged += 1
        if flagged:
            await triggers.evaluate_soon(session, org_id)
        if again.stock:
            await request(session, sc.settings, org_id, shop.channel.id, None, again)
    return {
        "checked": checked,
        "not_applied": flagged,
        "looked_again": len(again.stock),
        "read_calls": read.calls,
        "unchecked_items": len(items) - len(read.items),
        "superseded": superseded,
    }


def _written_again(listing: Listing, kind: str, ours: str) -> bool:
    """Whether the listing was written (or is to be written) again since: dirty, or a later push recorded
    another value. What the platform shows may then be the later value; that write is read back itself."""
    if kind == "stock":
        return listing.stock_dirty or str(listing.pushed_stock) != ours
    return listing.price_dirty or str((listing.platform_state or {}).get("price")) != ours
