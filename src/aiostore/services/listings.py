"""Listings: each variant as it stands on a shop, and linking one to a master variant.

The API (/api/listings) and the dashboard's Listings page both call these; the org is the session's
(row-level security), so another org's listing or variant is simply not found.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Literal, get_args

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from aiostore.db.models import Listing, Variant
from aiostore.errors import NotFound, invalid
from aiostore.services import audit
from aiostore.services.context import OrgContext
from aiostore.services.inventory import stock_changed
from aiostore.services.pagination import Page, Sort, page_of, paginate

SyncState = Literal["in_sync", "retrying", "error"]
SYNC_STATES: tuple[SyncState, ...] = get_args(SyncState)


@dataclass(frozen=True, slots=True)
class ListingFilter:
    channel_account_id: uuid.UUID | None = None
    unmatched: bool | None = None  # True: no master variant; False: linked
    sync_state: SyncState | None = None
    q: str | None = None  # part of the title or the platform SKU


def state_is(state: SyncState) -> ColumnElement[bool]:
    """A listing in this sync state: retrying or error when its stock or its price is (the price keeps
    its own outcome, `price_sync_state`); in sync when both are (no price pushed counts as in sync)."""
    if state == "in_sync":
        return and_(
            Listing.sync_state == state,
            or_(Listing.price_sync_state.is_(None), Listing.price_sync_state == state),
        )
    return or_(Listing.sync_state == state, Listing.price_sync_state == state)


@dataclass(frozen=True, slots=True)
class Ours:
    """The master variant a listing follows (what a push sends it: services/allocation/quantities.py)."""

    sku: str


async def list_listings(
    session: AsyncSession, f: ListingFilter, *, cursor: str | None, limit: int
) -> Page[Listing]:
    stmt = select(Listing)
    if f.channel_account_id:
        stmt = stmt.where(Listing.channel_account_id == f.channel_account_id)
    if f.unmatched is not None:
        stmt = stmt.where(Listing.variant_id.is_(None) if f.unmatched else Listing.variant_id.is_not(None))
    if f.sync_state:
        stmt = stmt.where(state_is(f.sync_state))
    if f.q:
        pattern = "%" + f.q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(or_(Listing.title.ilike(pattern), Listing.platform_sku.ilike(pattern)))
    sort = Sort(Listing.created_at, descending=False, kind="datetime")
    stmt = paginate(stmt, sort=sort, id_column=Listing.id, cursor=cursor, limit=limit)
    rows = list((await session.scalars(stmt)).all())
    return page_of(rows, limit=limit, sort_value=lambda r: r.created_at, row_id=lambda r: r.id)


async def ours(session: AsyncSession, variant_ids: set[uuid.UUID]) -> dict[uuid.UUID, Ours]:
    """For each variant: its SKU."""
    if not variant_ids:
        return {}
    rows = await session.execute(select(Variant.id, Variant.sku).where(Variant.id.in_(variant_ids)))
    return {vid: Ours(sku) for vid, sku in rows}


async def variant_by_sku(session: AsyncSession, sku: str) -> uuid.UUID | None:
    return await session.scalar(select(Variant.id).where(Variant.sku == sku.strip()))


async def link(
    session: AsyncSession, ctx: OrgContext, listing_id: uuid.UUID, variant_id: uuid.UUID | None
) -> Listing:
    """Link a listing to a master variant (None unlinks); a linked listing follows that variant's stock,
    pushed to its shop at once. Its price is left as the shop has it: only a committed price change
    sends a price."""
    listing = await session.get(Listing, listing_id)
    if listing is None:
        raise NotFound("listing not found")
    if variant_id is not None and await session.get(Variant, variant_id) is None:
        raise invalid("variant_id", "no such variant", "not_found")
    before = {"variant_id": listing.variant_id}
    listing.variant_id = variant_id
    await session.flush()
    if variant_id:
        await stock_changed(session, ctx.org_id, listing_ids=[listing.id])
    await audit.record(
        session, ctx, "listing.linked", "listing", listing.id, before=before, after={"variant_id": variant_id}
    )
    await session.refresh(listing)
    return listing
