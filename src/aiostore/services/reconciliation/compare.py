"""Comparing what a shop shows with what we hold, listing by listing, in one transaction (which locks the
listings only at its end: see `_note_platform_stock`).

Ours: stock = what a push would send now (services/allocation/quantities.py, the explain's number);
price = the listing's own price, else the master price of the shop's market (the push's `price_of`);
title = the listing's own title (`overrides.title`), else the master product's; status = the listing's
own status, else active when the master product is. A listing whose push is pending (stock or price
dirty) is not compared on that field: its difference is on its way out already. A price that differs
because the platform refused ours (`price_sync_state` error) is a `refused` finding with the platform's
reason, not a seller-centre edit: no policy adopts the old price or sends the refused one again; a
person decides, and the next accepted price closes it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from aiostore.connectors.dtos import ConnectorLimits
from aiostore.db.models import Inventory, Listing, Product, ReconciliationFinding, Variant, VariantPrice
from aiostore.domain.money import MoneyError
from aiostore.services.allocation.quantities import derive_listings
from aiostore.services.reconciliation import findings
from aiostore.services.reconciliation.findings import Seen
from aiostore.services.reconciliation.reading import Key, Shown
from aiostore.services.sync.push_items import lock_listings
from aiostore.services.sync.push_prices import price_of

SELLER_STATUSES = ("active", "inactive")  # what a seller switches; review and bans are the platform's


@dataclass
class Comparison:
    counts: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys((*findings.KINDS, "not_applied", "refused"), 0)
    )
    repairs: list[uuid.UUID] = field(default_factory=list)
    to_act: list[uuid.UUID] = field(default_factory=list)  # findings the policy acts on (by kind)
    new_stock: int = 0


@dataclass(frozen=True, slots=True)
class _Priced:
    """A listing's own prices with its variant's master price in the shop's market (push_prices.Priced)."""

    overrides: dict[str, Any] | None
    amount: int | None
    currency: str | None


def _ours_status(listing: Listing, product_status: str) -> str:
    own = (listing.overrides or {}).get("status")
    return str(own) if own else ("active" if product_status == "active" else "inactive")


def differences(listing: Listing, shown: Shown, quantity: int, master: VariantPrice | None,
                title: str, product_status: str, market: str) -> list[Seen]:  # fmt: skip
    """Every field on which the platform differs from us (stock first)."""
    out: list[Seen] = []
    if shown.stock is not None and not listing.stock_dirty and shown.stock != quantity:
        out.append(Seen("stock", "drift", str(quantity), str(shown.stock)))
    if shown.price is not None and not listing.price_dirty:
        try:
            priced = _Priced(
                listing.overrides, master.amount if master else None, master.currency if master else None
            )
            ours = price_of(priced, market)
        except MoneyError:
            ours = None
        if ours is not None and ours != shown.price:
            cause = "refused" if listing.price_sync_state == "error" else "edit"
            out.append(Seen("price", cause, str(ours.to_major()), str(shown.price.to_major())))
    own_title = str((listing.overrides or {}).get("title") or title)
    if shown.title and shown.title.strip() != own_title.strip():
        out.append(Seen("title", "edit", own_title[:300], shown.title[:300]))
    status = _ours_status(listing, product_status)
    if shown.status in SELLER_STATUSES and shown.status != status:
        out.append(Seen("status", "edit", status, shown.status))
    return out


async def _rows(session: AsyncSession, channel_id: uuid.UUID, market: str, items: list[str]) -> list[Any]:
    return list(
        (
            await session.execute(
                select(Listing, Inventory, VariantPrice, Product.title, Product.status)
                .join(Variant, Variant.id == Listing.variant_id)
                .join(Product, Product.id == Variant.product_id)
                .outerjoin(Inventory, Inventory.variant_id == Listing.variant_id)
                .outerjoin(
                    VariantPrice,
                    and_(VariantPrice.variant_id == Listing.variant_id, VariantPrice.market == market),
                )
                .where(Listing.channel_account_id == channel_id, Listing.platform_item_id.in_(items))
                .order_by(Listing.id)
            )
        ).all()
    )


def _close(found: ReconciliationFinding | None, now: datetime) -> None:
    """The platform agrees again: a repair read back equal, or the difference went away."""
    if found is not None:
        found.status = "repaired" if found.status == "repairing" or found.cause == "not_applied" else "gone"
        found.resolved_at = now


async def compare(
    session: AsyncSession,
    channel_id: uuid.UUID,
    market: str,
    limits: ConnectorLimits,
    shown: dict[Key, Shown],
    items: list[str],
    *,
    max_repairs: int,
    acting: frozenset[str],
) -> Comparison:
    """Record every difference of these items' listings; stock drift is queued for repair (at most
    `max_repairs`), kinds in `acting` are handed back for the policy to act on."""
    result = Comparison()
    rows = await _rows(session, channel_id, market, items) if items else []
    derived = {d.listing.id: d.quantity for d in await derive_listings(
        session, [(r[0], r[1]) for r in rows], {channel_id: limits})}  # fmt: skip
    ids = [r[0].id for r in rows]
    open_ = await findings.open_findings(session, ids)
    ignored = await findings.ignored(session, ids)
    now = datetime.now(UTC)
    platform_stock: list[tuple[uuid.UUID, int, int | None, int]] = []
    for listing, _inv, master, title, product_status in rows:
        seen = shown.get((listing.platform_item_id, listing.platform_model_id or "0"))
        if seen is None:
            continue  # not on the platform any more: the products pull reports that
        if seen.stock is not None and seen.stock != listing.platform_stock:
            platform_stock.append((listing.id, seen.stock, listing.platform_stock, listing.stock_version))
        diffs = {d.kind: d for d in differences(
            listing, seen, derived.get(listing.id, 0), master, title, product_status, market)}  # fmt: skip
        for kind in ("stock", "price", "title", "status"):
            found = open_.get((listing.id, kind))
            diff = diffs.get(kind)
            if diff is None:
                if not (kind == "stock" and listing.stock_dirty) and not (
                    kind == "price" and listing.price_dirty
                ):
                    _close(found, now)
                continue
            if (listing.id, kind, diff.ours, diff.theirs) in ignored:
                continue
            if diff.cause == "refused":  # the platform keeps its price against ours: a person decides
                await findings.note(session, listing, diff, source="reconcile", existing=found,
                                    detail=(listing.price_error or "")[:500] or None)  # fmt: skip
                result.counts["refused"] += 1
                continue
            if found is not None and found.cause == "not_applied":
                # accepted and not applied before: writing again would not help; a person decides
                await findings.note(session, listing, Seen(kind, "not_applied", diff.ours, diff.theirs),
                                    source=found.source, existing=found, detail=found.detail)  # fmt: skip
                result.counts["not_applied"] += 1
                continue
            repair = kind == "stock" and len(result.repairs) < max_repairs
            status = "repairing" if repair else "open"
            detail = None if repair or kind != "stock" else "over this run's repair cap: repaired next run"
            finding, new = await findings.note(
                session, listing, diff, source="reconcile", status=status, detail=detail, existing=found
            )
            result.counts[kind] += 1
            if repair:
                result.repairs.append(listing.id)
                result.new_stock += int(new)
            elif kind in acting:
                result.to_act.append(finding.id)
    await _note_platform_stock(session, platform_stock)
    return result


_PLATFORM_STOCK = text(
    """UPDATE listings AS t SET platform_stock = v.stock
    FROM unnest(CAST(:ids AS uuid[]), CAST(:stocks AS bigint[]), CAST(:before AS bigint[]),
                CAST(:versions AS bigint[])) AS v(id, stock, before, version)
    WHERE t.id = v.id AND t.platform_stock IS NOT DISTINCT FROM v.before AND t.stock_version = v.version"""
)


async def _note_platform_stock(
    session: AsyncSession, rows: list[tuple[uuid.UUID, int, int | None, int]]
) -> None:
    """What the shop showed as each listing's stock, written at the end of the comparison and only where
    no push recorded another since it was read.

    The listings are read without a lock and locked only here (in id order, as sales and pushes lock
    them), for the few statements left before the commit: locked from the first read, a shop's
    comparison (a statement per new finding) made every sale of those listings wait for it, up to half
    a second for 200 listings while the worker was busy."""
    if not rows:
        return
    rows.sort()
    await lock_listings(session, [r[0] for r in rows])
    ids, stocks, before, versions = (list(column) for column in zip(*rows, strict=True))
    await session.execute(
        _PLATFORM_STOCK, {"ids": ids, "stocks": stocks, "before": before, "versions": versions}
    )
